"""The case's running records: notes, incidents and follow-up tasks."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import dates, permissions
from ..models import (
    Case,
    CaseNote,
    Incident,
    Person,
    Task,
)
from ._common import (
    INCIDENT_FIELDS,
    _audit,
    _bump_version,
    _check_fields,
    _filled,
    _keep_earlier,
    _refuse_non_members,
    _require,
    _save,
    _update,
)


def case_note_add(*, case: Case, body: str, actor) -> CaseNote:
    _require(permissions.can_edit_case(actor, case))
    with transaction.atomic():
        note = _save(CaseNote(case=case, author=actor, body=body))
        _audit(actor, "create", note, case=case, fields=["body"])
    return note


def incident_record(
    *,
    case: Case,
    kind: str,
    occurred_on,
    region: str,
    description: str = "",
    people: Iterable[Person] = (),
    actor,
) -> Incident:
    """Record a dated event in a case and the case's people it involved."""
    _require(permissions.can_edit_case(actor, case))
    people = list(people)
    _refuse_non_members(case, people, "people")
    dates.check_event(occurred_on, field="occurred_on", people=people)
    with transaction.atomic():
        incident = _save(
            Incident(
                case=case,
                kind=kind,
                occurred_on=occurred_on,
                region=region,
                description=description,
                recorded_by=actor,
            )
        )
        incident.people.set(people)
        _audit(
            actor,
            "create",
            incident,
            fields=_filled(
                {
                    "kind": kind,
                    "occurred_on": occurred_on,
                    "region": region,
                    "description": description,
                }
            ),
            people=len(people),
        )
    return incident


def incident_update(
    *,
    incident: Incident,
    actor,
    expected_version: int | None = None,
    people: Iterable[Person] | None = None,
    **fields,
) -> Incident:
    """Correct an incident; `people` (when given) replaces the case members it involved."""
    _require(permissions.can_edit_case(actor, incident.case))
    _check_fields(fields, INCIDENT_FIELDS, "incident")
    if people is not None:
        people = list(people)
        _refuse_non_members(incident.case, people, "people")
    dates.check_event(
        fields.get("occurred_on", incident.occurred_on),
        field="occurred_on",
        people=incident.people.all() if people is None else people,
    )
    with transaction.atomic():
        _keep_earlier(
            incident, {**fields, **({} if people is None else {"people": people})}, actor=actor
        )
        changed = _update(incident, fields, expected_version)
        if people is not None:
            before = set(incident.people.values_list("pk", flat=True))
            if before != {person.pk for person in people}:
                incident.people.set(people)
                if not changed:
                    _bump_version(incident)
                changed = sorted([*changed, "people"])
        if changed:
            _audit(actor, "update", incident, fields=changed)
    return incident


def task_create(*, case: Case, title: str, actor, due_on=None, assignee=None) -> Task:
    """
    A follow-up for a case; whoever is to do it must be able to see the case. Given to nobody, it
    is the creator's: a follow-up that is no one's is one nobody does (pages, API and import alike).
    """
    _require(permissions.can_edit_case(actor, case))
    assignee = assignee or actor
    if assignee is not None and not Case.objects.visible_to(assignee).filter(pk=case.pk).exists():
        raise ValidationError(
            {
                "assignee": _("%(user)s cannot see case %(case)s.")
                % {"user": assignee.get_username(), "case": case.reference}
            }
        )
    with transaction.atomic():
        task = _save(
            Task(case=case, title=title, due_on=due_on, assignee=assignee, created_by=actor)
        )
        _audit(
            actor,
            "create",
            task,
            fields=_filled({"title": title, "due_on": due_on, "assignee": assignee}),
        )
    return task


def task_complete(*, task: Task, actor, expected_version: int | None = None) -> Task:
    """Mark a follow-up done, once, by its assignee or by anyone who may change its case."""
    _require(permissions.can_complete_task(actor, task))
    with transaction.atomic():
        locked = Task.objects.select_for_update().get(pk=task.pk)
        if locked.is_done:
            raise ValidationError(_("This task was already completed."))
        changed = _update(
            task,
            {"completed_at": timezone.now(), "completed_by": actor},
            expected_version,
        )
        _audit(actor, "update", task, fields=changed)
    return task
