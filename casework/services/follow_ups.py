"""
The follow-up reminders of beat: on the day a follow-up is due, and once it is past, whoever is
to do it is notified, each day counted in the case's team's time zone. The sweep acts for no one
(audit events without actor), like the check-in sweep. A reminder is kept on the follow-up per due
day (`reminded_due_on`, `reminded_overdue_on`), taken by a conditional update, so two workers
remind once and a re-dated follow-up reminds again on its new day.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts import roles
from accounts.models import Notification
from accounts.notifications import notify

from .. import dates
from ..choices import AssignmentRole, CaseStatus
from ..models import Case, CaseAssignment, Task
from ._common import _audit

# No zone is more than 14 hours ahead of UTC: no follow-up due after this can be due anywhere yet.
_AHEAD = datetime.timedelta(hours=14)


@dataclass
class ReminderReport:
    due: int = 0
    overdue: int = 0


def follow_ups_remind(*, now: datetime.datetime | None = None) -> ReminderReport:
    """Remind of every open follow-up due today or past, once per due day and kind."""
    now = now or timezone.now()
    report = ReminderReport()
    latest = (now + _AHEAD).date()
    # Once reminded as overdue for its due day, a follow-up has nothing left to be reminded of.
    unreminded = Q(reminded_overdue_on__isnull=True) | ~Q(reminded_overdue_on=F("due_on"))
    open_ones = (
        Task.objects.filter(completed_at__isnull=True, due_on__lte=latest)
        .exclude(case__status=CaseStatus.CLOSED)
        .filter(unreminded)
        .select_related("case__team", "assignee")
    )
    days: dict = {}
    for task in open_ones.iterator(chunk_size=1000):
        team = task.case.team
        if team.pk not in days:
            days[team.pk] = dates.today(team=team, now=now)
        today = days[team.pk]
        if task.due_on == today and task.reminded_due_on != task.due_on:
            report.due += _remind(task, "reminded_due_on", Notification.Kind.FOLLOW_UP_DUE)
        elif task.due_on < today and task.reminded_overdue_on != task.due_on:
            report.overdue += _remind(
                task, "reminded_overdue_on", Notification.Kind.FOLLOW_UP_OVERDUE
            )
    return report


def _remind(task: Task, field: str, kind: str) -> int:
    """One reminder, all or nothing: 1 if this worker took it, 0 if another had."""
    with transaction.atomic():
        taken = (
            Task.objects.filter(pk=task.pk, due_on=task.due_on)
            .exclude(**{field: task.due_on})
            .update(**{field: task.due_on})
        )
        if not taken:
            return 0
        alerted = notify(recipients=_to_remind(task), kind=kind, target=task)
        _audit(
            None,
            "update",
            task,
            case=task.case,
            fields=[field],
            due_on=task.due_on.isoformat(),
            alerted=len(alerted),
        )
    return 1


def _to_remind(task: Task) -> list:
    """Its assignee while they see the case; else the case's caseworkers of its team."""
    assignee = task.assignee
    if assignee is not None and Case.objects.visible_to(assignee).filter(pk=task.case_id).exists():
        return [assignee]
    assigned = CaseAssignment.objects.filter(
        case=task.case, role=AssignmentRole.CASEWORKER, user__is_active=True
    ).select_related("user")
    return [a.user for a in assigned if roles.works_in(a.user, task.case.team)]
