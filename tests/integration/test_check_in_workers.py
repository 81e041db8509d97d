"""
The check-in sweep as beat runs it in production (issue 20 point 7): the task, sent through
Redis to two real Celery worker processes at once, each sweeping the same missed check-ins. A
family hiding in Liaoning, kept by team North in Shanghai's time, missed three check-ins: each is
escalated once, whichever worker takes it, and the audit chain stays whole.
"""

import datetime

import pytest

from accounts.models import Notification
from audit.chain import verify_chain
from casework import services
from casework.models import CaseFlag, CheckInSchedule, Escalation
from casework.tasks import escalate_check_ins

from ..factories import AssignmentFactory, CaseFactory, CaseMemberFactory
from .conftest import SHARES_THE_WORKERS

pytestmark = [pytest.mark.worker, pytest.mark.postgres, SHARES_THE_WORKERS]


def test_two_workers_escalate_each_miss_once(two_celery_workers, team_north, alice, sue):
    team_north.time_zone = "Asia/Shanghai"
    team_north.save()
    case = CaseFactory(team=team_north, owner=alice)
    AssignmentFactory(case=case, user=alice)
    ten_days_ago = services.checkins.dates.today(team=team_north) - datetime.timedelta(days=10)
    for _member in range(3):  # the mother and her two children, each with their own rhythm
        services.check_in_schedule_set(
            person=CaseMemberFactory(case=case).person,
            case=case,
            actor=alice,
            every_days=2,
            starts_on=ten_days_ago,
            channel=CheckInSchedule.Channel.MESSENGER,
            grace_days=1,
        )

    sent = [escalate_check_ins.apply_async(queue=queue) for _worker, queue in two_celery_workers]
    reports = [result.get(timeout=60) for result in sent]

    # Between them the two workers took each miss once, at each level.
    assert sum(r["missed"] for r in reports) == 3, reports
    assert sum(r["overdue"] for r in reports) == 3, reports
    assert Escalation.objects.count() == 6
    assert (
        Notification.objects.filter(recipient=alice, kind=Notification.Kind.CHECK_IN_MISSED).count()
        == 3
    )
    assert (
        Notification.objects.filter(recipient=sue, kind=Notification.Kind.CHECK_IN_OVERDUE).count()
        == 3
    )
    assert CaseFlag.objects.filter(case=case, active=True).count() == 1
    assert verify_chain().intact
    for worker, _queue in two_celery_workers:
        assert worker.poll() is None
