"""
Safety check-ins: the schedule a caseworker keeps for a person, what each check-in found, and
the escalations when a check-in is missed or a person is in distress.

The sweep (`check_ins_escalate`, run by beat through casework.tasks) acts for no one: its audit
events have no actor, and it raises the case flag and the risk level through the same helpers as
the services, without a permission to ask. Each step is one `Escalation` row, unique per
(schedule, due day, level): two workers finding the same miss insert one row, and the loser's
alerts roll back with its failed insert.
"""

import datetime
import hmac
import unicodedata
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts import roles
from accounts.models import Notification, Team
from accounts.notifications import notifications_settle, notify, notify_many
from audit.services import Entry, record_many

from .. import dates, permissions
from ..choices import AssignmentRole, RiskLevel
from ..models import (
    Case,
    CaseAssignment,
    CaseFlag,
    CheckIn,
    CheckInSchedule,
    Escalation,
    Person,
)
from ..models.checkins import next_check_in_due
from ..selectors.checkins import check_ins_missed, miss_state
from ._common import _audit, _require, _save, _update
from .cases import _raise_flags
from .records import task_create

SCHEDULE_FIELDS = frozenset(
    {"every_days", "on_dates", "starts_on", "channel", "grace_days", "duress_word", "active"}
)


def check_in_schedule_set(
    *,
    person: Person,
    case: Case,
    actor,
    expected_version: int | None = None,
    **fields,
) -> CheckInSchedule:
    """
    Set (or change) how often `person` must be heard from, kept through `case`. A new schedule
    starts today and, when no rhythm is given, every as many days as the case's risk suggests.
    A blank duress word leaves the one on file; the audit names the field, never the word.
    """
    _require(permissions.can_keep_check_ins(actor, person, case))
    unknown = set(fields) - SCHEDULE_FIELDS
    if unknown:
        raise TypeError(f"Unknown schedule fields: {', '.join(sorted(unknown))}")
    if not fields.get("duress_word"):
        fields.pop("duress_word", None)
    if "on_dates" in fields:
        fields["on_dates"] = sorted(set(fields["on_dates"] or []))
    with transaction.atomic():
        schedule = CheckInSchedule.objects.select_for_update().filter(person=person).first()
        if schedule is None:
            fields.setdefault("starts_on", dates.today(team=case.team))
            if not fields.get("on_dates"):
                fields.setdefault(
                    "every_days", CheckInSchedule.suggested_every_days(case.risk_level)
                )
            schedule = _save(CheckInSchedule(person=person, case=case, created_by=actor, **fields))
            _audit(actor, "create", schedule, case=case, fields=sorted(fields))
            return schedule
        if schedule.case_id != case.pk:
            fields["case"] = case
        changed = _update(schedule, fields, expected_version)
        if changed:
            _audit(actor, "update", schedule, case=case, fields=changed)
    return schedule


def _folded(word: str) -> bytes:
    return unicodedata.normalize("NFKC", word).strip().casefold().encode()


def duress_word_matches(schedule: CheckInSchedule, word_used: str) -> bool:
    """Whether the word the person used is their duress word, compared in constant time."""
    if not word_used or not schedule.duress_word:
        return False
    return hmac.compare_digest(_folded(word_used), _folded(schedule.duress_word))


def check_in_record(
    *,
    schedule: CheckInSchedule,
    outcome: str,
    actor,
    note: str = "",
    duress_used: bool = False,
    word_used: str = "",
) -> CheckIn:
    """
    Record what a check-in found. Distress escalates at once to the caseworkers and supervisors
    and raises the case to critical risk. When the person used their duress word (ticked, or the
    word they used typed and matching), it escalates as distress to the supervisors alone, and
    changes nothing the caseworker's pages show: the record keeps the outcome tapped and the
    risk level stays for the alerted supervisors to raise.
    """
    case = schedule.case
    _require(permissions.can_record_check_in(actor, case))
    duress = bool(duress_used) or duress_word_matches(schedule, word_used)
    with transaction.atomic():
        CheckInSchedule.objects.select_for_update().filter(pk=schedule.pk).values("pk").get()
        # The case too, before the audit chain's lock: the sweep flags cases and then audits,
        # and a distress call raises the case's risk after auditing; taken in one order, neither
        # waits for the other in a deadlock.
        Case.objects.select_for_update().filter(pk=case.pk).values("pk").get()
        check_in = _save(
            CheckIn(
                schedule=schedule,
                case=case,
                outcome=outcome,
                duress=duress,
                note=note,
                day=dates.today(team=case.team),
                recorded_by=actor,
            )
        )
        # Under duress too: the caseworker's pages must read as for the outcome she tapped.
        asked = (
            _ask_for_help(check_in, actor) if check_in.outcome == CheckIn.Outcome.NEEDS_HELP else {}
        )
        # "found", not "outcome": the audit refuses a key named like an encrypted field (a
        # referral's outcome), and kept no detail of a check-in at all.
        _audit(actor, "create", check_in, case=case, found=outcome, **asked)
        if check_in.heard_from:
            _lower_missed_flag(case=case, actor=actor)
            # As the flag: the alerts of a miss ask no one to look for the person any more.
            notifications_settle(
                target=case,
                kinds=[Notification.Kind.CHECK_IN_MISSED, Notification.Kind.CHECK_IN_OVERDUE],
            )
        if check_in.is_distress:
            _escalate_distress(check_in)
    return check_in


def _ask_for_help(check_in: CheckIn, actor) -> dict:
    """
    Safe but in need (medicine, food, a move): as a miss does, it reaches the case's people at
    once, here the team's supervisors and the other caseworkers of the case, and the recorder is
    given a follow-up due today, so the need is met or handed on rather than left in a note.
    Returns what the check-in's audit event adds: the follow-up and how many were told.
    """
    case = check_in.case
    task = task_create(
        case=case,
        actor=actor,
        title_key="check_in_help",
        title_params={"person": check_in.schedule.person.reference},
        due_on=check_in.day,
    )
    others = [user for user in _caseworkers(case) + _supervisors(case) if user.pk != actor.pk]
    alerted = notify(recipients=others, kind=Notification.Kind.CHECK_IN_NEEDS_HELP, target=case)
    return {"follow_up": str(task.pk), "alerted": len(alerted)}


def _lower_missed_flag(*, case: Case, actor) -> None:
    flag = (
        CaseFlag.objects.select_for_update()
        .filter(case=case, kind=CaseFlag.Kind.MISSED_CHECK_IN, active=True)
        .first()
    )
    if flag is not None:
        flag.active, flag.cleared_by, flag.cleared_at = False, actor, timezone.now()
        _save(flag)
        _audit(actor, "update", flag, case=case, kind=flag.kind, fields=["active"])


def _caseworkers(case: Case) -> list:
    """The active caseworkers assigned to `case` who still work in its team."""
    assigned = CaseAssignment.objects.filter(
        case=case, role=AssignmentRole.CASEWORKER, user__is_active=True
    ).select_related("user")
    return [a.user for a in assigned if roles.works_in(a.user, case.team)]


def _supervisors(case: Case) -> list:
    return list(roles.supervisors_of(case.team).filter(is_active=True))


def _notify(escalation: Escalation, kind: str, recipients) -> int:
    """Tell `recipients` about the escalation's case: the case is the target they open."""
    return len(notify(recipients=recipients, kind=kind, target=escalation.case))


def _escalate_distress(check_in: CheckIn) -> Escalation:
    case = check_in.case
    escalation = Escalation.objects.create(
        schedule=check_in.schedule,
        case=case,
        level=Escalation.Level.DISTRESS,
        due_on=check_in.day,
        check_in=check_in,
    )
    # Duress: the caseworker's list stays as for a safe check-in; the supervisors are told.
    recipients = _supervisors(case) if check_in.duress else _caseworkers(case) + _supervisors(case)
    alerted = _notify(escalation, Notification.Kind.DISTRESS, recipients)
    _audit(None, "create", escalation, case=case, level=escalation.level, alerted=alerted)
    if not check_in.duress:
        # Under duress the case page must read as before on the caseworker's phone: the
        # supervisors, alerted, raise the risk themselves.
        changed = _update(case, {"risk_level": RiskLevel.CRITICAL}, None)
        if changed:
            _audit(None, "update", case, fields=changed, because="check_in_distress")
    return escalation


# The sweep


@dataclass
class SweepReport:
    schedules: int = 0
    missed: int = 0
    overdue: int = 0


@dataclass(frozen=True)
class _Step:
    """One escalation the sweep found due: a miss of one schedule, at one level."""

    schedule_id: object
    case_id: object
    team_id: object
    due_on: datetime.date
    level: str


# Steps written per transaction: each ends holding the audit chain's lock, which every audited
# write of the app waits for, so a large backlog is taken in short turns.
SWEEP_CHUNK = 1000


def check_ins_escalate(*, now: datetime.datetime | None = None) -> SweepReport:
    """
    Escalate every missed check-in, each day counted in its case's team's time zone: once the
    day a check-in was due has ended, the caseworkers are alerted and the case flagged; once the
    grace period has also passed, the supervisors. Safe to run as often as wanted, and by two
    workers at once: nothing escalates twice for the same miss.

    Set-based: one query reads the schedules, one the steps already taken; each chunk of new
    steps is then a handful of queries whatever its size (escalations, flags, notifications and
    audit events written in bulk).
    """
    now = now or timezone.now()
    report = SweepReport()
    found = _steps_due(now, report)
    taken = _taken(found)
    steps = [s for s in found if (s.schedule_id, s.due_on, s.level) not in taken]
    for start in range(0, len(steps), SWEEP_CHUNK):
        missed, overdue = _escalate_misses(steps[start : start + SWEEP_CHUNK])
        report.missed += missed
        report.overdue += overdue
    return report


def _taken(steps: list[_Step]) -> set:
    """(schedule, due day, level) of the steps among `steps` escalated already, in one query."""
    if not steps:
        return set()
    return set(
        Escalation.objects.filter(
            check_in__isnull=True,
            schedule_id__in={step.schedule_id for step in steps},
            due_on__gte=min(step.due_on for step in steps),
        ).values_list("schedule_id", "due_on", "level")
    )


def _steps_due(now: datetime.datetime, report: SweepReport) -> list[_Step]:
    """Every step due at `now`, sorted (two workers then insert in one order)."""
    days = {team.pk: dates.today(team=team, now=now) for team in Team.objects.all()}
    rows = check_ins_missed().values_list(
        "pk",
        "case_id",
        "case__team_id",
        "every_days",
        "on_dates",
        "starts_on",
        "grace_days",
        "last_heard_on",
    )
    steps = []
    for pk, case_id, team_id, every_days, on_dates, starts_on, grace, last_heard in rows.iterator(
        chunk_size=5000
    ):
        report.schedules += 1
        due = next_check_in_due(
            every_days=every_days, on_dates=on_dates, starts_on=starts_on, last_heard_on=last_heard
        )
        due, missed, overdue = miss_state(due, grace_days=grace, today=days[team_id])
        levels = [Escalation.Level.MISSED] * missed + [Escalation.Level.OVERDUE] * overdue
        steps.extend(_Step(pk, case_id, team_id, due, level) for level in levels)
    return sorted(steps, key=lambda s: (str(s.schedule_id), s.due_on, s.level))


def _escalate_misses(steps: list[_Step]) -> tuple[int, int]:
    """
    Take `steps` in one transaction: each escalation row is inserted unless another worker has
    it (the unique constraint), and only the rows this worker inserted are acted on. Returns how
    many misses and overdue misses this worker took.
    """
    with transaction.atomic():
        # Locks in the order the services take them: rows first (the schedules the escalations
        # name, then the cases flagged), the audit chain's last (record_many). A second worker's
        # insert waits for this one's rows and then skips them: only the rows it inserted are its.
        rows = [
            Escalation(schedule_id=s.schedule_id, case_id=s.case_id, level=s.level, due_on=s.due_on)
            for s in steps
        ]
        Escalation.objects.bulk_create(rows, ignore_conflicts=True)
        ours = set(
            Escalation.objects.filter(pk__in=[r.pk for r in rows]).values_list("pk", flat=True)
        )
        taken = [(s, r) for s, r in zip(steps, rows, strict=True) if r.pk in ours]
        if not taken:
            return 0, 0
        case_ids = {s.case_id for s, _r in taken}
        team_ids = {s.team_id for s, _r in taken}
        cases = Case.objects.only("id", "team_id").in_bulk(case_ids)
        caseworkers = _caseworkers_of_cases(case_ids)
        supervisors = roles.supervisors_by_team(team_ids)
        flagged = {s.case_id for s, _r in taken if s.level == Escalation.Level.MISSED}
        _raise_flags(case_ids=flagged, kind=CaseFlag.Kind.MISSED_CHECK_IN, actor=None)
        alerts, entries, counts = [], [], {Escalation.Level.MISSED: 0, Escalation.Level.OVERDUE: 0}
        for step, escalation in taken:
            case = cases[step.case_id]
            if step.level == Escalation.Level.MISSED:
                # No caseworker left on the case: the miss goes to the supervisors straight away.
                recipients = caseworkers.get(step.case_id) or supervisors[step.team_id]
                kind = Notification.Kind.CHECK_IN_MISSED
            else:
                recipients = supervisors[step.team_id]
                kind = Notification.Kind.CHECK_IN_OVERDUE
            alerts.append((recipients, kind, case))
            alerted = len({u.pk for u in recipients if u.is_active})
            entries.append(
                Entry(
                    "create",
                    escalation,
                    case=step.case_id,
                    detail={
                        "level": step.level,
                        "due_on": step.due_on.isoformat(),
                        "alerted": alerted,
                    },
                )
            )
            counts[step.level] += 1
        notify_many(alerts)
        record_many(None, entries)
    return counts[Escalation.Level.MISSED], counts[Escalation.Level.OVERDUE]


def _caseworkers_of_cases(case_ids) -> dict:
    """`_caseworkers` of many cases in two queries: case id → active caseworkers in its team."""
    assigned = list(
        CaseAssignment.objects.filter(
            case_id__in=case_ids, role=AssignmentRole.CASEWORKER, user__is_active=True
        )
        .select_related("user")
        .annotate(case_team_id=F("case__team_id"))
    )
    working = roles.working_in({a.case_team_id for a in assigned})
    found: dict = {}
    for assignment in assigned:
        if (assignment.user_id, assignment.case_team_id) in working:
            found.setdefault(assignment.case_id, []).append(assignment.user)
    return found
