"""
Reading the trail: supervisors see their teams' cases' events, a case page lists who viewed it.
alice works North's case, sue supervises North, charlie works for South, admin sees everything.
"""

import pytest
from django.contrib.auth.models import AnonymousUser

from audit import record
from audit.models import AuditEvent
from casework.selectors.audit import case_viewers
from tests.factories import AssignmentFactory, CaseFactory, CaseMemberFactory


@pytest.fixture
def south_case(team_south, charlie):
    case = CaseFactory(team=team_south, owner=charlie)
    AssignmentFactory(case=case, user=charlie)
    CaseMemberFactory(case=case)
    return case


@pytest.fixture
def events(alice, charlie, north_case, south_case):
    return {
        "north": record(alice, "view", north_case),
        "south": record(charlie, "view", south_case),
        "login": record(alice, "login"),
    }


def test_a_supervisor_sees_their_teams_case_events(sue, events):
    """sue sees the events of North's case, not South's, and not logins."""
    visible = set(AuditEvent.objects.visible_to(sue))

    assert visible == {events["north"]}


def test_a_caseworker_sees_no_trail(alice, events):
    """Caseworkers do not read the trail, not even of their own case."""
    assert not AuditEvent.objects.visible_to(alice).exists()


def test_a_superuser_sees_the_whole_trail(admin_user, events):
    """A superuser sees every event."""
    assert AuditEvent.objects.visible_to(admin_user).count() == 3


def test_nobody_signed_out_sees_the_trail(events):
    """An anonymous visitor sees nothing."""
    assert not AuditEvent.objects.visible_to(AnonymousUser()).exists()


def test_a_case_trail_is_its_own_events_oldest_first(alice, north_case, events):
    """for_case lists the case's events in the order they happened."""
    later = record(alice, "update", north_case, fields=["risk_level"])

    assert list(AuditEvent.objects.for_case(north_case)) == [events["north"], later]


def test_a_case_lists_who_viewed_it_or_its_people(alice, bob, sue, north_case, events):
    """Views of the case and of its people count; other actions do not."""
    person = north_case.people.get()
    record(bob, "view", person)
    record(alice, "view", north_case)
    record(sue, "update", north_case, fields=["status"])

    viewers = case_viewers(north_case)

    assert [(viewer.username, viewer.views) for viewer in viewers] == [("alice", 2), ("bob", 1)]
    assert viewers[0].actor_id == alice.pk
    assert viewers[0].last_viewed_at >= viewers[1].last_viewed_at


def test_a_deleted_viewer_is_still_named(bob, north_case):
    """When an account is deleted, its views stay listed under its username."""
    record(bob, "view", north_case)
    bob_pk = bob.pk
    bob.delete()

    [viewer] = case_viewers(north_case)

    assert (viewer.actor_id, viewer.username) == (bob_pk, "bob")


def test_a_renamed_viewer_is_listed_under_the_new_name(bob, north_case):
    """The name shown is the account's now, not the one the audit kept when it viewed."""
    record(bob, "view", north_case)
    bob.username = "bob.renamed"
    bob.save(update_fields=["username"])

    [viewer] = case_viewers(north_case)

    assert (viewer.actor_id, viewer.username, viewer.views) == (bob.pk, "bob.renamed", 1)
