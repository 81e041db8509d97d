"""The case's running records: notes, incidents and follow-up tasks."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Notification
from accounts.notifications import notifications_settle

from .. import dates, permissions
from ..choices import (
    DETENTION_INCIDENTS,
    Country,
    LegalStatus,
    NoteKind,
    Region,
    RiskLevel,
)
from ..models import (
    Case,
    CaseFlag,
    CaseNote,
    Incident,
    LegalStatusRecord,
    Person,
    Task,
)
from ..models.cases import GENERATED_TITLES, generated_title
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
from .cases import case_flag_set, case_update
from .statuses import legal_status_change


def case_note_add(
    *,
    case: Case,
    body: str,
    actor,
    kind: str = NoteKind.OTHER,
    contacted_on: datetime.date | None = None,
) -> CaseNote:
    """
    A note of a contact (`kind`: a visit, a call...) on `contacted_on`, today if not given. The
    page and the API make the writer choose both; the defaults serve the app's own notes.
    """
    _require(permissions.can_edit_case(actor, case))
    contacted_on = contacted_on or dates.today()
    dates.check_contact(contacted_on, case=case)
    with transaction.atomic():
        note = _save(
            CaseNote(case=case, author=actor, kind=kind, contacted_on=contacted_on, body=body)
        )
        _audit(actor, "create", note, case=case, fields=["body", "contacted_on", "kind"])
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


# Where a detention cannot be "in China": the status it would set says so.
OUTSIDE_CHINA = frozenset({Region.DPRK, Region.ROK, Region.THIRD_COUNTRY})


@dataclass(frozen=True)
class Detention:
    """What recording an arrest or detention did, for the page to say so."""

    incident: Incident
    detained: list[Person]  # whose status became "detained in China" (not those already so)
    flag: CaseFlag | None  # the flag raised now; None when not asked or already raised
    risk_raised: bool


def detention_record(
    *,
    case: Case,
    kind: str,
    occurred_on,
    region: str,
    description: str = "",
    people: Iterable[Person] = (),
    actor,
    set_detained: bool,
    raise_flag: bool,
    raise_risk: bool,
    status_source: str = "",
) -> Detention:
    """
    An arrest or detention, and in the same transaction what it changes: the people involved
    become "detained in China" from that day, the case's "a member is detained" flag is raised
    and its risk becomes High (never lowered from Critical). Each part goes through its own
    service, which checks its permission and records its audit event; if one is refused, nothing
    is saved, the incident included. Undoing a part is done on its usual page.
    """
    _require(permissions.can_edit_case(actor, case))
    people = list(people)
    if kind not in DETENTION_INCIDENTS:
        raise ValidationError({"kind": _("Choose an arrest or a detention.")})
    if set_detained:
        if not people:
            raise ValidationError(
                {"people": _("Choose the people who were detained, or do not change a status.")}
            )
        if region in OUTSIDE_CHINA:
            raise ValidationError(
                {"set_detained": _("“Detained in China” does not fit a detention outside China.")}
            )
        if not status_source:
            raise ValidationError({"status_source": _("Say how you know of the detention.")})
    _refuse_non_members(case, people, "people")
    # Refused on the incident's own field before a status is tried with the same day.
    dates.check_event(occurred_on, field="occurred_on", people=people)
    with transaction.atomic():
        detained = []
        if set_detained:
            held = set(
                LegalStatusRecord.objects.filter(
                    person__in=people, effective_to__isnull=True, status=LegalStatus.DETAINED_CN
                ).values_list("person", flat=True)
            )
            for person in people:
                if person.pk in held:
                    continue
                try:
                    legal_status_change(
                        person=person,
                        status=LegalStatus.DETAINED_CN,
                        effective_from=occurred_on,
                        country=Country.CHINA,
                        source=status_source,
                        actor=actor,
                        case=case,
                    )
                except ValidationError as error:
                    raise ValidationError(
                        {
                            "set_detained": [
                                f"{person.reference}: {message}" for message in error.messages
                            ]
                        }
                    ) from error
                detained.append(person)
        flag = None
        if (
            raise_flag
            and not case.flags.filter(kind=CaseFlag.Kind.DETAINED_MEMBER, active=True).exists()
        ):
            flag = case_flag_set(case=case, kind=CaseFlag.Kind.DETAINED_MEMBER, actor=actor)
        risk_raised = raise_risk and case.risk_level in (RiskLevel.LOW, RiskLevel.MEDIUM)
        if risk_raised:
            case_update(case=case, risk_level=RiskLevel.HIGH, actor=actor)
        # Written last, so that on the timeline (newest first) the arrest heads the status it
        # caused, both of the same day.
        incident = incident_record(
            case=case,
            kind=kind,
            occurred_on=occurred_on,
            region=region,
            description=description,
            people=people,
            actor=actor,
        )
    return Detention(incident=incident, detained=detained, flag=flag, risk_raised=risk_raised)


def incident_update(
    *,
    incident: Incident,
    actor,
    expected_version: int | None = None,
    people: Iterable[Person] | None = None,
    reason: str = "",
    **fields,
) -> Incident:
    """
    Correct an incident; `people` (when given) replaces the case members it involved. `reason`,
    when given, is kept with the earlier values in the incident's history.
    """
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
            incident,
            {**fields, **({} if people is None else {"people": people})},
            actor=actor,
            reason=reason,
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


def task_create(
    *,
    case: Case,
    actor,
    title: str = "",
    title_key: str = "",
    title_params: dict | None = None,
    due_on=None,
    assignee=None,
    repeat_every=None,
    repeat_unit=Task.RepeatUnit.DAYS,
    repeat_until=None,
    repeat_while=Task.RepeatWhile.ALWAYS,
    goal=None,
) -> Task:
    """
    A follow-up for a case; whoever is to do it must be able to see the case. Given to nobody, it
    is the creator's: a follow-up that is no one's is one nobody does (pages, API and import alike).
    It may repeat every `repeat_every` days or weeks, until a date or while a condition holds:
    completing it then schedules the next (`task_complete`).
    With `goal` (of the same case), it is a step of the case plan. A title the app writes is
    given as `title_key` (of GENERATED_TITLES) and `title_params` instead of `title`: stored in
    English, shown in each reader's language.
    """
    _require(permissions.can_edit_case(actor, case))
    title_params = title_params or {}
    if title_key:
        if title_key not in GENERATED_TITLES:
            raise ValueError(f"Unknown generated title {title_key!r}")
        with translation.override("en"):
            title = generated_title(title_key, title_params)
    if goal is not None and goal.case_id != case.pk:
        raise ValidationError({"goal": _("The goal is of another case.")})
    assignee = assignee or actor
    if assignee is not None and not Case.objects.visible_to(assignee).filter(pk=case.pk).exists():
        raise ValidationError(
            {
                "assignee": _("%(user)s cannot see case %(case)s.")
                % {"user": assignee.get_username(), "case": case.reference}
            }
        )
    repeat = {
        "repeat_every": repeat_every,
        "repeat_unit": repeat_unit or Task.RepeatUnit.DAYS,
        "repeat_until": repeat_until,
        "repeat_while": repeat_while or Task.RepeatWhile.ALWAYS,
    }
    with transaction.atomic():
        task = _save(
            Task(
                case=case,
                title=title,
                title_key=title_key,
                title_params=title_params,
                due_on=due_on,
                assignee=assignee,
                created_by=actor,
                **repeat,
                goal=goal,
            )
        )
        _audit(
            actor,
            "create",
            task,
            fields=_filled(
                {"title": title, "due_on": due_on, "assignee": assignee, "goal": goal, **repeat}
            ),
        )
    return task


def task_complete(*, task: Task, actor, expected_version: int | None = None) -> Task:
    """
    Mark a follow-up done, once, by its assignee or by anyone who may change its case. A
    repeating one schedules the next in the same transaction (`_next_follow_up`).
    """
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
        # Its reminders, to whoever had them, ask nothing more.
        notifications_settle(
            target=task,
            kinds=[Notification.Kind.FOLLOW_UP_DUE, Notification.Kind.FOLLOW_UP_OVERDUE],
        )
        _next_follow_up(task, actor)
    return task


def _next_follow_up(done: Task, actor) -> Task | None:
    """
    The next of a repeating follow-up: its due day steps on from the one just done until it is
    after today (a late completion does not leave a backlog of past ones), unless that passes
    the end date or the condition no longer holds. It keeps the title, assignee and rule.
    """
    if not (done.repeat_every and done.due_on):
        return None
    today = dates.today(team=done.case.team)
    days = done.repeat_every * (7 if done.repeat_unit == Task.RepeatUnit.WEEKS else 1)
    step = datetime.timedelta(days=days)
    due_on = done.due_on + step
    while due_on <= today:
        due_on += step
    if done.repeat_until and due_on > done.repeat_until:
        return None
    if done.repeat_while == Task.RepeatWhile.DETAINED and not _someone_detained(done.case):
        return None
    assignee = done.assignee
    if (
        assignee is not None
        and not Case.objects.visible_to(assignee).filter(pk=done.case_id).exists()
    ):
        # Whoever did it no longer works the case: the next one is whoever completed this one's.
        assignee = actor
    repeat = {
        "repeat_every": done.repeat_every,
        "repeat_unit": done.repeat_unit,
        "repeat_until": done.repeat_until,
        "repeat_while": done.repeat_while,
    }
    following = _save(
        Task(
            case=done.case,
            title=done.title,
            title_key=done.title_key,
            title_params=done.title_params,
            due_on=due_on,
            assignee=assignee,
            created_by=actor,
            follows=done,
            # The next one is a step of the same goal of the plan, if the one done was.
            goal_id=done.goal_id,
            **repeat,
        )
    )
    _audit(
        actor,
        "create",
        following,
        fields=_filled({"title": done.title, "due_on": due_on, "assignee": assignee, **repeat}),
        follows=str(done.pk),
    )
    return following


def _someone_detained(case: Case) -> bool:
    return LegalStatusRecord.objects.filter(
        person__memberships__case=case,
        status=LegalStatus.DETAINED_CN,
        effective_to__isnull=True,
    ).exists()
