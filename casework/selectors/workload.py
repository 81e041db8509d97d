"""
The supervisor's workload view: per caseworker, open cases by risk, overdue follow-ups, missed
check-ins and last activity.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, Subquery

from accounts import roles
from audit.models import AuditEvent

from ..choices import AssignmentRole, CaseStatus, RiskLevel
from ..models import CaseAssignment, CaseFlag, Task

OPEN_STATUSES = (CaseStatus.OPEN, CaseStatus.ON_HOLD)


@dataclass
class Workload:
    user: object
    by_risk: dict
    open_cases: int
    overdue_followups: int
    missed_check_ins: int
    last_activity: datetime.datetime | None

    @property
    def risk_counts(self) -> list[int]:
        """The open cases by risk, gravest first (the order of the page's columns)."""
        return [self.by_risk[level] for level in RiskLevel.gravest_first()]

    @property
    def grave(self) -> int:
        return self.by_risk[RiskLevel.CRITICAL] + self.by_risk[RiskLevel.HIGH]


WORKLOAD_ORDERS = {
    "name": lambda row: row.user.get_username(),
    "open": lambda row: -row.open_cases,
    "grave": lambda row: -row.grave,
    "overdue": lambda row: -row.overdue_followups,
    "missed": lambda row: -row.missed_check_ins,
    "activity": lambda row: row.last_activity.timestamp() if row.last_activity else 0,
}


def workload(teams, *, today: datetime.date, order: str = "name") -> list[Workload]:
    """
    Per caseworker of `teams` (a supervisor's): their open cases of those teams by risk, their
    overdue follow-ups, the missed check-ins of their cases, and when they last did anything.
    Counted in SQL in four grouped queries, whatever the number of caseworkers or cases.
    """
    team_ids = list(teams.values_list("pk", flat=True))
    last = (
        AuditEvent.objects.filter(actor=OuterRef("pk"))
        .order_by("-occurred_at")
        .values("occurred_at")[:1]
    )
    users = list(
        roles.caseworkers_in(team_ids).annotate(last_activity=Subquery(last)).order_by("username")
    )
    ids = [user.pk for user in users]
    assignments = CaseAssignment.objects.filter(
        user__in=ids,
        role=AssignmentRole.CASEWORKER,
        case__team__in=team_ids,
        case__status__in=OPEN_STATUSES,
    )
    cases = {
        row["user"]: row
        for row in assignments.values("user").annotate(
            total=Count("pk"),
            **{level: Count("pk", filter=Q(case__risk_level=level)) for level in RiskLevel.values},
        )
    }
    overdue = dict(
        Task.objects.filter(
            assignee__in=ids,
            completed_at__isnull=True,
            due_on__lt=today,
            case__team__in=team_ids,
            case__status__in=OPEN_STATUSES,
        )
        .values("assignee")
        .annotate(n=Count("pk"))
        .values_list("assignee", "n")
    )
    missed = dict(
        assignments.filter(
            case__flags__kind=CaseFlag.Kind.MISSED_CHECK_IN, case__flags__active=True
        )
        .values("user")
        .annotate(n=Count("case", distinct=True))
        .values_list("user", "n")
    )
    rows = [
        Workload(
            user=user,
            by_risk={level: cases.get(user.pk, {}).get(level, 0) for level in RiskLevel.values},
            open_cases=cases.get(user.pk, {}).get("total", 0),
            overdue_followups=overdue.get(user.pk, 0),
            missed_check_ins=missed.get(user.pk, 0),
            last_activity=user.last_activity,
        )
        for user in users
    ]
    return sorted(rows, key=WORKLOAD_ORDERS.get(order, WORKLOAD_ORDERS["name"]))
