"""
Recurring follow-ups and their reminders (issue 20 points 3 and 4): completing a repeating one
schedules the next, through the service and audited, until its end date or while its condition
holds; beat reminds the assignee on the due day and once it is past, each day counted in the
team's zone, once per due day even when run twice, and again after a re-dating.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import Notification
from audit.models import AuditEvent
from casework import services
from casework.choices import Country, LegalStatus, StatusSource
from casework.models import Task
from casework.services.follow_ups import follow_ups_remind

from ..conftest import sign_in
from ..factories import AssignmentFactory

D = datetime.date
UTC = datetime.UTC


def at(*args):
    return datetime.datetime(*args, tzinfo=UTC)


@pytest.fixture
def shanghai(team_north):
    team_north.time_zone = "Asia/Shanghai"
    team_north.save()
    return team_north


def _weekly(case, actor, **repeat):
    return services.task_create(
        case=case,
        title="Call the lawyer about the hearing",
        actor=actor,
        due_on=D(2026, 3, 2),
        repeat_every=1,
        repeat_unit=Task.RepeatUnit.WEEKS,
        **repeat,
    )


def _reminders(user, kind=None):
    found = Notification.objects.filter(recipient=user)
    return found.filter(kind=kind).count() if kind else found.count()


def test_completing_a_repeating_follow_up_schedules_the_next(shanghai, north_case, alice):
    first = _weekly(north_case, alice)
    services.task_complete(task=first, actor=alice)
    following = Task.objects.get(follows=first)
    # Stepped on by weeks until after today: a late completion leaves no backlog of past ones.
    today = services.records.dates.today(team=shanghai)
    assert following.due_on > today and (following.due_on - first.due_on).days % 7 == 0
    assert (following.assignee, following.completed_at) == (alice, None)
    assert following.title == first.title and following.repeat_every == 1
    event = AuditEvent.objects.get(target_id=str(following.pk), action="create")
    assert event.actor == alice and event.detail["follows"] == str(first.pk)


def test_it_stops_after_its_end_date(shanghai, north_case, alice):
    first = _weekly(north_case, alice, repeat_until=D(2026, 3, 5))
    services.task_complete(task=first, actor=alice)
    assert not Task.objects.filter(follows=first).exists()


def test_while_detained_it_stops_once_no_one_is(shanghai, north_case, alice):
    mother = north_case.people.get()
    first = _weekly(north_case, alice, repeat_while=Task.RepeatWhile.DETAINED)
    services.task_complete(task=first, actor=alice)
    assert not Task.objects.filter(follows=first).exists()  # nobody detained

    services.legal_status_change(
        person=mother,
        status=LegalStatus.DETAINED_CN,
        effective_from=D(2026, 2, 1),
        country=Country.CHINA,
        source=StatusSource.FAMILY,
        actor=alice,
    )
    again = _weekly(north_case, alice, repeat_while=Task.RepeatWhile.DETAINED)
    services.task_complete(task=again, actor=alice)
    assert Task.objects.filter(follows=again).exists()


def test_a_repeat_needs_a_first_due_date(north_case, alice):
    with pytest.raises(ValidationError):
        services.task_create(case=north_case, title="x", actor=alice, repeat_every=2)


def test_re_dating_and_reassigning_keep_the_history(shanghai, north_case, alice, bob):
    AssignmentFactory(case=north_case, user=bob)
    task = _weekly(north_case, alice)
    services.record_correct(
        record=task,
        fields={"due_on": D(2026, 3, 9), "assignee": bob},
        reason="The hearing moved",
        actor=alice,
    )
    task.refresh_from_db()
    assert (task.due_on, task.assignee) == (D(2026, 3, 9), bob)
    assert task.revisions.count() == 1


# Reminders: the follow-up is due on 2 March in Shanghai (UTC+8).


def test_the_due_day_reminds_in_the_teams_zone(shanghai, north_case, alice):
    _weekly(north_case, alice)
    # 1 March 15:00 UTC is still 1 March 23:00 in Shanghai: not yet due.
    assert follow_ups_remind(now=at(2026, 3, 1, 15)).due == 0
    # 1 March 16:00 UTC is 2 March 00:00 in Shanghai: due today.
    assert follow_ups_remind(now=at(2026, 3, 1, 16)).due == 1
    assert _reminders(alice, Notification.Kind.FOLLOW_UP_DUE) == 1
    # Run again the same day: nothing more.
    assert follow_ups_remind(now=at(2026, 3, 2, 3)).due == 0
    assert _reminders(alice) == 1
    # 2 March 16:00 UTC is 3 March in Shanghai: overdue, once.
    assert follow_ups_remind(now=at(2026, 3, 2, 16)).overdue == 1
    assert follow_ups_remind(now=at(2026, 3, 4, 16)).overdue == 0
    assert _reminders(alice, Notification.Kind.FOLLOW_UP_OVERDUE) == 1


def test_the_same_moment_is_another_day_in_another_zone(shanghai, north_case, alice, team_south):
    # In Los Angeles (UTC-8) 2 March 10:00 UTC is still 2 March, 02:00: due, not overdue.
    shanghai.time_zone = "America/Los_Angeles"
    shanghai.save()
    _weekly(north_case, alice)
    report = follow_ups_remind(now=at(2026, 3, 2, 10))
    assert (report.due, report.overdue) == (1, 0)


def test_a_re_dated_follow_up_reminds_again(shanghai, north_case, alice):
    task = _weekly(north_case, alice)
    follow_ups_remind(now=at(2026, 3, 1, 16))
    services.record_correct(
        record=task, fields={"due_on": D(2026, 3, 9)}, reason="Hearing moved", actor=alice
    )
    assert follow_ups_remind(now=at(2026, 3, 8, 16)).due == 1
    assert _reminders(alice, Notification.Kind.FOLLOW_UP_DUE) == 2


def test_a_completed_follow_up_reminds_no_one(shanghai, north_case, alice):
    task = _weekly(north_case, alice)
    services.task_complete(task=task, actor=alice)
    assert follow_ups_remind(now=at(2026, 3, 1, 16)).due == 0


def test_the_reminder_opens_the_case(shanghai, north_case, alice, client):
    _weekly(north_case, alice)
    follow_ups_remind(now=at(2026, 3, 1, 16))
    notification = Notification.objects.get(recipient=alice)
    page = sign_in(client, alice).get(reverse("accounts:notification_list")).content.decode()
    assert "A follow-up is due" in page and north_case.reference in page
    assert "Call the lawyer" not in page  # the follow-up's text stays on the case page
    opened = client.get(reverse("accounts:notification_open", args=[notification.pk]))
    assert opened.url.startswith(reverse("casework:case_detail", args=[north_case.reference]))


def test_the_pages_make_a_repeating_follow_up_and_reassign_it(
    shanghai, north_case, alice, bob, client
):
    AssignmentFactory(case=north_case, user=bob)
    sign_in(client, alice)
    added = client.post(
        reverse("casework:task_add", args=[north_case.reference]),
        {
            "title": "Visit the detention centre",
            "due_on": "2026-03-02",
            "assignee": alice.pk,
            "repeat_every": "2",
            "repeat_unit": "weeks",
            "repeat_while": "detained",
        },
    )
    assert added.status_code == 302
    task = Task.objects.get(case=north_case)
    assert (task.repeat_every, task.repeat_unit, task.repeat_while) == (2, "weeks", "detained")
    correct = reverse("casework:record_correct", args=["task", task.pk])
    page = client.get(correct).content.decode()
    assert "Who does it" in page and "Repeat every" in page
    answer = client.post(
        correct,
        {
            "version": task.version,
            "title": task.title,
            "due_on": "2026-03-09",
            "assignee": bob.pk,
            "repeat_every": "2",
            "repeat_unit": "weeks",
            "repeat_while": "detained",
            "reason": "Bob visits on Mondays now",
        },
    )
    assert answer.status_code == 302
    task.refresh_from_db()
    assert (task.assignee, task.due_on) == (bob, D(2026, 3, 9))
    assert task.revisions.count() == 1


def test_a_follow_up_done_by_the_supervisor_is_no_longer_new_to_its_assignee(
    shanghai, north_case, alice, sue
):
    """alice was reminded that the lawyer's call is overdue; while she was out, sue made the
    call and marked it done: alice's reminder no longer counts as new."""
    task = _weekly(north_case, alice)
    follow_ups_remind(now=at(2026, 3, 1, 16))
    follow_ups_remind(now=at(2026, 3, 2, 16))
    assert Notification.objects.filter(recipient=alice, read_at__isnull=True).count() == 2

    services.task_complete(task=task, actor=sue)

    assert not Notification.objects.filter(recipient=alice, read_at__isnull=True).exists()
    assert _reminders(alice) == 2  # kept in her list, read
