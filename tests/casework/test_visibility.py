"""
Who sees which casework records. Every record is seen through `visible_to(user)`: alice sees the
case she is assigned to and all it holds; bob (same team, not assigned) and charlie (other team)
see none of it; sue, who supervises team North, sees all of North's cases; a superuser sees all.
"""

import pytest
from django.urls import reverse
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts.models import TeamMembership
from casework.choices import (
    AssignmentRole,
    MemberRole,
    RelationshipKind,
)
from casework.models import (
    Attachment,
    Case,
    CaseNote,
    Entitlement,
    Incident,
    LegalStatusRecord,
    Person,
    PersonAlias,
    Relationship,
    Task,
)
from casework.permissions import can_edit_case, editable_cases
from casework.querysets import cases_granted_one_by_one, team_may_be_seen, visible_cases_up_to
from casework.selectors.dashboard import my_cases

from ..conftest import built_once, sign_in
from ..factories import (
    AdvocateFactory,
    AssignmentFactory,
    CaseFactory,
    MembershipFactory,
    TeamFactory,
)
from ..scenarios import household_with_every_record, persona

MODELS = [
    Case,
    Person,
    PersonAlias,
    Relationship,
    LegalStatusRecord,
    Entitlement,
    Incident,
    CaseNote,
    Task,
    Attachment,
]


def _populate(team, actor, caseworker, tag: str):
    """A case of `team` with two people and one record of every kind, written by `actor`."""
    return household_with_every_record(
        team=team, caseworker=caseworker, actor=actor, mother_name=f"Mother {tag}", tag=tag
    ).case


def _build() -> dict:
    """North's case (alice's, opened by sue, her supervisor) and South's (charlie's)."""
    alice, sue, charlie = persona("alice"), persona("sue"), persona("charlie")
    return {
        "alice": alice,
        "sue": sue,
        "charlie": charlie,
        "north_case": _populate(TeamFactory(name="North"), sue, alice, "N1"),
        "south_case": _populate(TeamFactory(name="South"), charlie, charlie, "S1"),
    }


# Each model is checked for each persona against the same two cases, which a test changes
# only in its own transaction: built once for the module (see built_once_per_module).
_built_once, _cases = built_once(_build, name="_cases")


@pytest.fixture
def north_case(_cases):
    return _cases["north_case"]


@pytest.fixture
def south_case(_cases):
    return _cases["south_case"]


# The personas the cases were built with.


@pytest.fixture
def alice(_cases):
    return _cases["alice"]


@pytest.fixture
def sue(_cases):
    return _cases["sue"]


@pytest.fixture
def charlie(_cases):
    return _cases["charlie"]


def _visible(model, user):
    seen = set(model.objects.visible_to(user))
    if model is Case:
        # The case list's form of the rule (each case it reads probed on its own) sees the same.
        assert set(Case.objects.visible_to(user, probed=True)) == seen
        # And the case list's count without a filter, from the caseload counts or by counting.
        for limit in (1, len(seen), len(seen) + 1):
            assert visible_cases_up_to(user, limit) == min(len(seen), limit)
    return seen


def _of_case(model, case):
    """The records of `model` that belong to `case`, found without visible_to."""
    people = Person.objects.filter(memberships__case=case)
    lookups = {
        Case: {"pk": case.pk},
        Person: {"pk__in": people},
        PersonAlias: {"person__in": people},
        Relationship: {"from_person__in": people},
        LegalStatusRecord: {"person__in": people},
        Entitlement: {"person__in": people},
    }
    return set(model.objects.filter(**lookups.get(model, {"case": case})))


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_assigned_caseworker_sees_her_case_and_nothing_else(model, north_case, south_case, alice):
    """alice sees every record of her case, and none of team South's."""
    expected = _of_case(model, north_case)
    assert expected
    assert _visible(model, alice) == expected


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_caseworker_of_another_team_sees_none_of_it(model, north_case, charlie):
    """charlie sees nothing of North's case."""
    assert not (_visible(model, charlie) & _of_case(model, north_case))


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_unassigned_colleague_sees_none_of_it(model, north_case, bob):
    """bob, in the same team but not assigned, sees nothing of the case."""
    assert _visible(model, bob) == set()


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_supervisor_sees_every_case_of_her_team(
    model, north_case, south_case, team_north, sue, bob
):
    """sue sees a North case nobody assigned her to, and nothing of South's."""
    unassigned = _populate(team_north, bob, bob, "N2")
    assert _visible(model, sue) == _of_case(model, north_case) | _of_case(model, unassigned)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_superuser_sees_nothing_without_breaking_the_glass(
    model, north_case, south_case, admin_user
):
    """A superuser runs the system, not the cases: no record is visible without a grant."""
    assert _visible(model, admin_user) == set()


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_breaking_the_glass_shows_that_one_case(model, north_case, south_case, admin_user):
    """A break-glass grant on North's case shows its records, and nothing of South's."""
    from casework.services import case_break_glass

    case_break_glass(case=north_case, actor=admin_user, reason="Court order 2026/11 needs the file")
    assert _visible(model, admin_user) == _of_case(model, north_case)


def test_anonymous_and_inactive_users_see_nothing(north_case, alice):
    """A deactivated account loses sight of its cases at once."""
    alice.is_active = False
    alice.save()
    assert not Case.objects.visible_to(alice).exists()
    assert not Person.objects.visible_to(alice).exists()


def test_tie_to_someone_out_of_scope_is_hidden(north_case, south_case, alice, sue):
    """A family tie to a person in another team's case is not shown: it would name them."""
    mother = north_case.people.get(memberships__role=MemberRole.PRINCIPAL)
    relative = south_case.people.get(memberships__role=MemberRole.PRINCIPAL)
    # Nobody of one team may record a tie across teams (casework.permissions.can_record_tie):
    # stored as ties recorded before one of the cases moved team would be.
    tie = Relationship.objects.create(
        from_person=mother, to_person=relative, kind=RelationshipKind.PARTNER_OF
    )
    reverse = Relationship.objects.create(
        from_person=relative,
        to_person=north_case.people.get(memberships__role=MemberRole.CHILD),
        kind=RelationshipKind.PARENT_OF,
    )
    visible = _visible(Relationship, alice)
    assert tie not in visible
    assert reverse not in visible


# Leaving a team: assignment and ownership grant nothing without a current membership.


def _leave(user, team):
    TeamMembership.objects.get(user=user, team=team).delete()


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_a_caseworker_who_left_the_team_sees_none_of_its_cases(
    model, north_case, alice, team_north
):
    """alice is still assigned to North's case, but no longer a member of North: she sees none
    of it; re-added, she sees it again without anyone assigning her anew."""
    _leave(alice, team_north)
    assert _visible(model, alice) == set()
    MembershipFactory(user=alice, team=team_north)
    assert _visible(model, alice) == _of_case(model, north_case)


def test_a_caseworker_who_left_can_change_nothing_of_the_case(
    north_case, alice, team_north, team_south
):
    """Gone from the edit check and from 'my cases' too, even as a member of another team."""
    MembershipFactory(user=alice, team=team_south)
    assert can_edit_case(alice, north_case) is True
    _leave(alice, team_north)
    assert can_edit_case(alice, north_case) is False
    assert not editable_cases(alice).exists()
    assert not my_cases(alice).exists()


def test_an_owner_who_left_the_team_loses_the_case(team_north, bob):
    """bob opened (owns) and works a case; once out of the team, neither counts."""
    case = _populate(team_north, bob, bob, "N2")
    assert case.owner == bob and can_edit_case(bob, case)
    case.assignments.filter(user=bob).delete()
    assert Case.objects.visible_to(bob).get() == case
    _leave(bob, team_north)
    assert not Case.objects.visible_to(bob).exists()
    assert can_edit_case(bob, case) is False


def test_a_supervisor_who_left_the_team_sees_none_of_its_cases(north_case, sue, team_north):
    _leave(sue, team_north)
    assert not Case.objects.visible_to(sue).exists()


def _share(case, advocate):
    # The consent that sharing through the service needs is not what is tested here.
    AssignmentFactory(case=case, user=advocate, role=AssignmentRole.LEGAL_ADVOCATE)


def test_a_shared_advocate_outside_the_team_reads_the_case_while_she_is_an_advocate(north_case):
    """amal is a legal advocate of "Legal aid", not of North: the share stands while she is one."""
    amal = AdvocateFactory(username="amal")
    _share(north_case, amal)
    assert set(Case.objects.visible_to(amal)) == {north_case}
    assert _visible(Person, amal) == _of_case(Person, north_case)
    assert can_edit_case(amal, north_case) is False
    amal.team_memberships.get().delete()
    assert not Case.objects.visible_to(amal).exists()
    assert _visible(Person, amal) == set()


def test_an_advocate_of_the_sharing_team_keeps_the_share_through_another_advocacy(
    north_case, team_north
):
    """Leaving North as its advocate leaves the share standing while she advocates elsewhere;
    with no legal-advocate membership left, it grants nothing."""
    amal = AdvocateFactory(username="amal")
    MembershipFactory(user=amal, team=team_north, role=TeamMembership.Role.LEGAL_ADVOCATE)
    _share(north_case, amal)
    _leave(amal, team_north)
    assert set(Case.objects.visible_to(amal)) == {north_case}
    amal.team_memberships.get().delete()
    assert not Case.objects.visible_to(amal).exists()


def test_a_share_with_someone_who_is_no_advocate_grants_nothing(north_case, charlie):
    """charlie, a caseworker of South, holds no legal-advocate membership."""
    _share(north_case, charlie)
    assert not Case.objects.visible_to(charlie).filter(pk=north_case.pk).exists()


def test_a_caseworker_removed_from_north_is_answered_404_everywhere(
    client, north_case, alice, team_north
):
    """Pages, the API and downloads: nothing of North's case, nor a way to write to it; re-added,
    all of it again."""
    attachment = Attachment.objects.get(case=north_case)
    mother = north_case.people.get(memberships__role=MemberRole.PRINCIPAL)
    case_page = reverse("casework:case_detail", args=[north_case.reference])
    person_page = reverse("casework:person_detail", args=[mother.reference])
    download = reverse("casework:attachment_download", args=[north_case.reference, attachment.pk])
    note_add = reverse("casework:note_add", args=[north_case.reference])
    api_case = f"/api/v1/cases/{north_case.reference}/"
    api_download = f"/api/v1/attachments/{attachment.pk}/download/"

    _leave(alice, team_north)
    # Leaving ended her sessions and tokens; a new sign-in is where the rule alone decides.
    alice.refresh_from_db()
    sign_in(client, alice)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(alice)[1]}")
    for url in (case_page, person_page, download, note_add):
        assert client.get(url).status_code == 404, url
    assert client.post(note_add, {"body": "still here?"}).status_code == 404
    assert north_case.reference not in client.get(reverse("casework:case_list")).content.decode()
    assert north_case.reference not in client.get(reverse("casework:dashboard")).content.decode()
    for url in (api_case, api_download, f"/api/v1/persons/{mother.reference}/"):
        assert api.get(url).status_code == 404, url
    assert north_case.reference not in api.get("/api/v1/cases/").content.decode()
    written = api.post(
        "/api/v1/notes/",
        {
            "case": north_case.reference,
            "kind": "call",
            "contacted_on": "2024-01-02",
            "body": "here?",
        },
    )
    assert written.status_code in (400, 404)
    assert not CaseNote.objects.filter(author=alice, case=north_case).exists()

    MembershipFactory(user=alice, team=team_north)
    assert client.get(case_page).status_code == 200
    assert client.get(download).status_code == 200
    assert api.get(api_case).status_code == 200
    assert north_case.reference in api.get("/api/v1/cases/").content.decode()


def test_every_case_seen_is_of_a_team_a_search_does_not_pass_over(
    north_case, south_case, alice, bob, sue, charlie, admin_user
):
    """
    The case search passes over the cases of teams a reader has nothing to do with on the team
    its copies of the name keys hold (`team_may_be_seen`), before asking the rule: every case
    anyone sees meets it, an advocate's share outside her teams and a break-glass grant
    included, and other teams' cases do not.
    """
    from casework.services import case_break_glass

    amal = AdvocateFactory(username="amal")
    _share(south_case, amal)
    case_break_glass(case=north_case, actor=admin_user, reason="Court order 2026/11 needs the file")
    for user in (alice, bob, sue, charlie, amal, admin_user):
        seen = set(Case.objects.visible_to(user).values_list("pk", flat=True))
        walked = set(Case.objects.filter(team_may_be_seen(user)).values_list("pk", flat=True))
        assert seen <= walked, user.username
    assert not Case.objects.filter(team_may_be_seen(alice)).filter(pk=south_case.pk).exists()
    assert not Case.objects.filter(team_may_be_seen(charlie)).filter(pk=north_case.pk).exists()


def test_every_case_seen_is_among_those_granted_one_by_one(
    north_case, south_case, alice, bob, sue, charlie, admin_user
):
    """
    A reader of a few cases is searched from the cases granted to them one by one
    (`cases_granted_one_by_one`: assignments and shares, ownership, break-glass grants, a
    supervised team's every case), each still asked the rule: every case anyone sees is among
    them; a supervisor's team passes the bound at once and is not read beyond it.
    """
    from casework.services import case_break_glass

    amal = AdvocateFactory(username="amal")
    _share(south_case, amal)
    case_break_glass(case=north_case, actor=admin_user, reason="Court order 2026/11 needs the file")
    for user in (alice, bob, sue, charlie, amal, admin_user):
        seen = set(Case.objects.visible_to(user).values_list("pk", flat=True))
        assert seen <= set(cases_granted_one_by_one(user, most=1000)), user.username
    assert cases_granted_one_by_one(amal, most=1000) == [south_case.pk]
    assert cases_granted_one_by_one(admin_user, most=1000) == [north_case.pk]
    # Sue supervises North: its every case, until there are more than asked for.
    assert cases_granted_one_by_one(sue, most=10) == [north_case.pk]
    for _ in range(10):
        CaseFactory(team=north_case.team)
    assert cases_granted_one_by_one(sue, most=10) is None
