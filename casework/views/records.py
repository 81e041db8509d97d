"""
The forms that add the records of a case: incidents, notes, follow-ups and files.
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from .. import dates, services
from ..forms.records import (
    AttachmentForm,
    IncidentEditForm,
    IncidentRecordForm,
    NoteForm,
    TaskCompleteForm,
    TaskForm,
)
from ..permissions import can_complete_task, staff_who_can_see
from .common import (
    INCIDENT_TEMPLATE,
    _case_context,
    _case_url,
    _data,
    _editable_case,
    _files,
    _form_page,
    _refuse,
    _visible_case,
    form_view,
)

# Records of a case


def _detention_message(detention: services.Detention) -> str:
    """What recording an arrest or detention did; references only (messages sit in a cookie)."""
    parts = [_("The incident was recorded.")]
    if detention.detained:
        parts.append(
            _("Now detained: %(people)s.")
            % {"people": ", ".join(person.reference for person in detention.detained)}
        )
    if detention.flag:
        parts.append(_("The flag “A member is detained” was raised."))
    if detention.risk_raised:
        parts.append(_("The risk level is now High."))
    return " ".join(parts)


@form_view
def incident_add(request, case_ref):
    """An incident; an arrest or detention may also mark people detained, flag and raise risk."""
    case = _editable_case(request, case_ref, "incident_add")
    form = IncidentRecordForm(_data(request), case=case)

    def save(data):
        detention = form.detention()
        if detention is None:
            services.incident_record(case=case, actor=request.user, **form.incident())
            return _("The incident was recorded.")
        recorded = services.detention_record(
            case=case, actor=request.user, **form.incident(), **detention
        )
        return _detention_message(recorded)

    return _form_page(
        request,
        form,
        save=save,
        title=_("Record an incident"),
        success=lambda message: message,
        next_url=_case_url(case),
        context=_case_context(case),
        template=INCIDENT_TEMPLATE,
    )


@form_view
def incident_edit(request, case_ref, incident_id):
    case = _editable_case(request, case_ref, "incident_edit")
    incident = get_object_or_404(case.incidents.all(), pk=incident_id)
    initial = {
        "kind": incident.kind,
        "occurred_on": incident.occurred_on,
        "region": incident.region,
        "description": incident.description,
        "people": [person.reference for person in incident.people.all()],
        "version": incident.version,
    }
    form = IncidentEditForm(_data(request), case=case, initial=initial)

    def save(data):
        fields = {name: data[name] for name in ("kind", "occurred_on", "region", "description")}
        services.incident_update(
            incident=incident,
            actor=request.user,
            expected_version=data["version"],
            people=data["people"],
            **fields,
        )

    return _form_page(
        request,
        form,
        save=save,
        title=_("Correct an incident"),
        success=_("The changes were saved."),
        next_url=_case_url(case),
        context=_case_context(case),
    )


@form_view
def note_add(request, case_ref):
    case = _editable_case(request, case_ref, "note_add")
    form = NoteForm(_data(request), initial={"contacted_on": dates.today()})
    return _form_page(
        request,
        form,
        save=lambda data: services.case_note_add(case=case, actor=request.user, **data),
        title=_("Add a note"),
        success=_("The note was added."),
        next_url=_case_url(case),
        context=_case_context(case),
    )


@form_view
def task_add(request, case_ref):
    case = _editable_case(request, case_ref, "task_add")
    form = TaskForm(_data(request), staff=staff_who_can_see(case), creator=request.user)
    return _form_page(
        request,
        form,
        save=lambda data: services.task_create(case=case, actor=request.user, **data),
        title=_("Add a follow-up"),
        success=_("The follow-up was added."),
        next_url=_case_url(case),
        context=_case_context(case),
    )


@form_view
def task_complete(request, case_ref, task_id):
    case = _visible_case(request, case_ref)
    task = get_object_or_404(case.tasks.select_related("assignee"), pk=task_id)
    if not can_complete_task(request.user, task):
        _refuse(request, task, "task_complete", case=case)
    form = TaskCompleteForm(_data(request), initial={"version": task.version})
    return _form_page(
        request,
        form,
        save=lambda data: services.task_complete(
            task=task, actor=request.user, expected_version=data["version"]
        ),
        title=_("Mark a follow-up done"),
        success=_("The follow-up was marked done."),
        next_url=_case_url(case),
        context={**_case_context(case), "task": task},
        submit=_("Mark done"),
    )


@form_view
def attachment_add(request, case_ref):
    case = _editable_case(request, case_ref, "attachment_add")
    form = AttachmentForm(_data(request), _files(request), case=case)
    return _form_page(
        request,
        form,
        save=lambda data: services.attachment_add(
            case=case,
            uploaded_file=data["file"],
            person=data["person"],
            description=data["description"],
            actor=request.user,
        ),
        title=_("Upload a file"),
        success=_("The file was uploaded and stored encrypted."),
        next_url=_case_url(case),
        context=_case_context(case),
        submit=_("Upload"),
    )
