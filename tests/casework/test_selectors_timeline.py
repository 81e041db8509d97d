"""The selectors behind the read pages: my cases, the dashboard lists and the case timeline."""

import datetime

import pytest
from django.utils import timezone

from casework import services
from casework.choices import (
    AssignmentRole,
    Country,
    EntitlementKind,
    EntitlementStatus,
    IncidentKind,
    LegalStatus,
    MemberRole,
    PersonRole,
    Region,
    RiskLevel,
    StatusSource,
)
from casework.permissions import can_see_case_viewers
from casework.selectors.dashboard import (
    RECENT_DAYS,
    detained_longer_than,
    followups_due,
    my_cases,
    recent_incidents,
    recent_status_changes,
)
from casework.selectors.timeline import TIMELINE_SOURCES, TimelineKind, case_timeline

from ..factories import AdvocateFactory, AssignmentFactory

D = datetime.date


def _person(actor, name, **fields):
    fields.setdefault("role", PersonRole.REFUGEE)
    return services.person_create(actor=actor, full_name=name, **fields)


def _status(person, actor, status, start):
    return services.legal_status_change(
        person=person,
        status=status,
        effective_from=start,
        actor=actor,
        country=Country.CHINA,
        source=StatusSource.CASEWORKER,
    )


def _case(team, actor, *people, caseworkers=(), risk=RiskLevel.MEDIUM):
    members = [
        (p, MemberRole.PRINCIPAL if i == 0 else MemberRole.CHILD) for i, p in enumerate(people)
    ]
    return services.case_open(
        team=team, actor=actor, risk_level=risk, members=members, caseworkers=caseworkers
    )


@pytest.fixture
def mother(alice):
    return _person(alice, "김순희", date_of_birth=D(1984, 5, 17))


@pytest.fixture
def case(team_north, alice, mother):
    return _case(team_north, alice, mother, caseworkers=[alice])


def test_my_cases_are_assigned_owned_or_supervised(team_north, alice, bob, sue, charlie, mother):
    """Alice's cases are hers; sue's are her team's; charlie, of another team, has none."""
    mine = _case(team_north, alice, mother, caseworkers=[alice])
    bobs = _case(team_north, bob, _person(bob, "Other"), caseworkers=[bob])
    assert list(my_cases(alice)) == [mine]
    assert set(my_cases(sue)) == {mine, bobs}
    assert list(my_cases(charlie)) == []


def test_followups_due_are_mine_or_on_my_cases_and_not_far_off(case, team_north, alice, bob):
    """Open follow-ups due within a week, overdue first; done and distant ones are left out."""
    today = timezone.localdate()
    overdue = services.task_create(
        case=case, title="Call the lawyer", actor=alice, due_on=today - datetime.timedelta(days=3)
    )
    soon = services.task_create(
        case=case, title="Visit", actor=alice, due_on=today + datetime.timedelta(days=2)
    )
    services.task_create(
        case=case, title="Later", actor=alice, due_on=today + datetime.timedelta(days=30)
    )
    done = services.task_create(case=case, title="Done", actor=alice, due_on=today)
    services.task_complete(task=done, actor=alice)
    bobs_case = _case(team_north, bob, _person(bob, "Other"), caseworkers=[bob, alice])
    for_alice = services.task_create(
        case=bobs_case, title="Yours", actor=bob, due_on=today, assignee=alice
    )
    bobs_own = _case(team_north, bob, _person(bob, "Third"), caseworkers=[bob])
    services.task_create(case=bobs_own, title="Not yours", actor=bob, due_on=today)
    assert list(followups_due(alice, today=today)) == [overdue, for_alice, soon]


def test_detained_longer_than_takes_the_threshold_strictly(case, team_north, alice, mother):
    """Only a current detention that began more than `days` days ago is listed."""
    today = D(2024, 6, 30)
    _status(mother, alice, LegalStatus.DETAINED_CN, today - datetime.timedelta(days=15))
    child = _person(alice, "Child", date_of_birth=D(2012, 1, 1), role=PersonRole.CHILD)
    services.case_add_member(case=case, person=child, role=MemberRole.CHILD, actor=alice)
    _status(child, alice, LegalStatus.DETAINED_CN, today - datetime.timedelta(days=14))
    assert [r.person for r in detained_longer_than(alice, days=14, today=today)] == [mother]
    _status(mother, alice, LegalStatus.REPATRIATED, today - datetime.timedelta(days=1))
    assert list(detained_longer_than(alice, days=14, today=today)) == []


def test_recent_changes_cover_the_last_days_of_my_cases_only(
    case, team_north, alice, charlie, mother
):
    """A status change and an incident on alice's case are recent for her, not for charlie."""
    today = timezone.localdate()
    earlier = _status(mother, alice, LegalStatus.UNDOCUMENTED_CN, D(2005, 1, 1))
    change = _status(mother, alice, LegalStatus.DETAINED_CN, today - datetime.timedelta(days=2))
    incident = services.incident_record(
        case=case,
        kind=IncidentKind.ARREST,
        occurred_on=today - datetime.timedelta(days=2),
        region=Region.JILIN,
        people=[mother],
        actor=alice,
    )
    since = today - datetime.timedelta(days=RECENT_DAYS)
    # The 2005 record was written today, so it is news too; both show, newest first.
    assert list(recent_status_changes(alice, since=since)) == [change, earlier]
    assert list(recent_incidents(alice, since=since)) == [incident]
    assert list(recent_status_changes(charlie, since=since)) == []
    assert list(recent_incidents(charlie, since=since)) == []


def test_case_timeline_merges_every_record_newest_first(case, alice, mother):
    """Statuses, benefits, incidents, notes and follow-ups come newest first."""
    child = _person(alice, "Child", date_of_birth=D(2012, 1, 1), role=PersonRole.CHILD)
    services.case_add_member(case=case, person=child, role=MemberRole.CHILD, actor=alice)
    services.incident_record(
        case=case,
        kind=IncidentKind.BENEFIT_DENIED,
        occurred_on=D(2019, 9, 1),
        region=Region.JILIN,
        people=[child],
        actor=alice,
    )
    _status(mother, alice, LegalStatus.UNDOCUMENTED_CN, D(2005, 3, 1))
    services.entitlement_record(
        person=child,
        kind=EntitlementKind.SCHOOL,
        status=EntitlementStatus.DENIED,
        as_of=D(2019, 8, 30),
        actor=alice,
    )
    _status(mother, alice, LegalStatus.DETAINED_CN, D(2023, 4, 2))
    services.case_note_add(case=case, body="Spoke with the family.", actor=alice)
    task = services.task_create(case=case, title="Find a lawyer", actor=alice)
    services.task_complete(task=task, actor=alice)

    timeline = case_timeline(case)

    assert [entry.kind for entry in timeline] == [
        TimelineKind.TASK_DONE,
        TimelineKind.TASK,
        TimelineKind.NOTE,
        TimelineKind.STATUS,
        TimelineKind.INCIDENT,
        TimelineKind.ENTITLEMENT,
        TimelineKind.STATUS,
    ]
    assert [entry.on for entry in timeline] == sorted(
        (entry.on for entry in timeline), reverse=True
    )
    assert timeline[-1].person == mother
    assert timeline[-2].person == child
    assert timeline[-1].label == "Legal status"


def test_case_timeline_takes_the_same_queries_however_long(
    case, alice, mother, django_assert_max_num_queries
):
    """The timeline loads in eight queries (one per kind, two for incidents), however long."""
    for year in range(2001, 2011):
        _status(mother, alice, LegalStatus.UNDOCUMENTED_CN, D(year, 1, 1))
        services.case_note_add(case=case, body=f"Note {year}", actor=alice)
        services.incident_record(
            case=case,
            kind=IncidentKind.RAID,
            occurred_on=D(year, 2, 1),
            region=Region.JILIN,
            people=[mother],
            actor=alice,
        )
    with django_assert_max_num_queries(8):
        timeline = case_timeline(case)
        for entry in timeline:
            if entry.kind == TimelineKind.INCIDENT:
                list(entry.record.people.all())
    assert len(timeline) == 30


def test_case_viewers_are_shown_to_caseworkers_and_supervisors_only(
    case, team_north, alice, bob, sue, charlie
):
    """The case's caseworker and team supervisor may see who viewed it; an advocate may not."""
    advocate = AdvocateFactory(username="advocate")
    # Sharing through the service needs every member's consent; the access rule is tested here.
    AssignmentFactory(case=case, user=advocate, role=AssignmentRole.LEGAL_ADVOCATE)
    assert can_see_case_viewers(alice, case) is True
    assert can_see_case_viewers(sue, case) is True
    assert can_see_case_viewers(bob, case) is False
    assert can_see_case_viewers(advocate, case) is False


def _whole_timeline(case):
    """The timeline as it was read before pages: every record of every kind, each kind in its
    model's order, sorted by moment in Python (keeping that order among equals). The reference a
    page must agree with."""
    entries = []
    for source in TIMELINE_SOURCES.values():
        rows = source.rows(case, False, None).select_related(*source.related)
        rows = rows.order_by(*rows.model._meta.ordering, "pk")
        entries.extend(entry for record in rows for entry in source.entries(record))
    entries.sort(key=lambda entry: (entry.on, entry.at), reverse=True)
    return entries


def test_every_page_of_the_timeline_is_its_slice_of_the_whole_with_ties_kept_in_order(
    case, alice, mother
):
    """Entries of the same day and moment (a seed or an import writes many at once) are listed
    in the kinds' order and their records' order on every page, however the pages cut them."""
    from casework.models import CaseNote, Entitlement, Incident, LegalStatusRecord, Task

    moment = timezone.now().replace(microsecond=0)
    day = timezone.localdate() - datetime.timedelta(days=10)
    notes = []
    for n in range(5):
        notes.append(
            services.case_note_add(case=case, body=f"Note {n}", actor=alice, contacted_on=day)
        )
        services.incident_record(
            case=case,
            kind=IncidentKind.RAID,
            occurred_on=day,
            region=Region.JILIN,
            people=[mother],
            actor=alice,
        )
        task = services.task_create(case=case, title=f"Call {n}", actor=alice)
        if n % 2:
            services.task_complete(task=task, actor=alice)
        services.entitlement_record(
            person=mother,
            kind=EntitlementKind.SCHOOL,
            status=EntitlementStatus.DENIED,
            as_of=day,
            actor=alice,
        )
    _status(mother, alice, LegalStatus.UNDOCUMENTED_CN, day)
    # Half of every kind written at one moment, on one day: long runs of ties across pages.
    CaseNote.objects.filter(pk__in=[note.pk for note in notes[::2]]).update(created_at=moment)
    Incident.objects.filter(case=case).update(recorded_at=moment)
    Task.objects.filter(case=case).update(created_at=moment)
    Task.objects.filter(case=case, completed_at__isnull=False).update(completed_at=moment)
    Entitlement.objects.filter(person=mother).update(recorded_at=moment)
    LegalStatusRecord.objects.filter(person=mother).update(recorded_at=moment)

    whole = _whole_timeline(case)
    assert len(whole) == case_timeline(case).count() == 23
    keys = [(entry.kind, entry.record.pk) for entry in whole]
    assert len(set(keys)) == len(keys)
    # Newest first; among equals, the kinds in the sources' order.
    assert [(entry.on, entry.at) for entry in whole] == sorted(
        ((entry.on, entry.at) for entry in whole), reverse=True
    )
    for per_page in (1, 2, 3, 4, 7, 25):
        timeline = case_timeline(case)
        pages = [
            (entry.kind, entry.record.pk)
            for start in range(0, len(whole), per_page)
            for entry in timeline[start : start + per_page]
        ]
        assert pages == keys, per_page
    timeline = case_timeline(case)
    assert (timeline[0].kind, timeline[0].record.pk) == keys[0]
    assert (timeline[-1].kind, timeline[-1].record.pk) == keys[-1]
    assert timeline[30:40] == []
    narrowed = case_timeline(case, show="task")
    assert [(entry.kind, entry.record.pk) for entry in narrowed[2:6]] == [
        key for key in keys if key[0] in ("task", "task_done")
    ][2:6]


def test_a_page_of_the_timeline_reads_only_its_own_records(case, alice, mother):
    """The second page of 40 notes builds the notes it shows, not the 40: the page's work does
    not grow with the case."""
    from django.db.models.signals import post_init

    from casework.models import CaseNote

    first = timezone.localdate() - datetime.timedelta(days=60)
    for n in range(40):
        services.case_note_add(
            case=case,
            body=f"Note {n}",
            actor=alice,
            contacted_on=first + datetime.timedelta(days=n),
        )
    built = []

    def count(sender, instance, **kwargs):
        built.append(instance)

    post_init.connect(count, sender=CaseNote)
    try:
        page = case_timeline(case, show="note")[10:20]
    finally:
        post_init.disconnect(count, sender=CaseNote)
    assert [entry.record.body for entry in page] == [f"Note {n}" for n in range(29, 19, -1)]
    assert len(built) == 10
