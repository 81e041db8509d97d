"""
Django admin for casework.

Every page, inline, choice list and autocomplete starts from `visible_to(request.user)`, the one
visibility rule (casework.querysets), so tightening that rule tightens the admin with it. Lists
show references and coarse plain fields only; decrypted values appear in change forms, one
record at a time. Search takes a reference, or an exact name through the blind index.

Every page of a record opened here, every list and every write is a chained audit event of the
record's case (of each case of a person), which the case's supervisors read. Who owns or works a
case, and its team, are not changed here: those are the services' (assignment, transfer), so that
an administrator's break-glass sight of a case cannot be made to outlast its grant.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import NotRelationField, get_fields_from_path
from django.core import checks
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured, ValidationError
from django.db import transaction
from django.db.models import F
from django.forms.models import construct_instance
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from audit.exceptions import AuditDetailError
from audit.services import record
from consent.models import Consent
from vault.fields import BlindIndexField, EncryptedFieldMixin

from . import services
from .models import (
    Attachment,
    Case,
    CaseAssignment,
    CaseFlag,
    CaseMember,
    CaseNote,
    Entitlement,
    Incident,
    LegalStatusRecord,
    Person,
    PersonAlias,
    Relationship,
    Task,
)

# Who did it, filled in from the request on the first save, never typed by hand.
ACTOR_FIELDS = {
    Attachment: "uploaded_by",
    CaseAssignment: "assigned_by",
    CaseNote: "author",
    Entitlement: "recorded_by",
    Incident: "recorded_by",
    LegalStatusRecord: "recorded_by",
    Task: "created_by",
}


def visible_rows(model, user):
    """The rows of `model` that `user` may see, by the rule of casework.querysets."""
    manager = model._default_manager
    if hasattr(manager, "visible_to"):
        return manager.visible_to(user)
    # CaseMember and CaseAssignment have no queryset of their own yet: they are seen through
    # their case, so they follow whatever the rule for cases becomes.
    if any(field.name == "case" for field in model._meta.fields):
        return manager.filter(case__in=Case.objects.visible_to(user))
    raise ImproperlyConfigured(
        f"{model.__name__} has no visible_to() queryset method and no case: give its manager "
        "one before registering it in the casework admin."
    )


def _stamp_actor(instance, user):
    field = ACTOR_FIELDS.get(type(instance))
    if field and instance._state.adding and getattr(instance, f"{field}_id") is None:
        setattr(instance, field, user)


def _save_counting_change(instance) -> None:
    # An edit here is a change like any other: it raises the version, so a form opened before
    # it is refused rather than overwriting it (casework.services, lost-update protection).
    versioned = any(field.name == "version" for field in instance._meta.concrete_fields)
    if versioned and not instance._state.adding:
        instance.version = F("version") + 1
    instance.save()
    if versioned:
        instance.refresh_from_db(fields=["version"])


def _cases_of(obj) -> list:
    """
    The cases an event about `obj` belongs to, so that their supervisors read it: None lets
    `record` take the case from the record itself; a person's events go to each of their cases.
    """
    if isinstance(obj, Case) or any(f.name == "case" for f in obj._meta.concrete_fields):
        return [None]
    if isinstance(obj, Person):
        person_id = obj.pk
    else:
        person_id = getattr(obj, "person_id", None) or getattr(obj, "from_person_id", None)
    if person_id is None:
        return [None]
    cases = CaseMember.objects.filter(person_id=person_id).values_list("case_id", flat=True)
    return sorted(set(cases), key=str) or [None]


def audit_admin(request, action: str, obj, **detail) -> None:
    """One audit event per case of `obj` for something done to it in the admin."""
    for case in _cases_of(obj):
        try:
            record(request.user, action, obj, request=request, case=case, admin=True, **detail)
        except AuditDetailError:
            # As the services do: a detail that happens to contain a value the record holds is
            # dropped, never the event.
            record(request.user, action, obj, request=request, case=case, detail_withheld=True)


def _changed_fields(form) -> list[str]:
    names = {field.name for field in form._meta.model._meta.get_fields()}
    return [name for name in form.changed_data if name in names]


def _is_sealed(model, path: str) -> bool:
    try:
        field = get_fields_from_path(model, path)[-1]
    except (FieldDoesNotExist, NotRelationField):
        return False
    return isinstance(field, EncryptedFieldMixin | BlindIndexField)


class VisibleRowsMixin:
    """Shared by pages and inlines: rows and choices limited to what the user may see."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        self._limit_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        self._limit_choices(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def _limit_choices(self, db_field, request, kwargs):
        # A posted id of a person or case out of the user's sight must fail validation.
        related = db_field.related_model._default_manager
        if "queryset" not in kwargs and hasattr(related, "visible_to"):
            kwargs["queryset"] = related.visible_to(request.user)

    def _visible_queryset(self, request):
        queryset = visible_rows(self.model, request.user)
        ordering = self.get_ordering(request)
        return queryset.order_by(*ordering) if ordering else queryset


class CaseworkModelAdmin(VisibleRowsMixin, admin.ModelAdmin):
    """
    Base of every casework admin page. Its search box finds references only: a name typed there
    would travel in the address (`?q=`) and into browser history and proxy logs, so people are
    found by name on the case list's posted search instead.
    """

    show_full_result_count = False

    def get_queryset(self, request):
        return self._visible_queryset(request)

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        if request.method == "GET" and response.status_code == 200:
            # A list shows references only, but who looked through which records is kept.
            record(request.user, "view", self.model, request=request, admin=True, page="list")
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        context = getattr(response, "context_data", None) or {}
        if request.method == "GET" and response.status_code == 200 and context.get("original"):
            audit_admin(request, "view", context["original"])
        return response

    def save_model(self, request, obj, form, change):
        _stamp_actor(obj, request.user)
        _save_counting_change(obj)
        audit_admin(request, "update" if change else "create", obj, fields=_changed_fields(form))

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            audit_admin(request, "delete", obj)
            obj.delete()
        changed = {id(f.instance): _changed_fields(f) for f in formset.forms if f.has_changed()}
        for instance in instances:
            adding = instance._state.adding
            _stamp_actor(instance, request.user)
            _save_counting_change(instance)
            audit_admin(
                request,
                "create" if adding else "update",
                instance,
                fields=changed.get(id(instance), []),
            )
        formset.save_m2m()

    def delete_model(self, request, obj):
        audit_admin(request, "delete", obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    def check(self, **kwargs):
        return [*super().check(**kwargs), *self._check_lists_show_nothing_sealed()]

    def _check_lists_show_nothing_sealed(self):
        # A list page shows many people at once, often to staff of other teams: ciphertext and
        # blind-index digests stay out of its columns, filters, search and ordering.
        options = {
            "list_display": [name for name in self.list_display if isinstance(name, str)],
            "list_filter": [
                entry[0] if isinstance(entry, list | tuple) else entry
                for entry in self.list_filter
                if not isinstance(entry, type)
            ],
            "search_fields": [name.lstrip("^=@") for name in self.search_fields],
            "ordering": [name.lstrip("-") for name in self.ordering or () if isinstance(name, str)],
            "date_hierarchy": [self.date_hierarchy] if self.date_hierarchy else [],
        }
        return [
            checks.Error(
                f"{type(self).__name__}.{option} names {name!r}, an encrypted or blind-index "
                "field.",
                hint="List pages show references and coarse plain fields only.",
                obj=type(self),
                id="casework.E001",
            )
            for option, names in options.items()
            for name in names
            if _is_sealed(self.model, name)
        ]


class CaseworkInline(VisibleRowsMixin, admin.TabularInline):
    extra = 0
    # Related rows shown read-only in each line, fetched with the lines rather than one by one.
    select_related: tuple[str, ...] = ()

    def get_queryset(self, request):
        if not self.has_view_or_change_permission(request):
            return self.model._default_manager.none()
        queryset = self._visible_queryset(request)
        return queryset.select_related(*self.select_related) if self.select_related else queryset


class YesNoNullFilter(admin.SimpleListFilter):
    """Splits rows on whether a date column is empty: "yes" means `yes_when_null`."""

    field: str
    yes_when_null: bool
    options: tuple

    def lookups(self, request, model_admin):
        return self.options

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            is_null = (self.value() == "yes") == self.yes_when_null
            return queryset.filter(**{f"{self.field}__isnull": is_null})
        return queryset


class CurrentStatusFilter(YesNoNullFilter):
    title = _("period")
    parameter_name = "current"
    field, yes_when_null = "effective_to", True
    options = (("yes", _("Current status")), ("no", _("Earlier status")))


class TaskDoneFilter(YesNoNullFilter):
    title = _("done")
    parameter_name = "done"
    field, yes_when_null = "completed_at", False
    options = (("no", _("To do")), ("yes", _("Done")))


# Inlines of a person.


class PersonCaseInline(CaseworkInline):
    model = CaseMember
    fields = ["case", "role"]
    autocomplete_fields = ["case"]
    # A person outside every case is outside everyone's sight, so one is added with their first case.
    min_num = 1
    verbose_name = _("case")
    verbose_name_plural = _("cases")


class AliasInline(CaseworkInline):
    model = PersonAlias
    fields = ["name"]


class LegalStatusRecordInline(CaseworkInline):
    """The timeline, read-only: a new status is recorded on its own page, through the service."""

    model = LegalStatusRecord
    select_related = ("recorded_by",)
    show_change_link = True
    fields = [
        "status",
        "effective_from",
        "effective_to",
        "country",
        "place",
        "source",
        "note",
        "recorded_by",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EntitlementInline(CaseworkInline):
    model = Entitlement
    select_related = ("recorded_by",)
    fields = ["kind", "status", "as_of", "note", "recorded_by"]
    readonly_fields = ["recorded_by"]


@admin.register(Person)
class PersonAdmin(CaseworkModelAdmin):
    list_display = ["reference", "role", "sex", "birth_year", "nationality", "region", "created_at"]
    list_filter = ["role", "sex", "nationality", "region"]
    search_fields = ["reference"]
    readonly_fields = ["reference", "record_status_change", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["reference", "record_status_change"]}),
        (
            _("Identity (encrypted)"),
            {
                "fields": [
                    "full_name",
                    "date_of_birth",
                    "place_of_origin",
                    "current_location",
                    "contact",
                    "notes",
                ]
            },
        ),
        (
            _("Coarse facts for statistics"),
            {"fields": ["role", "sex", "birth_year", "nationality", "region"]},
        ),
        (_("Record"), {"fields": ["created_at", "updated_at"]}),
    ]
    inlines = [PersonCaseInline, AliasInline, LegalStatusRecordInline, EntitlementInline]

    @admin.display(description=_("legal status"))
    def record_status_change(self, person):
        if person.pk is None or person._state.adding:
            return "-"
        url = reverse("admin:casework_legalstatusrecord_add")
        return format_html(
            '<a href="{}?{}">{}</a>',
            url,
            urlencode({"person": person.pk}),
            _("Record a status change"),
        )


@admin.register(Relationship)
class RelationshipAdmin(CaseworkModelAdmin):
    list_display = ["from_person", "kind", "to_person", "marriage_registered", "created_at"]
    list_filter = ["kind", "marriage_registered"]
    list_select_related = ["from_person", "to_person"]
    search_fields = ["from_person__reference", "to_person__reference"]
    autocomplete_fields = ["from_person", "to_person"]
    fields = ["from_person", "kind", "to_person", "marriage_registered", "created_at"]
    readonly_fields = ["created_at"]


def _record_status(data, actor) -> LegalStatusRecord:
    fields = {
        name: data[name]
        for name in ("person", "status", "effective_from", "country", "place", "source", "note")
    }
    if data.get("effective_to") is None:
        return services.legal_status_change(actor=actor, **fields)
    return services.legal_status_record_add(
        actor=actor, effective_to=data["effective_to"], **fields
    )


class LegalStatusAddForm(forms.ModelForm):
    """
    A new status goes through the services, which close the current status and keep the
    timeline whole. The model's own check would see the still-open current status as an
    overlap, so validation is the service's, run here and rolled back, and run again on save.
    The service asks whether the actor may record it, so the form is given the actor.
    """

    actor = None

    def _post_clean(self):
        self.instance = construct_instance(self, self.instance, self._meta.fields)
        if self.errors:
            return
        try:
            with transaction.atomic():
                _record_status(self.cleaned_data, actor=self.actor)
                transaction.set_rollback(True)
        except ValidationError as error:
            self.add_error(None, error)


@admin.register(LegalStatusRecord)
class LegalStatusRecordAdmin(CaseworkModelAdmin):
    list_display = [
        "person",
        "status",
        "effective_from",
        "effective_to",
        "country",
        "source",
        "recorded_by",
    ]
    list_filter = [CurrentStatusFilter, "status", "country", "source"]
    list_select_related = ["person", "recorded_by"]
    search_fields = ["person__reference"]
    autocomplete_fields = ["person"]
    fields = [
        "person",
        "status",
        "effective_from",
        "effective_to",
        "country",
        "place",
        "source",
        "note",
        "recorded_by",
        "recorded_at",
    ]
    readonly_fields = ["recorded_by", "recorded_at"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = type(
                "LegalStatusAddForm", (LegalStatusAddForm,), {"actor": request.user}
            )
        return super().get_form(request, obj, change, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        record = _record_status(form.cleaned_data, actor=request.user)
        # The admin logs and redirects to `obj`: make it stand for the row the service saved.
        obj.pk, obj.recorded_by = record.pk, record.recorded_by
        obj._state.adding = False


@admin.register(Entitlement)
class EntitlementAdmin(CaseworkModelAdmin):
    list_display = ["person", "kind", "status", "as_of", "recorded_by"]
    list_filter = ["kind", "status"]
    list_select_related = ["person", "recorded_by"]
    search_fields = ["person__reference"]
    autocomplete_fields = ["person"]
    fields = ["person", "kind", "status", "as_of", "note", "recorded_by", "recorded_at"]
    readonly_fields = ["recorded_by", "recorded_at"]


@admin.register(Incident)
class IncidentAdmin(CaseworkModelAdmin):
    list_display = ["case", "kind", "occurred_on", "region", "recorded_by"]
    list_filter = ["kind", "region", "case__team"]
    list_select_related = ["case", "recorded_by"]
    date_hierarchy = "occurred_on"
    search_fields = ["case__reference"]
    autocomplete_fields = ["case", "people"]
    fields = [
        "case",
        "kind",
        "occurred_on",
        "region",
        "description",
        "people",
        "recorded_by",
        "recorded_at",
    ]
    readonly_fields = ["recorded_by", "recorded_at"]


# Inlines of a case.


class CaseMemberInline(CaseworkInline):
    model = CaseMember
    fields = ["person", "role", "added_at"]
    readonly_fields = ["added_at"]
    autocomplete_fields = ["person"]


class CaseAssignmentInline(CaseworkInline):
    """
    Shown, never edited here: who works or reads a case is given through casework.services
    (assign, hand over, share), which check who decides and who may be given the case. A row
    added here would make anyone, a legal advocate included, a caseworker of the case.
    """

    model = CaseAssignment
    select_related = ("user", "assigned_by")
    fields = ["user", "role", "assigned_by", "assigned_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CaseNoteInline(CaseworkInline):
    model = CaseNote
    select_related = ("author",)
    fields = ["kind", "contacted_on", "body", "author", "created_at"]
    readonly_fields = ["kind", "contacted_on", "author", "created_at"]


class TaskInline(CaseworkInline):
    model = Task
    fields = ["title", "due_on", "assignee", "completed_at"]


class CaseFlagInline(CaseworkInline):
    """Flags, read-only: they are raised and cleared on the case's pages, through the services."""

    model = CaseFlag
    select_related = ("set_by", "cleared_by")
    fields = ["kind", "active", "set_by", "set_at", "cleared_by", "cleared_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(CaseworkModelAdmin):
    list_display = [
        "reference",
        "team",
        "status",
        "risk_level",
        "opened_on",
        "closed_on",
        "owner",
    ]
    list_filter = ["status", "risk_level", "team"]
    list_select_related = ["team", "owner"]
    date_hierarchy = "opened_on"
    search_fields = ["reference"]
    readonly_fields = ["reference", "owner", "created_at", "updated_at"]
    fields = [
        "reference",
        "team",
        "owner",
        "status",
        "risk_level",
        "opened_on",
        "closed_on",
        "summary",
        "created_at",
        "updated_at",
    ]
    inlines = [
        CaseFlagInline,
        CaseMemberInline,
        CaseAssignmentInline,
        CaseNoteInline,
        TaskInline,
    ]

    def has_add_permission(self, request):
        # A case is opened through casework.services.case_open, which checks who may open one in
        # the team and assigns its caseworker; one made here would belong to no one's caseload.
        return False

    def get_readonly_fields(self, request, obj=None):
        # The owner is never set here (an administrator making themself owner would keep the
        # case after break-glass ends); a case changes team only by a transfer, which checks
        # every member's consent.
        readonly = list(super().get_readonly_fields(request, obj))
        return readonly if obj is None else [*readonly, "team"]


@admin.register(CaseNote)
class CaseNoteAdmin(CaseworkModelAdmin):
    list_display = ["case", "kind", "contacted_on", "author", "created_at"]
    list_filter = ["case__team", "kind"]
    list_select_related = ["case", "author"]
    search_fields = ["case__reference"]
    autocomplete_fields = ["case"]
    fields = ["case", "kind", "contacted_on", "body", "author", "created_at"]
    readonly_fields = ["kind", "contacted_on", "author", "created_at"]


@admin.register(Task)
class TaskAdmin(CaseworkModelAdmin):
    list_display = ["case", "due_on", "assignee", "is_done", "completed_at"]
    list_filter = [TaskDoneFilter, "case__team", "due_on"]
    list_select_related = ["case", "assignee"]
    search_fields = ["case__reference"]
    autocomplete_fields = ["case"]
    fields = [
        "case",
        "title",
        "due_on",
        "assignee",
        "completed_at",
        "completed_by",
        "created_by",
        "created_at",
    ]
    readonly_fields = ["created_by", "created_at"]

    @admin.display(boolean=True, description=_("done"))
    def is_done(self, task):
        return task.is_done


@admin.register(Attachment)
class AttachmentAdmin(CaseworkModelAdmin):
    """
    File metadata only, read-only: the encrypted storage has no URL, and files are served by
    the audited download view. Uploads and deletions go through the caseworker pages, which
    also remove the stored file.
    """

    list_display = ["case", "person", "content_type", "size", "uploaded_by", "uploaded_at"]
    list_filter = ["content_type", "case__team"]
    list_select_related = ["case", "person", "uploaded_by"]
    search_fields = ["case__reference", "person__reference"]
    fields = [
        "case",
        "person",
        "original_name",
        "description",
        "content_type",
        "size",
        "sha256",
        "uploaded_by",
        "uploaded_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Consent)
class ConsentAdmin(CaseworkModelAdmin):
    """
    Consent is recorded by caseworkers with the person; the admin only shows the history. It is
    registered here, beside the people it belongs to: consent (below casework) knows no admin base.
    """

    list_display = [
        "person",
        "given_on",
        "method",
        "store_data",
        "share_with_advocates",
        "named_in_documents",
        "statistics",
    ]
    list_filter = ["method", "store_data", "share_with_advocates", "statistics"]
    readonly_fields = [field.name for field in Consent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
