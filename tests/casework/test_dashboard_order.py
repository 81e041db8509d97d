"""
The dashboard leads with what needs action now (issue 20 point 6): distress and missed check-ins,
then approvals waiting, then follow-ups due; the supervisor's covers the team's cases. A duress
call is on the supervisor's dashboard and nowhere on the caseworker's.
"""

import datetime

from django.test import Client
from django.urls import reverse

from casework import dates, services
from casework.models import CheckInSchedule

from ..conftest import sign_in


def _dashboard(user) -> str:
    return sign_in(Client(), user).get(reverse("casework:dashboard")).content.decode()


def _schedule(case, actor):
    return services.check_in_schedule_set(
        person=case.people.get(),
        case=case,
        actor=actor,
        every_days=2,
        starts_on=dates.today(team=case.team) - datetime.timedelta(days=10),
        channel=CheckInSchedule.Channel.CALL,
        grace_days=1,
        duress_word="plum blossom",
    )


def test_distress_then_check_ins_then_follow_ups(north_case, alice, sue):
    schedule = _schedule(north_case, alice)
    services.task_create(
        case=north_case, title="Bring the papers", actor=alice, due_on=dates.today()
    )
    services.check_in_record(schedule=schedule, outcome="distress", actor=alice)
    for user in (alice, sue):
        page = _dashboard(user)
        headings = [page.index(f'id="{h}-heading"') for h in ("distress", "followups", "cases")]
        assert headings == sorted(headings), user
        assert north_case.reference in page[headings[0] : headings[1]]


def test_a_duress_call_shows_on_the_supervisors_dashboard_only(north_case, alice, sue):
    schedule = _schedule(north_case, alice)
    services.check_in_record(
        schedule=schedule, outcome="safe", word_used="plum blossom", actor=alice
    )
    assert 'id="distress-heading"' not in _dashboard(alice)
    page = _dashboard(sue)
    assert 'id="distress-heading"' in page and "duress word used" in page
