"""
The notification e-mail (issue 20 point 5): off by default, on by the user's choice on the account
page; it says "You have N new items in Shimteo" and a link, at most once per the quiet period the
user sets, and nothing personal: every outgoing message is scanned for every encrypted value and
reference of the world the notifications are about.
"""

import datetime

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from accounts.notifications import notification_emails_send, notify
from casework import services
from casework.choices import AssignmentRole
from casework.models import CheckInSchedule
from casework.services.follow_ups import follow_ups_remind

from ..conftest import sign_in
from ..scenarios import household_with_every_record

REASON = "Court order 2026-117 about the Longjing raid"


def _wants_mail(*users, hours=4):
    for user in users:
        user.email = f"{user.username}@ngo.example"
        user.email_notifications = True
        user.email_quiet_hours = hours
        user.save()


@pytest.fixture
def world(team_north, alice, bob, sue, admin_user):
    """A household of North, and everything that notifies its staff about it."""
    household = household_with_every_record(
        team=team_north, caseworker=alice, tag="MAILTEST", mother_name="리순옥"
    )
    case = household.case
    services.case_assign(case=case, user=bob, role=AssignmentRole.CASEWORKER, actor=sue)
    services.case_break_glass(case=case, actor=admin_user, reason=REASON)
    schedule = services.check_in_schedule_set(
        person=household.mother,
        case=case,
        actor=alice,
        every_days=2,
        channel=CheckInSchedule.Channel.CALL,
        duress_word="plum blossom",
    )
    services.check_in_record(schedule=schedule, outcome="distress", actor=alice)
    follow_ups_remind(now=timezone.now() + datetime.timedelta(days=400))
    return household


def test_it_is_off_by_default(world, alice):
    assert Notification.objects.filter(recipient=alice).exists()
    assert notification_emails_send() == 0 and mail.outbox == []


def test_no_message_carries_anything_personal(world, alice, bob, sue):
    _wants_mail(alice, bob, sue)
    assert notification_emails_send() == 3
    references = {world.case.reference, world.mother.reference, world.child.reference}
    forbidden = [*world.secrets, *references, REASON, "plum blossom", "리순옥"]
    for message in mail.outbox:
        whole = message.message().as_string() + message.subject + message.body
        for value in forbidden:
            assert value not in whole, value
        assert message.subject == "Shimteo"
        assert "new items in Shimteo" in message.body or "new item in Shimteo" in message.body
        assert reverse("accounts:notification_list") in message.body


def test_at_most_once_per_quiet_period(world, alice, north_case):
    _wants_mail(alice, hours=4)
    now = timezone.now()
    assert notification_emails_send(now=now) == 1
    # Twice at once (two workers), or again before the quiet period ends: nothing more.
    assert notification_emails_send(now=now) == 0
    notify(recipients=[alice], kind=Notification.Kind.DISTRESS, target=north_case)
    assert notification_emails_send(now=now + datetime.timedelta(hours=3)) == 0
    # After it, with something new: one more.
    assert notification_emails_send(now=now + datetime.timedelta(hours=5)) == 1
    # Nothing new since: none, however long it has been.
    assert notification_emails_send(now=now + datetime.timedelta(hours=20)) == 0
    assert len(mail.outbox) == 2


def test_it_is_written_in_the_users_language(world, alice):
    _wants_mail(alice)
    alice.preferred_language = "ko"
    alice.save()
    notification_emails_send()
    assert "새 항목이 2개" in mail.outbox[0].body and "new items" not in mail.outbox[0].body


def test_the_account_page_turns_it_on(alice, client):
    alice.email = "alice@ngo.example"
    alice.save()
    sign_in(client, alice)
    assert (
        "E-mail me when new notifications wait"
        in client.get(reverse("accounts:security")).content.decode()
    )
    url = reverse("accounts:email_notifications")
    answer = client.post(url, {"email_notifications": "on", "email_quiet_hours": "12"})
    assert answer.status_code == 302
    alice.refresh_from_db()
    assert alice.email_notifications and alice.email_quiet_hours == 12
    assert client.post(url, {"email_quiet_hours": "0"}).status_code == 400


def test_without_an_address_it_cannot_be_turned_on(bob):
    client = sign_in(Client(), bob)
    bob.email = ""
    bob.save()
    answer = client.post(
        reverse("accounts:email_notifications"),
        {"email_notifications": "on", "email_quiet_hours": "4"},
    )
    assert answer.status_code == 400 and "no e-mail address" in answer.content.decode()
