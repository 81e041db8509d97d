"""People, their ties, legal statuses, benefits and consent, as the admin shows them."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import construct_instance
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from consent.models import Consent

from .. import services
from ..models import CaseMember, Entitlement, LegalStatusRecord, Person, PersonAlias, Relationship
from .base import CaseworkInline, CaseworkModelAdmin, YesNoNullFilter


class CurrentStatusFilter(YesNoNullFilter):
    title = _("period")
    parameter_name = "current"
    field, yes_when_null = "effective_to", True
    options = (("yes", _("Current status")), ("no", _("Earlier status")))


class PersonCaseInline(CaseworkInline):
    model = CaseMember
    fields = ["case", "role"]
    verbose_name = _("case")
    verbose_name_plural = _("cases")


class AliasInline(CaseworkInline):
    model = PersonAlias
    fields = ["name"]


class LegalStatusRecordInline(CaseworkInline):
    """The timeline: a new status is recorded on its own page, through the service."""

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


class EntitlementInline(CaseworkInline):
    model = Entitlement
    select_related = ("recorded_by",)
    fields = ["kind", "status", "as_of", "note", "recorded_by"]


@admin.register(Person)
class PersonAdmin(CaseworkModelAdmin):
    list_display = ["reference", "role", "sex", "birth_year", "nationality", "region", "created_at"]
    list_filter = ["role", "sex", "nationality", "region"]
    search_fields = ["reference"]
    readonly_fields = ["record_status_change"]
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
    fields = ["from_person", "kind", "to_person", "marriage_registered", "created_at"]


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
    """
    The one write of the casework admin: a new status, recorded by the service the case pages
    use (an administrator may, while a break-glass grant shows them the person).
    """

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
    ]

    def has_add_permission(self, request, obj=None):
        # The service decides per person (casework.permissions.can_record_legal_status); the
        # page is offered to whoever holds the model permission.
        return request.user.has_perm("casework.add_legalstatusrecord")

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = type(
                "LegalStatusAddForm", (LegalStatusAddForm,), {"actor": request.user}
            )
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request, obj=None):
        return self.fields if obj is None else [*self.fields, "recorded_by", "recorded_at"]

    def get_readonly_fields(self, request, obj=None):
        # The add page is a form; a recorded status is shown as text like every record here.
        return [] if obj is None else super().get_readonly_fields(request, obj)

    def save_model(self, request, obj, form, change):
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
    fields = ["person", "kind", "status", "as_of", "note", "recorded_by", "recorded_at"]


@admin.register(Consent)
class ConsentAdmin(CaseworkModelAdmin):
    """
    Consent is recorded by caseworkers with the person; the admin only shows the history. It is
    registered here, beside the people it belongs to: consent (below casework) knows no admin base.
    """

    list_display = [
        "person",
        "kind",
        "given_on",
        "method",
        "store_data",
        "share_with_advocates",
        "named_in_documents",
        "statistics",
        "identity_to_state",
    ]
    list_filter = ["kind", "method", "store_data", "share_with_advocates", "statistics"]
