"""
Check-ins on the pages: a caseworker records one with one tap from the case page or the
dashboard, and a duress word leaves her screen as it is for "safe" while the supervisor's
notifications show the distress. The duress word is never shown again but to the supervisors.
"""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Notification
from casework import dates, services
from casework.models import CheckIn, CheckInSchedule

from ..conftest import sign_in

DURESS_WORD = "plum blossom"


@pytest.fixture
def schedule(north_case, alice):
    return services.check_in_schedule_set(
        person=north_case.people.get(),
        case=north_case,
        actor=alice,
        every_days=2,
        starts_on=dates.today(team=north_case.team) - datetime.timedelta(days=3),
        channel=CheckInSchedule.Channel.CALL,
        duress_word=DURESS_WORD,
    )


def _client(user):
    return sign_in(Client(), user)


def _record(client, schedule, **data):
    url = reverse("casework:check_in_record", args=[schedule.pk])
    return client.post(url, {"outcome": "safe", **data}, follow=True)


def _screen(response) -> str:
    """What the caseworker sees after recording, without per-request tokens, times and counts."""
    text = response.content.decode()
    text = re.sub(r"<time[^>]*>[^<]*</time>", "", text)
    text = re.sub(r'data-label="Views">\d+', "", text)
    return "\n".join(
        line for line in text.splitlines() if "csrf" not in line and "nonce" not in line
    )


def _without_one_check_in(screen: str) -> str:
    """
    The screen with the oldest check-in of the case's timeline taken out: what is left shows
    the newest as the screen before it showed the one then recorded.
    """
    entries = list(re.finditer(r'\n  <li class="timeline-check_in">.*?</li>\n', screen, re.S))
    oldest = entries[-1]
    return screen[: oldest.start()] + "\n" + screen[oldest.end() :]


def _lines(screen: str) -> list[str]:
    return [line for line in screen.splitlines() if line.strip()]


def test_the_case_page_offers_one_tap_check_ins(schedule, alice):
    page = _client(alice).get(reverse("casework:case_detail", args=[schedule.case.reference]))
    text = page.content.decode()
    assert "Safety check-ins" in text
    for outcome in ("safe", "needs_help", "no_contact", "distress"):
        assert f'name="outcome" value="{outcome}"' in text
    assert DURESS_WORD not in text


def test_a_duress_word_leaves_the_caseworkers_screen_as_for_safe(schedule, alice, sue):
    client = _client(alice)
    plain = _record(client, schedule)
    duress = _record(client, schedule, word_used=DURESS_WORD)
    assert plain.redirect_chain == duress.redirect_chain
    assert "The check-in was recorded." in duress.content.decode()
    # The timeline holds one check-in more; the duress call reads as the safe one did.
    assert _lines(_screen(plain)) == _lines(_without_one_check_in(_screen(duress)))
    assert CheckIn.objects.filter(duress=True).count() == 1
    # Nothing on her notifications; the supervisor's names the case.
    mine = _client(alice).get(reverse("accounts:notification_list")).content.decode()
    assert "Distress" not in mine
    theirs = _client(sue).get(reverse("accounts:notification_list")).content.decode()
    assert "Distress" in theirs and schedule.case.reference in theirs


def test_the_dashboard_lists_the_missed_check_in_and_records_it(schedule, alice):
    client = _client(alice)
    text = client.get(reverse("casework:dashboard")).content.decode()
    assert "Check-ins due" in text and "missed" in text
    response = _record(client, schedule, **{"from": "dashboard"})
    assert response.redirect_chain[-1][0] == reverse("casework:dashboard")
    assert "Check-ins due" not in response.content.decode()


def test_the_duress_word_is_shown_to_supervisors_only(schedule, alice, sue):
    url = reverse("casework:check_in_schedule", args=[schedule.person.reference])
    mine = _client(alice).get(url).content.decode()
    assert DURESS_WORD not in mine and "A duress word is on file" in mine
    assert DURESS_WORD in _client(sue).get(url).content.decode()


def test_the_schedule_form_suggests_from_the_risk_and_saves(north_case, alice):
    north_case.risk_level = "high"
    north_case.save()
    person = north_case.people.get()
    url = reverse("casework:check_in_schedule", args=[person.reference])
    client = _client(alice)
    assert 'value="3"' in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "every_days": "",
            "on_dates": "2026-12-24, 2026-12-20",
            "channel": "visit",
            "grace_days": "2",
            "duress_word": "",
            "active": "on",
        },
    )
    assert response.status_code == 302
    saved = CheckInSchedule.objects.get(person=person)
    assert saved.on_dates == [datetime.date(2026, 12, 20), datetime.date(2026, 12, 24)]
    bad = client.post(url, {"on_dates": "24/12/2026", "channel": "visit", "grace_days": "1"})
    assert bad.status_code == 200 and "2026-12-24" in bad.content.decode()


def test_a_notification_about_a_case_out_of_sight_names_nothing(schedule, alice, bob):
    services.check_in_record(schedule=schedule, outcome="distress", actor=alice)
    Notification.objects.filter(recipient=alice).update(recipient=bob)
    text = _client(bob).get(reverse("accounts:notification_list")).content.decode()
    assert "something you no longer see" in text
    assert schedule.case.reference not in text
