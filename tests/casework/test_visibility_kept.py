"""
The visibility rule is built once per user in the process (casework.querysets `_built_once`) and
its subqueries' SQL written once. Kept for the life of the process, it must still answer for
the moment each query runs: a hand-over, a team left, a share withdrawn or a break-glass grant
expired is seen by the next query, through the same user object or the next request's, with
nothing to clear.
"""

import datetime

import pytest
from django.utils import timezone

from accounts.models import TeamMembership
from casework import querysets, services
from casework.choices import AssignmentRole
from casework.models import BreakGlassAccess, Case, CaseAssignment, Incident, Person, PersonAlias
from tests.scenarios import household_with_every_record

pytestmark = pytest.mark.django_db


def _sees(user, household) -> dict[str, bool]:
    """What `user` sees of the household, through every form of the rule: the case's own
    condition, the people's subquery, a record of the case and a record of a person."""
    return {
        "case": Case.objects.visible_to(user).filter(pk=household.case.pk).exists(),
        "person": Person.objects.visible_to(user).filter(pk=household.mother.pk).exists(),
        "incident": Incident.objects.visible_to(user).filter(case=household.case).exists(),
        "alias": PersonAlias.objects.visible_to(user).filter(person=household.mother).exists(),
    }


SEES_ALL = {"case": True, "person": True, "incident": True, "alias": True}
SEES_NONE = {"case": False, "person": False, "incident": False, "alias": False}


@pytest.fixture
def household(team_north, alice, sue):
    return household_with_every_record(
        team=team_north, caseworker=alice, actor=sue, mother_name="Kept", tag="kept"
    )


def test_a_case_handed_over_within_the_same_request_is_no_longer_seen(household, alice, bob, sue):
    """As a hand-over and its redirect in one request: alice's user object asked the rule
    before the hand-over, and the same object asks it again after."""
    assert _sees(alice, household) == SEES_ALL
    assert _sees(bob, household) == SEES_NONE
    services.case_reassign(case=household.case, from_user=alice, to_user=bob, actor=sue)
    assert _sees(alice, household) == SEES_NONE
    assert _sees(bob, household) == SEES_ALL


def test_an_assignment_given_or_taken_within_the_same_user_object_is_seen(household, alice, bob):
    assert _sees(bob, household) == SEES_NONE
    assignment = CaseAssignment.objects.create(
        case=household.case, user=bob, role=AssignmentRole.CASEWORKER, assigned_by=alice
    )
    assert _sees(bob, household) == SEES_ALL
    assignment.delete()
    assert _sees(bob, household) == SEES_NONE


def test_whoever_leaves_the_team_stops_seeing_its_cases_at_once(household, alice, sue):
    assert _sees(alice, household) == SEES_ALL
    assert _sees(sue, household) == SEES_ALL
    TeamMembership.objects.filter(user__in=[alice, sue]).delete()
    assert _sees(alice, household) == SEES_NONE
    assert _sees(sue, household) == SEES_NONE


def test_an_expired_break_glass_grant_shows_nothing_more_to_the_same_user_object(
    household, admin_user
):
    assert _sees(admin_user, household) == SEES_NONE
    services.case_break_glass(
        case=household.case, actor=admin_user, reason="A court order for the family's file."
    )
    assert _sees(admin_user, household) == SEES_ALL
    # Expired a moment ago, by the application's clock: the statement's clock agrees.
    BreakGlassAccess.objects.filter(user=admin_user).update(expires_at=timezone.now())
    assert _sees(admin_user, household) == SEES_NONE
    BreakGlassAccess.objects.filter(user=admin_user).update(
        expires_at=timezone.now() + datetime.timedelta(minutes=5)
    )
    assert _sees(admin_user, household) == SEES_ALL


def test_a_user_made_inactive_sees_nothing_through_the_same_object(household, alice):
    assert _sees(alice, household) == SEES_ALL
    alice.is_active = False
    assert _sees(alice, household) == SEES_NONE
    alice.is_active = True
    assert _sees(alice, household) == SEES_ALL


def test_the_rule_is_built_once_per_user_in_the_process(household, alice, bob, monkeypatch):
    """However many queries ask it, through the user object of each request (as a session or an
    API token loads it afresh); another user, or the same one made inactive, has a rule of
    their own."""
    monkeypatch.setattr(querysets, "_BUILT", type(querysets._BUILT)(limit=4096))
    built = []
    worked_by = querysets._worked_by
    monkeypatch.setattr(
        querysets, "_worked_by", lambda user, **kw: built.append(user.pk) or worked_by(user, **kw)
    )
    for _ in range(3):
        # A fresh object each time, as the next request loads.
        assert _sees(type(alice).objects.get(pk=alice.pk), household) == SEES_ALL
    assert built == [alice.pk]
    assert _sees(bob, household) == SEES_NONE
    assert built == [alice.pk, bob.pk]
    # Kept apart from the active user's: an inactive user's rule is none.
    alice.is_active = False
    assert _sees(alice, household) == SEES_NONE
    alice.is_active = True
    assert _sees(type(alice).objects.get(pk=alice.pk), household) == SEES_ALL
    assert built == [alice.pk, bob.pk]


def test_a_case_handed_over_is_no_longer_seen_by_the_next_request(household, alice, bob, sue):
    """The rule kept from an earlier request's user object answers for the moment of the next."""
    assert _sees(type(alice).objects.get(pk=alice.pk), household) == SEES_ALL
    services.case_reassign(case=household.case, from_user=alice, to_user=bob, actor=sue)
    assert _sees(type(alice).objects.get(pk=alice.pk), household) == SEES_NONE
    assert _sees(type(bob).objects.get(pk=bob.pk), household) == SEES_ALL


def test_a_relations_manager_still_narrows_to_its_own_cases(household, team_south, alice, sue):
    """`Case.objects.visible_to` hands out the kept queryset; `team.cases.visible_to` (a
    relation's manager, a subclass of Case.objects') must keep the team's narrowing."""
    assert household.case in Case.objects.visible_to(alice)
    assert not team_south.cases.visible_to(alice).exists()
    assert not team_south.cases.worked_now_by(alice).exists()
    assert set(household.case.team.cases.visible_to(sue)) == set(Case.objects.visible_to(sue))


def _probed(user, household, other_case) -> dict[str, bool]:
    """What the dashboard's row-by-row probes (`on_my_case`, `_of_my_case`,
    `_on_case_seen_by`, their SQL kept per user) find of the household's case and of another
    team's case: placed in a query of cases, of incidents and, nested, of people."""
    from casework.selectors.dashboard import (
        _of_my_case,
        _on_case_seen_by,
        my_open_cases_most_at_risk_first,
        on_my_case,
    )

    def open_case(case):
        return my_open_cases_most_at_risk_first(user).filter(pk=case.pk).exists()

    return {
        "my open case": open_case(household.case),
        "incident on my case": Incident.objects.filter(on_my_case(user))
        .filter(case=household.case)
        .exists(),
        "incident on a case seen": Incident.objects.filter(_on_case_seen_by(user))
        .filter(case=household.case)
        .exists(),
        "person of my case": Person.objects.filter(_of_my_case(user, "pk"))
        .filter(pk=household.mother.pk)
        .exists(),
        "another team's case": open_case(other_case),
    }


def test_the_kept_probes_answer_for_the_row_probed_and_the_moment_they_run(
    household, team_south, charlie, alice, bob, sue
):
    """The probe's SQL is kept per user id, its outer row put in per query: in a query of cases
    itself (the table the probe reads too) it still probes the outer case, not its own."""
    from tests.scenarios import case_with_one_member

    other = case_with_one_member(team=team_south, caseworker=charlie)
    probes_all = {
        "my open case": True,
        "incident on my case": True,
        "incident on a case seen": True,
        "person of my case": True,
        "another team's case": False,
    }
    probes_none = dict.fromkeys(probes_all, False)
    for _ in range(2):  # the second time from the kept SQL
        assert _probed(alice, household, other) == probes_all
        assert _probed(bob, household, other) == probes_none
    assert _probed(charlie, household, other) == {
        **probes_none,
        "another team's case": True,
    }
    services.case_reassign(case=household.case, from_user=alice, to_user=bob, actor=sue)
    assert _probed(alice, household, other) == probes_none
    assert _probed(bob, household, other) == probes_all
    alice.is_active = False
    assert _probed(alice, household, other) == probes_none


def test_a_probes_sql_is_written_once_per_user(household, alice):
    """The rule compiled into each of the dashboard's seven probes was a fifth of its Python."""
    written = []

    def rows(row):
        written.append(row)
        return Case.objects.worked_now_by(alice).filter(pk=row).order_by().values("pk")[:1]

    for _ in range(3):
        probe = querysets.probe_kept(alice, "test: my case", "case", rows)
        assert Incident.objects.filter(probe).filter(case=household.case).exists()
    assert len(written) == 1


def test_a_condition_written_once_sees_the_same_cases_as_a_query_and_as_a_subquery(
    household, alice, bob, sue
):
    """The case search writes the rule to SQL once (`condition_written_once`) and places it in
    its top-level queries and in subqueries, where the case table is renamed: both see what the
    rule sees, for each persona, and the rule is still read when each query runs."""
    from casework.models import CaseMember

    def seen(user):
        written = querysets.condition_written_once(Case.objects.visible_to(user, probed=True))
        as_query = set(written.values_list("pk", flat=True))
        as_subquery = set(
            CaseMember.objects.filter(case__in=written.values("pk")).values_list(
                "case_id", flat=True
            )
        )
        return as_query, as_subquery

    everyone = {household.case.pk}
    assert seen(alice) == (everyone, everyone)
    assert seen(bob) == (set(), set())
    written_for_bob = querysets.condition_written_once(Case.objects.visible_to(bob, probed=True))
    services.case_reassign(case=household.case, from_user=alice, to_user=bob, actor=sue)
    assert set(written_for_bob.values_list("pk", flat=True)) == everyone


def test_a_condition_through_a_join_is_not_written_once(household, alice):
    """Only a condition on the case's own row can be placed as it stands; one through a join
    (here a member's reference) is left to the ORM as it was."""
    cases = Case.objects.visible_to(alice).filter(members__person__reference="P-NONE")
    assert querysets.condition_written_once(cases) is cases
