"""What every casework admin page shares: rows limited by visibility, audited opening, read-only."""

from django.contrib import admin, messages
from django.contrib.admin.utils import NotRelationField, flatten_fieldsets, get_fields_from_path
from django.core import checks
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from accounts.admin_mixins import ReadOnlyAdminMixin
from audit.exceptions import AuditDetailError
from audit.services import record
from vault.fields import BlindIndexField, EncryptedFieldMixin

from ..models import Case, CaseMember, Person


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


class ShownAsTextMixin:
    """Every field shown as text: nothing here is a form field, non-editable ones included."""

    def get_readonly_fields(self, request, obj=None):
        declared = list(super().get_readonly_fields(request, obj))
        return declared + [
            name
            for name in flatten_fieldsets(self.get_fieldsets(request, obj))
            if name not in declared
        ]


class CaseworkModelAdmin(ShownAsTextMixin, ReadOnlyAdminMixin, VisibleRowsMixin, admin.ModelAdmin):
    """
    Base of every casework admin page: read-only (see the package's docstring). Its search box
    finds references only: a name typed there would travel in the address (`?q=`) and into
    browser history and proxy logs, so people are found by name on the case list's posted
    search instead.
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
            messages.info(
                request,
                _(
                    "Case records are read-only here. They are changed on the case's own pages, "
                    "by the staff of its team, where every change is checked and kept in the "
                    "record's history."
                ),
            )
        return response

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


class CaseworkInline(ShownAsTextMixin, ReadOnlyAdminMixin, VisibleRowsMixin, admin.TabularInline):
    extra = 0
    can_delete = False
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
