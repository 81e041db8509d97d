"""Who may change a case: assigned caseworkers, its owner and its team's supervisors, nobody else."""

import pytest

from accounts.models import TeamMembership
from casework.choices import AssignmentRole
from casework.permissions import (
    can_edit_case,
    can_edit_person,
    can_supervise,
    editable_cases,
    staff_who_can_see,
)

from ..factories import (
    AdvocateFactory,
    AssignmentFactory,
    CaseFactory,
    MembershipFactory,
    UserFactory,
)


@pytest.fixture
def advocate(north_case):
    user = AdvocateFactory(username="amal")
    AssignmentFactory(case=north_case, user=user, role=AssignmentRole.LEGAL_ADVOCATE)
    return user


def test_the_assigned_caseworker_may_edit(alice, north_case):
    """Alice is assigned to the case: she may change it."""
    assert can_edit_case(alice, north_case) is True


def test_the_owner_may_edit_without_an_assignment(bob, team_north):
    """Whoever opened the case may change it."""
    case = CaseFactory(team=team_north, owner=bob)
    assert can_edit_case(bob, case) is True


def test_the_teams_supervisor_may_edit(sue, north_case):
    """Sue supervises North: she may change every North case."""
    assert can_edit_case(sue, north_case) is True


def test_a_caseworker_of_the_team_not_assigned_may_not(bob, north_case):
    """Bob is in the team but not on the case."""
    assert can_edit_case(bob, north_case) is False


def test_a_caseworker_of_another_team_may_not(charlie, north_case):
    """Charlie does not even see the case."""
    assert can_edit_case(charlie, north_case) is False


def test_a_legal_advocate_of_the_case_may_not(advocate, north_case):
    """A legal advocate reads the case shared with them but changes none of it."""
    assert can_edit_case(advocate, north_case) is False


def test_a_superuser_is_not_an_editor_by_right(admin_user, north_case):
    """Reaching case content as an admin is the audited break-glass action, not a default."""
    assert can_edit_case(admin_user, north_case) is False


def test_an_inactive_caseworker_may_not(alice, north_case):
    """A deactivated account changes nothing."""
    alice.is_active = False
    alice.save()
    assert can_edit_case(alice, north_case) is False


def test_a_supervisor_of_another_team_may_not(north_case, team_south):
    """Supervising South gives nothing over North."""
    user = UserFactory(username="stan")
    MembershipFactory(user=user, team=team_south, role=TeamMembership.Role.SUPERVISOR)
    assert can_edit_case(user, north_case) is False
    assert can_supervise(user, north_case.team) is False


def test_can_supervise_is_for_the_teams_supervisors(sue, alice, team_north):
    """Only sue supervises North."""
    assert can_supervise(sue, team_north) is True
    assert can_supervise(alice, team_north) is False


def test_a_person_is_editable_through_an_editable_case(alice, bob, north_case):
    """The members of alice's case are hers to change; not bob's."""
    person = north_case.people.get()
    assert can_edit_person(alice, person) is True
    assert can_edit_person(bob, person) is False


def test_editable_cases_lists_only_the_users(alice, sue, north_case, team_north):
    """Alice's editable cases are hers; sue's are her team's."""
    other = CaseFactory(team=team_north)
    assert list(editable_cases(alice)) == [north_case]
    assert set(editable_cases(sue)) == {north_case, other}


def test_staff_who_can_see_are_the_cases_staff(alice, bob, sue, charlie, advocate, north_case):
    """Assigned staff, the owner and the team's supervisors; not other caseworkers."""
    assert set(staff_who_can_see(north_case)) == {alice, sue, advocate}


def test_staff_who_can_see_leave_out_who_left(alice, sue, advocate, north_case, team_north):
    """Assigned or owning but out of the team, or shared with but no advocate any more: not
    offered as the one a follow-up goes to, since they would not see it."""
    alice.team_memberships.filter(team=team_north).delete()
    advocate.team_memberships.all().delete()
    assert set(staff_who_can_see(north_case)) == {sue}
