"""
Guards for the fixes benchmarks/ led to (see benchmarks/RESULTS.md): the shapes that keep the
case list, the case page and name search fast at 100,000 people, checked cheaply here.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casework import selectors, services
from casework.choices import MemberRole, PersonRole, RelationshipKind, RiskLevel
from casework.models import Case, Person, Relationship
from tests.conftest import sign_in
from tests.scenarios import mother_with_children

pytestmark = pytest.mark.django_db


def _household(team, actor, name: str, children: int) -> tuple[Case, Person]:
    family = mother_with_children(team=team, caseworker=actor, name=name, children=children)
    return family.case, family.mother


def test_case_list_member_count_counts_every_member(team_north, alice):
    """The list's member count is each case's own number of members, and 0 for an empty case."""
    big, _mother = _household(team_north, alice, "Big", children=3)
    small, _mother = _household(team_north, alice, "Small", children=0)
    empty = services.case_open(
        team=team_north, actor=alice, risk_level=RiskLevel.LOW, members=[], caseworkers=[alice]
    )
    listed = selectors.cases_for_listing(Case.objects.visible_to(alice))
    counts = {case.pk: case.member_count for case in listed}
    assert counts == {big.pk: 4, small.pk: 1, empty.pk: 0}


def test_family_takes_the_same_queries_however_many_relatives(team_north, alice):
    """Family on the case and person pages costs a fixed number of queries, not one per tie."""
    _case, few = _household(team_north, alice, "Few", children=1)
    _case, many = _household(team_north, alice, "Many", children=6)
    with CaptureQueriesContext(connection) as small:
        assert len(selectors.family_of(few, user=alice).children) == 1
    with CaptureQueriesContext(connection) as large:
        assert len(selectors.family_of(many, user=alice).children) == 6
    assert len(large) == len(small)


def test_family_leaves_out_a_relative_known_only_to_another_team(
    team_north, team_south, alice, charlie
):
    """A child whose only case belongs to team South is not named on alice's page."""
    _case, mother = _household(team_north, alice, "Mother", children=0)
    child = services.person_create(actor=charlie, full_name="Hidden", role=PersonRole.CHILD)
    services.case_open(
        team=team_south,
        actor=charlie,
        risk_level=RiskLevel.LOW,
        members=[(child, MemberRole.PRINCIPAL)],
        caseworkers=[charlie],
    )
    # No one of either team may record a tie across them (casework.permissions.can_record_tie);
    # one made before a case moved team is stored as it was.
    Relationship.objects.create(
        from_person=mother, to_person=child, kind=RelationshipKind.PARENT_OF
    )
    assert selectors.family_of(mother, user=alice).children == []
    assert selectors.family_of(child, user=charlie).parents == []


def test_name_search_finds_names_and_aliases_together(team_north, alice):
    """One search finds the person of that name and the person with it as an alias, once each."""
    mother = services.person_create(
        actor=alice, full_name="김순희", aliases=["Kim Sun-hui"], role=PersonRole.REFUGEE
    )
    namesake = services.person_create(actor=alice, full_name="KIM SUN HUI", role=PersonRole.REFUGEE)
    services.case_open(
        team=team_north,
        actor=alice,
        risk_level=RiskLevel.LOW,
        members=[(mother, MemberRole.PRINCIPAL), (namesake, MemberRole.OTHER)],
        caseworkers=[alice],
    )
    expected = sorted([mother.pk, namesake.pk])
    assert sorted(Person.objects.matching_name("kim sun-hui").values_list("pk", flat=True)) == (
        expected
    )
    assert sorted(p.pk for p in selectors.people_search(user=alice, name="Kim Sunhui").people) == (
        expected
    )


def test_case_page_queries_do_not_grow_with_the_family(client, team_north, alice):
    """The case page of a household of seven takes as many queries as that of a household of two."""
    sign_in(client, alice)
    small_case, _mother = _household(team_north, alice, "Small", children=1)
    large_case, _mother = _household(team_north, alice, "Large", children=6)
    counts = []
    for case in (small_case, large_case):
        url = reverse("casework:case_detail", args=[case.reference])
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


@pytest.mark.postgres
def test_dashboard_list_indexes_exist():
    """The indexes the dashboard's recent lists and follow-ups walk are in the database."""
    with connection.cursor() as cursor:
        tables = {
            "casework_legalstatusrecord": "casework_lsr_recent_idx",
            "casework_incident": "casework_incident_recent_idx",
            "casework_task": "casework_task_open_due_idx",
        }
        for table, index in tables.items():
            assert index in connection.introspection.get_constraints(cursor, table)


def test_the_case_list_counts_only_up_to_its_bound_and_every_page_stays_reachable(
    client, team_north, alice, monkeypatch
):
    """
    Alice works seven widows' cases; the list counts them only up to its bound (here 4, two
    pages of two) and says "more than", with a next page; asked for page 4, it counts far
    enough to know there are exactly seven, on four pages.
    """
    from casework import pagination
    from casework.views import browse

    monkeypatch.setattr(browse, "CASES_PER_PAGE", 2)
    monkeypatch.setattr(pagination, "COUNT_UP_TO", 3)
    for n in range(7):
        _household(team_north, alice, f"Widow {n}", children=0)
    sign_in(client, alice)
    first = client.get(reverse("casework:case_list")).content.decode()
    assert "More than 4 cases" in first
    assert "Page 1 of more than 2" in first
    assert 'rel="next"' in first
    last = client.get(reverse("casework:case_list"), {"page": 4}).content.decode()
    assert "7 cases" in last
    assert "Page 4 of 4" in last
    assert 'rel="next"' not in last
    assert 'rel="prev"' in last
    # A page number that is not one is the first page, as before.
    assert (
        "Page 1 of more than 2"
        in client.get(reverse("casework:case_list"), {"page": "x"}).content.decode()
    )


# The dashboard and the case list: a fixed number of queries whatever the caseload (issue 22).
# The figures are the pages' own queries plus signing in, the session and the header's
# notification count; a change that adds one per row (or per list) makes a caseload of three
# households cost more than one of a single household, and fails here.
DASHBOARD_MAX_QUERIES = 22
CASE_LIST_MAX_QUERIES = 14


def _page_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_dashboard_takes_the_same_few_queries_whatever_the_caseload(client, team_north, alice):
    """
    One household with every record (a follow-up due, an incident, a status change of the last
    month), then three: the dashboard lists more rows and asks nothing more of the database.
    """
    from tests.scenarios import household_with_every_record

    household_with_every_record(team=team_north, caseworker=alice, tag="one", mother_name="김순희")
    sign_in(client, alice)
    url = reverse("casework:dashboard")
    client.get(url)  # the first request after signing in also writes the session's new expiry
    small = _page_queries(client, url)
    for tag, name in (("two", "박영희"), ("three", "이순자")):
        household_with_every_record(team=team_north, caseworker=alice, tag=tag, mother_name=name)
    large = client.get(url)
    assert len(large.context["followups"]) == 3
    assert len(large.context["cases"]) == 3
    assert _page_queries(client, url) == small <= DASHBOARD_MAX_QUERIES


def test_the_case_list_takes_the_same_few_queries_whatever_the_caseload(client, team_north, alice):
    """Two cases or twelve, with a filter or without: the list's queries do not grow."""
    _household(team_north, alice, "First", children=1)
    sign_in(client, alice)
    url = reverse("casework:case_list")
    client.get(url)
    small = [_page_queries(client, url), _page_queries(client, url + "?status=open&risk_level=")]
    for n in range(11):
        _household(team_north, alice, f"Widow {n}", children=n % 3)
    large = [_page_queries(client, url), _page_queries(client, url + "?status=open&risk_level=")]
    assert large == small
    assert max(large) <= CASE_LIST_MAX_QUERIES
