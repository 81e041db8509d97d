"""
Safety check-ins (issue 20 points 1 and 2): a mother hiding in Liaoning, kept by team North in
Shanghai's time, must be heard from every two days. The sweep is run with a frozen `now`, across
the day boundary and time zones, twice and by two workers at once; a distress call and a duress
word reach the supervisor at once.
"""

import datetime
import threading

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Notification
from accounts.notifications import notifications_mark_read, unread_count
from audit.models import AuditEvent
from casework import services
from casework.choices import AssignmentRole, Region, RiskLevel
from casework.models import CaseFlag, CheckIn, CheckInSchedule, Escalation
from casework.selectors.timeline import case_timeline
from casework.services.checkins import check_ins_escalate, duress_word_matches

from ..conftest import sign_in
from ..factories import AssignmentFactory, CaseFactory, CaseMemberFactory, TeamFactory
from ..scenarios import mother_with_children

D = datetime.date
UTC = datetime.UTC


def at(*args):
    return datetime.datetime(*args, tzinfo=UTC)


@pytest.fixture
def shanghai(team_north):
    team_north.time_zone = "Asia/Shanghai"
    team_north.save()
    return team_north


@pytest.fixture
def schedule(shanghai, north_case, alice, sue):
    """The mother of North's case, to be heard from every two days from 1 March 2026."""
    return services.check_in_schedule_set(
        person=north_case.people.get(),
        case=north_case,
        actor=alice,
        every_days=2,
        starts_on=D(2026, 3, 1),
        channel=CheckInSchedule.Channel.MESSENGER,
        grace_days=1,
        duress_word="plum blossom",
    )


def _alerts(user, kind=None):
    found = Notification.objects.filter(recipient=user)
    return found.filter(kind=kind).count() if kind else found.count()


def test_a_schedule_is_suggested_from_the_risk(north_case, alice):
    north_case.risk_level = RiskLevel.CRITICAL
    north_case.save()
    schedule = services.check_in_schedule_set(
        person=north_case.people.get(),
        case=north_case,
        actor=alice,
        channel=CheckInSchedule.Channel.CALL,
    )
    assert schedule.every_days == 2
    assert schedule.starts_on == services.checkins.dates.today(team=north_case.team)
    event = AuditEvent.objects.get(action="create", target_id=str(schedule.pk))
    assert "every_days" in event.detail["fields"]


def test_a_miss_counts_from_the_end_of_the_day_in_the_teams_zone(schedule, alice, sue):
    """Due on 1 March: at 23:30 in Shanghai it is not missed yet; at 00:30 it is."""
    report = check_ins_escalate(now=at(2026, 3, 1, 15, 30))  # 23:30 on 1 March in Shanghai
    assert report.missed == 0 and _alerts(alice) == 0
    report = check_ins_escalate(now=at(2026, 3, 1, 16, 30))  # 00:30 on 2 March in Shanghai
    assert report.missed == 1 and report.overdue == 0
    assert _alerts(alice, Notification.Kind.CHECK_IN_MISSED) == 1
    assert _alerts(sue) == 0  # the supervisor waits for the grace period
    assert CaseFlag.objects.filter(
        case=schedule.case, kind=CaseFlag.Kind.MISSED_CHECK_IN, active=True
    ).exists()
    # After the grace day (2 March in Shanghai) the supervisor is told.
    report = check_ins_escalate(now=at(2026, 3, 2, 16, 30))
    assert report.overdue == 1
    assert _alerts(sue, Notification.Kind.CHECK_IN_OVERDUE) == 1
    assert _alerts(alice) == 1


def test_the_same_moment_is_still_the_due_day_in_london(schedule, alice):
    """The team's zone decides: at 16:30 UTC it is still 1 March in London."""
    london = TeamFactory(name="London desk")
    london.time_zone = "Europe/London"
    london.save()
    case = schedule.case
    case.team = london
    case.save()
    assert check_ins_escalate(now=at(2026, 3, 1, 16, 30)).missed == 0
    assert check_ins_escalate(now=at(2026, 3, 2, 0, 30)).missed == 1


def test_the_sweep_escalates_each_miss_once(schedule, alice, sue):
    check_ins_escalate(now=at(2026, 3, 3, 1))
    counts = (Escalation.objects.count(), Notification.objects.count(), AuditEvent.objects.count())
    assert counts[0] == 2  # missed, then past the grace period
    again = check_ins_escalate(now=at(2026, 3, 3, 2))
    assert (again.missed, again.overdue) == (0, 0)
    assert (
        Escalation.objects.count(),
        Notification.objects.count(),
        AuditEvent.objects.count(),
    ) == counts
    events = AuditEvent.objects.filter(target_type="casework.escalation", actor__isnull=True)
    assert events.count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_escalate_a_miss_once(shanghai, alice, sue):
    case = CaseFactory(team=shanghai, owner=alice)
    AssignmentFactory(case=case, user=alice)
    person = CaseMemberFactory(case=case).person
    services.check_in_schedule_set(
        person=person,
        case=case,
        actor=alice,
        every_days=3,
        starts_on=D(2026, 3, 1),
        channel=CheckInSchedule.Channel.VISIT,
    )
    barrier, outcomes = threading.Barrier(2), []

    def sweep():
        try:
            barrier.wait()
            report = check_ins_escalate(now=at(2026, 3, 5, 1))
            outcomes.append((report.missed, report.overdue))
        except Exception as exc:
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == [(0, 0), (1, 1)] or sum(m + o for m, o in outcomes) == 2, outcomes
    assert Escalation.objects.count() == 2
    assert _alerts(alice) == 1 and _alerts(sue) == 1
    assert CaseFlag.objects.filter(case=case, active=True).count() == 1


def test_a_check_in_recorded_ends_the_miss_and_lowers_the_flag(north_case, alice, sue):
    today = services.checkins.dates.today(team=north_case.team)
    schedule = services.check_in_schedule_set(
        person=north_case.people.get(),
        case=north_case,
        actor=alice,
        every_days=2,
        starts_on=today - datetime.timedelta(days=5),
        channel=CheckInSchedule.Channel.CALL,
    )
    assert check_ins_escalate().missed == 1
    # "No contact" says what happened but the person is still unheard of.
    services.check_in_record(schedule=schedule, outcome=CheckIn.Outcome.NO_CONTACT, actor=alice)
    assert CaseFlag.objects.filter(case=north_case, active=True).count() == 1
    services.check_in_record(
        schedule=schedule, outcome=CheckIn.Outcome.SAFE, actor=alice, note="Moved flats"
    )
    assert not CaseFlag.objects.filter(case=north_case, active=True).exists()
    report = check_ins_escalate()
    assert (report.missed, report.overdue) == (0, 0)


def test_distress_reaches_caseworker_and_supervisor_and_raises_the_risk(schedule, alice, sue):
    services.check_in_record(schedule=schedule, outcome=CheckIn.Outcome.DISTRESS, actor=alice)
    assert _alerts(alice, Notification.Kind.DISTRESS) == 1
    assert _alerts(sue, Notification.Kind.DISTRESS) == 1
    schedule.case.refresh_from_db()
    assert schedule.case.risk_level == RiskLevel.CRITICAL
    raised = AuditEvent.objects.get(
        target_id=str(schedule.case.pk), detail__because="check_in_distress"
    )
    assert raised.detail["fields"] == ["risk_level"] and raised.actor is None


def test_the_duress_word_escalates_silently(schedule, alice, sue):
    """Typed as she said it, the word matches; the record reads "safe", the supervisor is told."""
    check_in = services.check_in_record(
        schedule=schedule, outcome=CheckIn.Outcome.SAFE, actor=alice, word_used=" Plum Blossom"
    )
    assert check_in.outcome == CheckIn.Outcome.SAFE and check_in.duress
    assert _alerts(alice) == 0
    assert _alerts(sue, Notification.Kind.DISTRESS) == 1
    assert Escalation.objects.get(check_in=check_in).level == Escalation.Level.DISTRESS
    schedule.case.refresh_from_db()
    assert schedule.case.risk_level == RiskLevel.MEDIUM  # the case page reads as before
    created = AuditEvent.objects.get(target_id=str(check_in.pk))
    assert "duress" not in str(created.detail)


def test_another_word_is_not_the_duress_word(schedule):
    assert duress_word_matches(schedule, "plum blossom")
    assert not duress_word_matches(schedule, "plum")
    assert not duress_word_matches(schedule, "")


def test_a_blank_duress_word_keeps_the_one_on_file(schedule, alice):
    services.check_in_schedule_set(
        person=schedule.person, case=schedule.case, actor=alice, duress_word="", grace_days=2
    )
    schedule.refresh_from_db()
    assert schedule.duress_word == "plum blossom" and schedule.grace_days == 2


def test_specific_dates(schedule, alice):
    services.check_in_schedule_set(
        person=schedule.person,
        case=schedule.case,
        actor=alice,
        every_days=None,
        on_dates=[D(2026, 3, 10), D(2026, 3, 4)],
    )
    assert check_ins_escalate(now=at(2026, 3, 4, 12)).missed == 0
    assert check_ins_escalate(now=at(2026, 3, 4, 17)).missed == 1  # 5 March in Shanghai
    assert Escalation.objects.get().due_on == D(2026, 3, 4)


def test_notifications_are_marked_read(schedule, alice):
    check_ins_escalate(now=at(2026, 3, 2, 1))
    assert unread_count(alice) == 1
    assert notifications_mark_read(user=alice) == 1
    assert unread_count(alice) == 0
    assert timezone.now() >= Notification.objects.get().read_at


def test_once_she_is_heard_from_the_alerts_of_her_miss_are_no_longer_new(schedule, alice, sue):
    """The mother in Liaoning missed her check-in of 1 March and sue was told after the grace
    day; alice reaches her on the 3rd: neither alert still counts as new, a later miss will."""
    check_ins_escalate(now=at(2026, 3, 2, 16, 30))
    assert (unread_count(alice), unread_count(sue)) == (1, 1)

    services.check_in_record(schedule=schedule, outcome=CheckIn.Outcome.SAFE, actor=alice)

    assert (unread_count(alice), unread_count(sue)) == (0, 0)
    assert _alerts(alice, Notification.Kind.CHECK_IN_MISSED) == 1
    assert _alerts(sue, Notification.Kind.CHECK_IN_OVERDUE) == 1


def test_no_contact_leaves_the_alerts_of_a_miss_new(schedule, alice, sue):
    check_ins_escalate(now=at(2026, 3, 2, 16, 30))
    services.check_in_record(schedule=schedule, outcome=CheckIn.Outcome.NO_CONTACT, actor=alice)
    assert (unread_count(alice), unread_count(sue)) == (1, 1)


def test_safe_but_needs_help_reaches_the_team_and_becomes_a_follow_up(team_north, alice, bob, sue):
    """QA (issue 21): a mother hiding in Liaoning with her son tells alice on the messenger she
    is safe but needs medicine for the boy's fever. alice taps "Safe but needs help": sue and
    bob, who also works the case, are told; alice gets a follow-up for today; the case's
    timeline shows the check-in, what it found and her note."""
    family = mother_with_children(team=team_north, caseworker=alice, name="박정숙", children=1)
    mother, case = family.mother, family.case
    services.person_update(person=mother, actor=alice, region=Region.LIAONING)
    services.case_assign(case=case, user=bob, role=AssignmentRole.CASEWORKER, actor=sue)
    schedule = services.check_in_schedule_set(
        person=mother, case=case, actor=alice, channel=CheckInSchedule.Channel.MESSENGER
    )

    check_in = services.check_in_record(
        schedule=schedule,
        outcome=CheckIn.Outcome.NEEDS_HELP,
        actor=alice,
        note="Safe; needs fever medicine for her son, the pharmacy asks for ID",
    )

    told = Notification.Kind.CHECK_IN_NEEDS_HELP
    assert _alerts(sue, told) == 1 and _alerts(bob, told) == 1
    assert _alerts(alice) == 0  # she recorded it
    task = case.tasks.get()
    today = services.checkins.dates.today(team=case.team)
    assert (task.assignee, task.due_on, task.is_done) == (alice, today, False)
    assert task.title == f"Help asked for at the check-in of {mother.reference}"
    with translation.override("ko"):
        assert task.shown_title == f"{mother.reference}의 안부 확인에서 요청한 도움 제공"
    created = AuditEvent.objects.get(action="create", target_id=str(check_in.pk))
    assert created.detail == {
        "found": CheckIn.Outcome.NEEDS_HELP,
        "follow_up": str(task.pk),
        "alerted": 2,
    }
    # Not an emergency: the risk and the flags stay as they were.
    case.refresh_from_db()
    assert case.risk_level == RiskLevel.HIGH
    assert not CaseFlag.objects.filter(case=case, active=True).exists()

    timeline = case_timeline(case, show="check_in")
    assert [(entry.record, entry.person) for entry in timeline] == [(check_in, mother)]
    everything = case_timeline(case)
    assert {entry.kind for entry in everything} >= {"check_in", "task"}


def test_the_case_page_shows_the_check_in_in_its_timeline(team_north, alice, client):
    family = mother_with_children(team=team_north, caseworker=alice, name="박정숙", children=1)
    schedule = services.check_in_schedule_set(
        person=family.mother,
        case=family.case,
        actor=alice,
        channel=CheckInSchedule.Channel.MESSENGER,
    )
    services.check_in_record(
        schedule=schedule,
        outcome=CheckIn.Outcome.NEEDS_HELP,
        actor=alice,
        note="Needs fever medicine for her son",
    )
    page = sign_in(client, alice).get(reverse("casework:case_detail", args=[family.case.reference]))
    timeline = page.content.decode().split('class="timeline"', 1)[1]
    assert "Safe but needs help" in timeline
    assert "Needs fever medicine for her son" in timeline
    assert f"Help asked for at the check-in of {family.mother.reference}" in timeline


def test_a_duress_call_tapped_as_needing_help_reads_as_any_other(schedule, alice, sue):
    """Under duress the caseworker's pages read as for what she tapped: the same follow-up,
    and the timeline shows the outcome, nothing of the duress."""
    check_in = services.check_in_record(
        schedule=schedule,
        outcome=CheckIn.Outcome.NEEDS_HELP,
        actor=alice,
        word_used="plum blossom",
    )
    assert check_in.duress
    assert schedule.case.tasks.filter(assignee=alice).count() == 1
    assert _alerts(sue, Notification.Kind.DISTRESS) == 1
    assert _alerts(alice) == 0
