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

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import roles
from accounts.models import Notification
from accounts.notifications import notify

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
from ..selectors import check_in_state, check_ins_missed
from ._common import _audit, _require, _save, _update
from .cases import _raise_flag

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
        _audit(actor, "create", check_in, case=case, outcome=outcome)
        if check_in.heard_from:
            _lower_missed_flag(case=case, actor=actor)
        if check_in.is_distress:
            _escalate_distress(check_in)
    return check_in


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


def check_ins_escalate(*, now: datetime.datetime | None = None) -> SweepReport:
    """
    Escalate every missed check-in, each day counted in its case's team's time zone: once the
    day a check-in was due has ended, the caseworkers are alerted and the case flagged; once the
    grace period has also passed, the supervisors. Safe to run as often as wanted, and by two
    workers at once: nothing escalates twice for the same miss.
    """
    now = now or timezone.now()
    report = SweepReport()
    days: dict = {}
    done = set(
        Escalation.objects.filter(check_in__isnull=True, schedule__active=True).values_list(
            "schedule_id", "due_on", "level"
        )
    )
    for schedule in check_ins_missed().iterator(chunk_size=1000):
        report.schedules += 1
        team = schedule.case.team
        if team.pk not in days:
            days[team.pk] = dates.today(team=team, now=now)
        due, missed, overdue = check_in_state(schedule, today=days[team.pk])
        if missed and (schedule.pk, due, Escalation.Level.MISSED) not in done:
            report.missed += _escalate_miss(schedule, due, Escalation.Level.MISSED)
        if overdue and (schedule.pk, due, Escalation.Level.OVERDUE) not in done:
            report.overdue += _escalate_miss(schedule, due, Escalation.Level.OVERDUE)
    return report


def _escalate_miss(schedule: CheckInSchedule, due: datetime.date, level: str) -> int:
    """One step for one miss, all or nothing: 1 if this worker took it, 0 if another had."""
    case = schedule.case
    with transaction.atomic():
        try:
            with transaction.atomic():
                escalation = Escalation.objects.create(
                    schedule=schedule, case=case, level=level, due_on=due
                )
        except IntegrityError:
            return 0
        if level == Escalation.Level.MISSED:
            # No caseworker left on the case: the miss goes to the supervisors straight away.
            recipients = _caseworkers(case) or _supervisors(case)
            kind = Notification.Kind.CHECK_IN_MISSED
            _raise_flag(case=case, kind=CaseFlag.Kind.MISSED_CHECK_IN, actor=None)
        else:
            recipients = _supervisors(case)
            kind = Notification.Kind.CHECK_IN_OVERDUE
        alerted = _notify(escalation, kind, recipients)
        _audit(
            None,
            "create",
            escalation,
            case=case,
            level=level,
            due_on=due.isoformat(),
            alerted=alerted,
        )
    return 1
