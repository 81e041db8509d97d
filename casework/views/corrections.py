"""
Correcting and voiding a record, and reading its history: one page each for every kind of record
(records/<kind>/<id>/...). The record is found through `visible_to(user)` (404 when out of sight),
casework.permissions decides who may correct it or read its history (403 otherwise), and the
services in casework.services.corrections do the rest.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from audit.services import record as audit_record

from .. import services
from ..forms.corrections import CORRECTION_FORMS, VoidForm
from ..models import Attachment, Correctable, LegalStatusRecord, Relationship
from ..models.corrections import correctable_model
from ..permissions import can_correct_record, can_see_record_history, staff_who_can_see
from ..selectors.corrections import record_revisions
from .common import _data, _form_page, _refuse, form_view, refusal


def _visible_record(request, kind: str, record_id) -> Correctable:
    model = correctable_model(kind)
    if model is None:
        raise Http404
    related = ["case"] if hasattr(model, "case") else []
    if model is Relationship:
        related = ["from_person", "to_person"]
    elif hasattr(model, "person") and model is not Attachment:
        related = ["person"]
    records = model.with_voided.visible_to(request.user).select_related(*related)
    return get_object_or_404(records, pk=record_id)


def _back_url(record) -> str:
    """The page the record is shown on: its case's, or its person's."""
    if getattr(record, "case_id", None):
        return reverse("casework:case_detail", args=[record.case.reference])
    person = record.from_person if isinstance(record, Relationship) else record.person
    return reverse("casework:person_detail", args=[person.reference])


def _page_context(record) -> dict:
    if getattr(record, "case_id", None):
        return {"case": record.case}
    return {"person": record.from_person if isinstance(record, Relationship) else record.person}


def _initial(record) -> dict:
    initial = {"version": record.version}
    for name in record.correctable_fields:
        field = record._meta.get_field(name)
        initial[name] = getattr(record, field.attname)
    if isinstance(record, LegalStatusRecord) and record.since_birth:
        # Stored as a placeholder day (see LegalStatusRecord.birth_placeholder); shown as birth.
        initial["effective_from"] = record.person.date_of_birth or record.effective_from
    return initial


def _editable_record(request, kind, record_id, attempted: str) -> Correctable:
    record = _visible_record(request, kind, record_id)
    if not can_correct_record(request.user, record):
        _refuse(request, record, attempted, case=getattr(record, "case", None))
    return record


@form_view
def record_correct(request, kind, record_id):
    record = _editable_record(request, kind, record_id, "record_correct")
    if record.is_voided:
        raise Http404
    # Who may be given a follow-up: the staff who see its case.
    extra = {"staff": staff_who_can_see(record.case)} if kind == "task" else {}
    form = CORRECTION_FORMS[kind](_data(request), initial=_initial(record), **extra)

    def save(data):
        fields = {name: data[name] for name in record.correctable_fields if name in form.fields}
        return services.record_correct(
            record=record,
            fields=fields,
            reason=data["reason"],
            actor=request.user,
            expected_version=data["version"],
        )

    return _form_page(
        request,
        form,
        save=save,
        title=_("Correct a record: %(kind)s") % {"kind": record._meta.verbose_name},
        success=_("The correction was saved; the earlier version is kept in the record's history."),
        next_url=_back_url(record),
        context=_page_context(record),
        submit=_("Save the correction"),
    )


@form_view
def record_void(request, kind, record_id):
    record = _editable_record(request, kind, record_id, "record_void")
    if record.is_voided:
        raise Http404
    form = VoidForm(_data(request), initial={"version": record.version})
    return _form_page(
        request,
        form,
        save=lambda data: services.record_void(
            record=record,
            reason=data["reason"],
            actor=request.user,
            expected_version=data["version"],
        ),
        title=_("Void a record: %(kind)s") % {"kind": record._meta.verbose_name},
        success=_("The record was voided. It is kept, struck through, in its history."),
        next_url=_back_url(record),
        context={
            **_page_context(record),
            "warning": _void_warning(record),
        },
        submit=_("Void"),
        template="casework/forms/void.html",
    )


def _void_warning(record) -> str:
    if isinstance(record, Attachment):
        return _(
            "The file itself will be deleted from storage: it cannot be downloaded again. "
            "Its name, size and fingerprint stay in the history."
        )
    if isinstance(record, LegalStatusRecord) and record.is_current:
        return _("This is the current status: the status before it becomes current again.")
    return _("The record leaves the timeline, reports and documents. Its text is kept.")


@never_cache
@login_required
@require_GET
def record_history(request, kind, record_id):
    """The record's earlier versions, decrypted for those who may correct it; audited."""
    record = _visible_record(request, kind, record_id)
    case = getattr(record, "case", None)
    if not can_see_record_history(request.user, record):
        return refusal(request, record, "record_history", case=case)
    context = {
        **_page_context(record),
        "record": record,
        "kind": kind,
        "revisions": record_revisions(record),
        "back_url": _back_url(record),
    }
    response = render(request, "casework/record_history.html", context)
    audit_record(request.user, "view", record, request=request, case=case, history=True)
    return response
