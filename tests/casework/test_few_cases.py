"""
A caseworker holds a few dozen of her team's thousands of cases. Her lists start from those
cases (`casework.querysets.cases_granted_one_by_one`, FEW_CASES): her case list, her dashboard's
lists and her searches, where the walk along a team's rows in each list's order, right for a
reader of thousands, read every row of the team to find hers (her case list took 86 ms and her
dashboard 370 ms at 100,000 people). Both ways must show exactly the same rows to everyone.
"""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from casework import querysets, services
from casework.choices import AssignmentRole
from casework.models import Case

from ..conftest import sign_in
from ..factories import AdvocateFactory, AssignmentFactory
from ..scenarios import household_with_every_record

# What the dashboard lists, by the context's names.
DASHBOARD_LISTS = ("cases", "followups", "status_changes", "incidents", "detained")


def _shown(user) -> dict:
    """What `user` is shown: the dashboard's lists and the case list's pages, as references."""
    client = sign_in(Client(), user)
    dashboard = client.get(reverse("casework:dashboard"))
    assert dashboard.status_code == 200
    shown = {name: _references(dashboard.context[name]) for name in DASHBOARD_LISTS}
    listed = client.get(reverse("casework:case_list"))
    assert listed.status_code == 200
    shown["case list"] = [case.reference for case in listed.context["page"].object_list]
    shown["count"] = listed.context["page"].paginator.count
    shown["search"] = [
        case.reference
        for case in client.post(reverse("casework:case_list"), {"q": "Kim"})
        .context["page"]
        .object_list
    ]
    return shown


def _references(rows) -> list:
    references = []
    for row in rows:
        row = row[0] if isinstance(row, tuple) else row  # (status, days detained)
        for path in ("reference", "case.reference", "person.reference"):
            value = row
            for part in path.split("."):
                value = getattr(value, part, None)
            if value is not None:
                references.append(value)
                break
    return references


@pytest.fixture
def two_caseloads(team_north, alice, bob, sue, admin_user):
    """North: a household of Alice's and two of Bob's (a widow and her children, a detained
    mother), one of Bob's shared with an advocate outside the team, and one under a
    break-glass grant of the administrator."""
    households = [
        household_with_every_record(
            team=team_north, caseworker=caseworker, tag=tag, mother_name=name
        )
        for caseworker, tag, name in (
            (alice, "alice-1", "Kim Sun-hui"),
            (bob, "bob-1", "Kim Ok-ran"),
            (bob, "bob-2", "Ri Chun-ok"),
        )
    ]
    amal = AdvocateFactory(username="amal")
    AssignmentFactory(case=households[1].case, user=amal, role=AssignmentRole.LEGAL_ADVOCATE)
    services.case_break_glass(
        case=households[2].case, actor=admin_user, reason="A court asked for the family's file."
    )
    return households, amal


@pytest.mark.django_db
def test_a_reader_of_few_cases_is_shown_what_the_walk_shows(
    two_caseloads, alice, bob, sue, admin_user, monkeypatch
):
    households, amal = two_caseloads
    readers = (alice, bob, sue, amal, admin_user)

    def shown_to_each(few_cases: int) -> dict:
        monkeypatch.setattr(querysets, "FEW_CASES", few_cases)
        return {user.username: _shown(user) for user in readers}

    walked, from_their_cases = shown_to_each(0), shown_to_each(200)
    assert from_their_cases == walked
    # Alice is shown her household and none of Bob's; the supervisor all three; the advocate
    # and the administrator the one case each was given.
    alice_shown = from_their_cases["alice"]
    assert alice_shown["case list"] == [households[0].case.reference]
    assert alice_shown["search"] == [households[0].case.reference]
    assert households[0].case.reference in alice_shown["cases"]
    assert alice_shown["followups"] and alice_shown["status_changes"]
    assert sorted(from_their_cases["sue"]["case list"]) == sorted(
        household.case.reference for household in households
    )
    assert from_their_cases["amal"]["case list"] == [households[1].case.reference]
    assert from_their_cases["admin"]["case list"] == [households[2].case.reference]


@pytest.mark.django_db
def test_a_caseworker_given_more_cases_than_few_is_walked_and_shown_the_same(
    two_caseloads, alice, monkeypatch
):
    """Past FEW_CASES her lists walk again; what they show does not change."""
    # Her one case is granted twice: she owns it and is assigned to it.
    monkeypatch.setattr(querysets, "FEW_CASES", 2)
    before = _shown(alice)
    assert querysets.cases_granted_one_by_one(alice, most=2) is not None
    households, _amal = two_caseloads
    AssignmentFactory(case=households[1].case, user=alice, role=AssignmentRole.CASEWORKER)
    assert querysets.cases_granted_one_by_one(alice, most=2) is None
    after = _shown(alice)
    assert set(after["case list"]) == {*before["case list"], households[1].case.reference}
    assert after["count"] == Case.objects.visible_to(alice).count() == 2


@pytest.mark.django_db
# The cases' copies of the name keys are kept by PostgreSQL's triggers (under CI, required).
@pytest.mark.postgres
def test_a_people_search_from_a_readers_few_cases_finds_what_the_walk_finds(
    two_caseloads, alice, bob, sue, admin_user, monkeypatch
):
    """
    The people search (the API's) of a reader of few cases reads her cases' copies of the name
    keys; a reader of many walks every holder of each key: the same people, in the same order,
    with the same reasons, cut at the same place, for everyone.
    """
    from casework.selectors import search

    _households, amal = two_caseloads

    def found(few_cases: int) -> list:
        monkeypatch.setattr(querysets, "FEW_CASES", few_cases)
        return [
            (
                [(person.reference, person.match) for person in answer.people],
                answer.more,
            )
            for user in (alice, bob, sue, amal, admin_user)
            for term in ("Kim", "김", "Kim Sun-hui", "Ri Chun-ok", "李春玉", "Sun-hui")
            for limit in (1, 50)
            # As a request loads its user: whether she reads few cases is asked anew.
            for answer in [
                search.people_search(
                    user=type(user).objects.get(pk=user.pk), name=term, limit=limit
                )
            ]
        ]

    walked = found(0)
    assert found(200) == walked
    assert any(people for people, _more in walked)


API_LISTS = (
    "cases",
    "persons",
    "relationships",
    "legal-statuses",
    "entitlements",
    "notes",
    "tasks",
    "incidents",
    "attachments",
)


@pytest.mark.django_db
def test_the_apis_lists_of_a_reader_of_few_cases_are_what_the_walk_lists(
    two_caseloads, alice, bob, sue, admin_user, monkeypatch
):
    """
    The API's lists of a reader of few cases start from her cases' records (`among_cases`),
    where they walked every record of the organisation newest first: the same rows, in the
    same order, for each reader and each list.
    """
    _households, amal = two_caseloads

    def listed(few_cases: int) -> dict:
        monkeypatch.setattr(querysets, "FEW_CASES", few_cases)
        shown = {}
        for user in (alice, bob, sue, amal, admin_user):
            client = sign_in(APIClient(), user)
            for name in API_LISTS:
                response = client.get(f"/api/v1/{name}/")
                assert response.status_code == 200, (user.username, name)
                shown[user.username, name] = response.json()
        return shown

    walked = listed(0)
    from_few = listed(200)
    for key in walked:
        assert from_few[key] == walked[key], (
            key,
            [
                (row["id"][:8], row.get("due_on"), row.get("case"))
                for row in from_few[key]["results"]
            ],
            [(row["id"][:8], row.get("due_on"), row.get("case")) for row in walked[key]["results"]],
        )
    assert walked["alice", "notes"] and walked["alice", "persons"]
