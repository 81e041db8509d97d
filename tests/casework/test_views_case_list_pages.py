"""
The case list over two pages: thirty open cases of alice's, each of a mother of the same name,
which the tests only read. They are built once for the module (see built_once_per_module): each
test used to open its own thirty or forty cases through the services.
"""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casework import services
from casework.choices import MemberRole, PersonRole, RiskLevel
from tests.conftest import built_once, sign_in

from ..factories import TeamFactory
from ..scenarios import persona

MOTHER = "김순희"
CASES = 30  # a full page of 25 and a second page of 5


def _build() -> list[str]:
    alice = persona("alice")
    team_north = TeamFactory(name="North")
    references = []
    for _ in range(CASES):
        person = services.person_create(actor=alice, full_name=MOTHER, role=PersonRole.REFUGEE)
        case = services.case_open(
            team=team_north,
            actor=alice,
            risk_level=RiskLevel.LOW,
            members=[(person, MemberRole.PRINCIPAL)],
            caseworkers=[alice],
        )
        references.append(case.reference)
    return references


_built_once, thirty_cases = built_once(_build, name="thirty_cases")


def _listed(response) -> list[str]:
    return [case.reference for case in response.context["page"].object_list]


def test_case_list_paginates_by_25(client, alice, thirty_cases):
    """30 cases make two pages; the second keeps the filter in its links."""
    sign_in(client, alice)
    url = reverse("casework:case_list")
    first = client.get(url, {"status": "open"})
    assert len(first.context["page"].object_list) == 25
    assert "status=open&amp;page=2" in first.content.decode()
    second = client.get(url, {"status": "open", "page": 2})
    assert len(second.context["page"].object_list) == 5
    assert not set(_listed(first)) & set(_listed(second))
    assert set(_listed(first)) | set(_listed(second)) == set(thirty_cases)


def test_a_name_search_keeps_the_name_out_of_every_address(client, alice, thirty_cases):
    """The search form posts; its next page is posted too, so no link or action holds the name."""
    sign_in(client, alice)
    url = reverse("casework:case_list")
    first = client.post(url, {"q": MOTHER})
    body = first.content.decode()
    assert len(first.context["page"].object_list) == 25
    assert 'method="post"' in body
    assert f'<input type="hidden" name="q" value="{MOTHER}">' in body
    assert 'name="page" value="2"' in body
    assert not re.search(r'(href|action)="[^"]*' + re.escape(MOTHER), body)
    assert not re.search(r'(href|action)="[^"]*%[0-9A-F]{2}', body)
    second = client.post(url, {"q": MOTHER, "page": 2})
    assert len(second.context["page"].object_list) == 5


def _list_queries(client, url, **query) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, query)
        assert response.status_code == 200
    return len(queries)


def test_case_list_query_count_does_not_grow_with_the_page(client, alice, thirty_cases):
    """A page of 25 cases takes as many queries as a page of 5 (the second of the same list)."""
    sign_in(client, alice)
    url = reverse("casework:case_list")
    client.get(url)  # the first page after signing in also writes the session's new expiry
    assert _list_queries(client, url) == _list_queries(client, url, page=2)


def test_a_search_alone_counts_its_matches_and_a_narrowed_one_counts_the_narrowed_list(
    client, alice, thirty_cases
):
    """
    Searched alone, the list's count is the search's matches (not counted again in SQL); with
    another filter that leaves none of them (every case is at low risk), the list is counted.
    """
    sign_in(client, alice)
    url = reverse("casework:case_list")
    alone = client.post(url, {"q": MOTHER})
    assert alone.context["page"].paginator.count == CASES
    assert not alone.context["page"].paginator.more
    narrowed = client.post(url, {"q": MOTHER, "risk_level": RiskLevel.HIGH})
    assert narrowed.context["page"].paginator.count == 0
    assert len(narrowed.context["page"].object_list) == 0


def test_the_filters_beyond_the_search_fold_away_until_one_is_set(client, alice, thirty_cases):
    """
    On a phone the cases come before six filters: they fold under "More filters", open once one
    of them narrows the list (or is wrong), so that what was set is in sight. The search stays out.
    """
    sign_in(client, alice)

    def filters(response) -> str:
        page = response.content.decode()
        return re.search(r'<details class="more-filters"( open)?>', page).group(0)

    folded = '<details class="more-filters">'
    assert filters(client.get(reverse("casework:case_list"))) == folded
    assert filters(client.post(reverse("casework:case_list"), {"q": MOTHER})) == folded
    narrowed = client.get(reverse("casework:case_list"), {"risk_level": RiskLevel.LOW})
    assert filters(narrowed) == '<details class="more-filters" open>'
    wrong = client.get(reverse("casework:case_list"), {"status": "lost"})
    assert filters(wrong) == '<details class="more-filters" open>'
    page = client.get(reverse("casework:case_list")).content.decode()
    assert page.index('name="q"') < page.index("More filters") < page.index('name="risk_level"')
