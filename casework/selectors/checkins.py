"""
Safety check-ins: the schedules missed or due, a case's schedules, and the distress calls.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Max, OuterRef, Q, QuerySet, Subquery

from accounts import roles
from accounts.kept_sql import of_user, rows_of_shape

from .. import dates
from ..choices import CaseStatus
from ..models import Case, CheckIn, CheckInSchedule, Escalation
from .dashboard import on_my_case


def check_ins_missed(schedules=None):
    """
    Active schedules of open cases with the local day each person was last heard from ("no
    contact" does not count: they are still unheard of).
    """
    schedules = CheckInSchedule.objects.all() if schedules is None else schedules
    last_heard = (
        CheckIn.objects.filter(schedule=OuterRef("pk"))
        .exclude(outcome=CheckIn.Outcome.NO_CONTACT)
        .values("schedule")
        .annotate(day=Max("day"))
        .values("day")
    )
    return (
        schedules.filter(active=True)
        .exclude(case__status=CaseStatus.CLOSED)
        .annotate(last_heard_on=Subquery(last_heard))
        .select_related("case__team")
    )


def check_in_state(schedule: CheckInSchedule, *, today: datetime.date):
    """(due day, missed?, past the grace period?) of a schedule annotated by `check_ins_missed`."""
    return miss_state(
        schedule.due_after(schedule.last_heard_on), grace_days=schedule.grace_days, today=today
    )


def miss_state(due: datetime.date | None, *, grace_days: int, today: datetime.date):
    """(due day, missed?, past the grace period?) of a check-in due on `due`, on `today`."""
    if due is None:
        return None, False, False
    return due, today > due, today > due + datetime.timedelta(days=grace_days)


@dataclass
class CheckInDue:
    schedule: object
    due_on: datetime.date
    missed: bool
    past_grace: bool


def _check_in_rows(schedules, *, now=None) -> list[CheckInDue]:
    return _check_in_states(check_ins_missed(schedules.select_related("person")), now=now)


def _check_in_states(schedules, *, now=None) -> list[CheckInDue]:
    """The due day and state of each schedule read by `check_ins_missed`, missed ones first."""
    rows = []
    for schedule in schedules:
        today = dates.today(team=schedule.case.team, now=now)
        due_on, missed, past_grace = check_in_state(schedule, today=today)
        if due_on is not None:
            rows.append(CheckInDue(schedule, due_on, missed, past_grace))
    return sorted(rows, key=lambda d: (not d.past_grace, not d.missed, d.due_on))


def check_ins_due(user, *, now: datetime.datetime | None = None) -> list[CheckInDue]:
    """
    The check-ins of the user's cases due by today in each case's team's zone, missed ones
    first: a miss stays here until someone records what happened.
    """
    # The cases the user works are among those they see: probed per schedule, as the other
    # lists of the dashboard are, rather than both sets of cases gathered first.
    # Its SQL kept per user (kept_sql): building and compiling it cost ~5,000 Python calls a visit.
    schedules = rows_of_shape(
        of_user("check-ins due", user),
        lambda: check_ins_missed(
            CheckInSchedule.objects.filter(on_my_case(user)).select_related("person")
        ),
    )
    return [
        row
        for row in _check_in_states(schedules, now=now)
        if row.due_on <= dates.today(team=row.schedule.case.team, now=now)
    ]


def case_check_ins(case: Case) -> list[CheckInDue]:
    """The active check-in schedules kept through `case`, with when each is next due."""
    return _check_in_rows(CheckInSchedule.objects.filter(case=case))


def distress_calls(user, *, since: datetime.date) -> QuerySet[Escalation]:
    """
    Distress escalations since `since` on the cases the user works, newest first. A duress call
    is shown to the supervisors of the case's team only: the caseworker's screen must read as
    after a safe check-in.
    """
    calls = Escalation.objects.filter(
        level=Escalation.Level.DISTRESS, created_at__date__gte=since
    ).filter(on_my_case(user))
    supervised = roles.supervised_teams(user)
    calls = calls.filter(Q(check_in__duress=False) | Q(case__team__in=supervised))
    return (
        calls.select_related("case", "check_in")
        .only("created_at", "case", "check_in", "case__reference", "check_in__duress")
        .order_by("-created_at")
    )
