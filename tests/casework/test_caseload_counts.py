"""
The dashboard's open cases by risk are read from `CaseloadCount`, which PostgreSQL's triggers keep
as cases and assignments are written (casework migration 0021). After every kind of write, for
everyone concerned, the counts must equal the cases the rule says each user works
(`my_cases(user).open()` counted), and a recount of the tables must change nothing.
"""

from collections import Counter

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import TeamMembership
from casework import dates, services
from casework.choices import AssignmentRole, CaseStatus, ClosureReason, MemberRole, RiskLevel
from casework.models import Case, CaseAssignment, CaseloadCount
from casework.selectors.dashboard import followups_due, my_cases, open_cases_by_risk
from casework.services.bulk import NewHousehold, NewPerson
from casework.services.caseload import caseload_recount
from consent.models import Method, Scope
from consent.services import consent_record
from demo.caseload import reset_caseload
from tests.conftest import sign_in
from tests.factories import AdvocateFactory, MembershipFactory, PersonFactory
from tests.scenarios import case_with_one_member

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def everyone(alice, bob, sue, charlie, team_south):
    """alice and bob (caseworkers of North), sue (its supervisor), charlie (a caseworker of
    South), a supervisor of South, and an advocate of another team."""
    south_supervisor = MembershipFactory(team=team_south, role=TeamMembership.Role.SUPERVISOR).user
    return [alice, bob, sue, charlie, south_supervisor, AdvocateFactory(username="amal")]


def _rule(user) -> dict[str, int]:
    counted = Counter(my_cases(user).open().values_list("risk_level", flat=True))
    return dict(counted)


def assert_counts_hold(users):
    for user in users:
        assert open_cases_by_risk(user) == _rule(user), user.username
    assert caseload_recount(dry_run=True) == {}


def _consenting(case, actor):
    for person in case.people.all():
        consent_record(
            person=person,
            actor=actor,
            method=Method.WRITTEN,
            scopes=[Scope.SHARE_WITH_ADVOCATES],
        )
    return case


def _open(team, actor, risk=RiskLevel.HIGH, caseworkers=()):
    return services.case_open(
        team=team,
        actor=actor,
        risk_level=risk,
        members=[(PersonFactory(), MemberRole.PRINCIPAL)],
        caseworkers=list(caseworkers),
    )


def test_counts_follow_every_kind_of_write(everyone, team_north, team_south):
    alice, bob, sue, charlie, _south_supervisor, amal = everyone
    assert_counts_hold(everyone)

    # Opened by a caseworker (owner and assigned), by a supervisor for another caseworker.
    first = _open(team_north, alice)
    second = _open(team_north, sue, RiskLevel.LOW, caseworkers=[bob])
    south = _open(team_south, charlie, RiskLevel.CRITICAL)
    assert_counts_hold(everyone)

    # Risk changed, put on hold, closed, reopened.
    services.case_update(case=first, actor=alice, risk_level=RiskLevel.CRITICAL)
    assert_counts_hold(everyone)
    services.case_update(case=second, actor=sue, status=CaseStatus.ON_HOLD)
    assert_counts_hold(everyone)
    services.case_close(case=second, actor=sue, reason=ClosureReason.GOALS_MET)
    assert_counts_hold(everyone)
    services.case_reopen(case=second, actor=sue)
    assert_counts_hold(everyone)

    # Assigned a second caseworker, shared with an advocate of another team, handed over.
    services.case_assign(case=first, user=bob, role=AssignmentRole.CASEWORKER, actor=sue)
    assert_counts_hold(everyone)
    services.case_share(case=_consenting(first, sue), advocate=amal, actor=sue)
    assert_counts_hold(everyone)
    services.case_reassign(case=first, from_user=alice, to_user=bob, actor=sue)
    assert_counts_hold(everyone)
    services.caseworker_reassign_all(from_user=bob, to_user=alice, team=team_north, actor=sue)
    assert_counts_hold(everyone)

    # Moved to another team: its caseworkers lose it, the advocate keeps it.
    services.case_transfer(case=first, to_team=team_south, actor=sue)
    assert_counts_hold(everyone)

    # Many at once: the import's bulk writer, a bulk close.
    services.households_create(
        actor=sue,
        team=team_north,
        caseworker=bob,
        households=[
            NewHousehold(
                people=[
                    NewPerson(role="principal", fields={"full_name": f"x{n}", "role": "refugee"})
                ],
                risk_level=risk,
            )
            for n, risk in enumerate([RiskLevel.LOW, RiskLevel.HIGH, RiskLevel.HIGH])
        ],
    )
    assert_counts_hold(everyone)
    services.cases_bulk_close(
        cases=list(Case.objects.filter(team=team_north, risk_level=RiskLevel.HIGH)),
        reason=ClosureReason.GOALS_MET,
        actor=sue,
    )
    assert_counts_hold(everyone)

    # Written as rows: a queryset update, deletions (Django deletes the assignments first).
    Case.objects.filter(pk=south.pk).update(risk_level=RiskLevel.MEDIUM, owner=None)
    assert_counts_hold(everyone)
    CaseAssignment.objects.filter(case=second).delete()
    assert_counts_hold(everyone)
    Case.objects.get(pk=south.pk).delete()
    assert_counts_hold(everyone)

    # A user who leaves the team stops counting its cases at once, and counts them on return.
    leaving = TeamMembership.objects.get(user=alice, team=team_north)
    leaving.delete()
    assert_counts_hold(everyone)
    TeamMembership.objects.create(user=alice, team=team_north, role=leaving.role)
    assert_counts_hold(everyone)

    # The seed's reset TRUNCATEs the caseload: the counts go with it.
    reset_caseload()
    assert not CaseloadCount.objects.exclude(open_cases=0).exists()
    assert_counts_hold(everyone)


def test_one_case_owned_and_assigned_twice_counts_once(team_north, alice, sue):
    """An owner who is also assigned as caseworker and as advocate works one case, not three."""
    case = case_with_one_member(team=team_north, caseworker=alice)
    CaseAssignment.objects.create(case=case, user=alice, role=AssignmentRole.LEGAL_ADVOCATE)
    assert open_cases_by_risk(alice) == {RiskLevel.MEDIUM: 1}
    assert_counts_hold([alice, sue])


def test_recount_repairs_counts_written_without_the_triggers(north_case, alice):
    CaseloadCount.objects.all().update(open_cases=7)
    assert caseload_recount(dry_run=True)
    with pytest.raises(Exception, match="differ"):
        call_command("caseload_recount", "--check")
    call_command("caseload_recount")
    assert_counts_hold([alice])


def _dashboard_queries(user) -> int:
    client = sign_in(Client(), user)
    url = reverse("casework:dashboard")
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("persona", ["alice", "sue"])
def test_dashboard_counts_and_queries_do_not_depend_on_the_caseload(
    persona, team_north, alice, bob, sue
):
    """The counts shown are the rule's for 3 cases and for 30, in the same number of queries."""
    user = {"alice": alice, "sue": sue}[persona]
    seen = []
    for total in (3, 30):
        while Case.objects.count() < total:
            risk = RiskLevel.values[Case.objects.count() % len(RiskLevel.values)]
            _open(team_north, alice, risk, caseworkers=[bob])
        assert open_cases_by_risk(user) == _rule(user)
        assert sum(open_cases_by_risk(user).values()) == total
        seen.append(_dashboard_queries(user))
    assert seen[0] == seen[1]


def test_a_follow_up_assigned_to_me_shows_only_while_i_see_its_case(
    team_north, team_south, alice, charlie
):
    """Charlie's follow-up on a case he is no longer assigned to drops off his dashboard."""
    case = _open(team_south, charlie)
    task = services.task_create(case=case, title="Call back", actor=charlie, due_on=dates.today())
    assert list(followups_due(charlie, today=dates.today())) == [task]
    # Handed to team North: charlie no longer sees the case, though the follow-up is his.
    Case.objects.filter(pk=case.pk).update(team=team_north, owner=None)
    CaseAssignment.objects.filter(case=case).delete()
    assert list(followups_due(charlie, today=dates.today())) == []
    assert open_cases_by_risk(charlie) == {}


def test_the_counts_sql_is_written_once_and_read_afresh(team_north, alice, sue, monkeypatch):
    """
    The counts' query is written once per user in the process (`rows_kept`); what it counts is
    read when it runs: a case opened, handed to another team or a supervisor's team given up
    shows in the next visit's figures, through the same user object and the same kept SQL.
    """
    written = []
    worked_now_by = CaseloadCount.objects.worked_now_by

    def counting(user):
        written.append(user.pk)
        return worked_now_by(user)

    monkeypatch.setattr(CaseloadCount.objects, "worked_now_by", counting)
    assert open_cases_by_risk(sue) == {}
    case = _open(team_north, alice, RiskLevel.CRITICAL, caseworkers=[alice])
    assert open_cases_by_risk(sue) == {RiskLevel.CRITICAL: 1}
    assert open_cases_by_risk(alice) == {RiskLevel.CRITICAL: 1}
    TeamMembership.objects.filter(user=sue, team=team_north).delete()
    assert open_cases_by_risk(sue) == {}
    sue.is_active = False
    assert open_cases_by_risk(sue) == {}
    services.case_close(case=case, actor=alice, reason=ClosureReason.GOALS_MET)
    assert open_cases_by_risk(alice) == {}
    assert sorted(written) == sorted([sue.pk, alice.pk])
