"""
Deep pages of the case list (casework.pagination, keyset): sixty open cases of alice's at three
levels of risk, paged through 25 at a time by following the page's own "Next page" and
"Previous page" links, as a caseworker does. Built once for the module; the tests only read,
but for the one that changes a case between two pages (its change is rolled back after it).
"""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casework import services
from casework.choices import MemberRole, PersonRole, RiskLevel
from casework.models import Case
from tests.conftest import built_once, sign_in

from ..factories import TeamFactory
from ..scenarios import persona

CASES = 60  # pages of 25, 25 and 10
RISKS = (RiskLevel.HIGH, RiskLevel.MEDIUM, RiskLevel.LOW)


def _build() -> list[str]:
    alice = persona("alice")
    team_north = TeamFactory(name="North")
    for n in range(CASES):
        person = services.person_create(
            actor=alice, full_name=f"Widow {n}", role=PersonRole.REFUGEE
        )
        services.case_open(
            team=team_north,
            actor=alice,
            risk_level=RISKS[n % len(RISKS)],
            members=[(person, MemberRole.PRINCIPAL)],
            caseworkers=[alice],
        )
    # The list's order: most at risk first, then by reference.
    return list(
        Case.objects.visible_to(alice).most_at_risk_first().values_list("reference", flat=True)
    )


_built_once, sixty_cases = built_once(_build, name="sixty_cases")


def _listed(response) -> list[str]:
    return [case.reference for case in response.context["page"].object_list]


def _link(response, rel: str) -> str | None:
    found = re.search(r'<a href="([^"]*)" rel="' + rel + '"', response.content.decode())
    if not found:
        return None
    href = html.unescape(found[1])
    return href if href.startswith("/") else reverse("casework:case_list") + href


def _current_page(response) -> str:
    return re.search(r'<li aria-current="page">([^<]*)</li>', response.content.decode())[1]


def test_paging_forward_and_back_lists_every_case_once_in_order(client, alice, sixty_cases):
    """Three pages by "Next page" hold the sixty cases once each, in order; "Previous" retraces them."""
    sign_in(client, alice)
    response = client.get(reverse("casework:case_list"))
    pages, labels = [_listed(response)], [_current_page(response)]
    while (following := _link(response, "next")) is not None:
        assert "after=" in following  # read on from a case's key, not by OFFSET
        response = client.get(following)
        assert response.status_code == 200
        pages.append(_listed(response))
        labels.append(_current_page(response))
    assert [len(page) for page in pages] == [25, 25, 10]
    assert [ref for page in pages for ref in page] == sixty_cases
    assert labels == ["Page 1 of 3", "Page 2 of 3", "Page 3 of 3"]
    assert _link(response, "next") is None

    back = [_listed(response)]
    while (previous := _link(response, "prev")) is not None:
        response = client.get(previous)
        assert response.status_code == 200
        back.append(_listed(response))
    assert back == pages[::-1]
    assert _current_page(response) == "Page 1 of 3"


def test_a_case_that_changes_between_two_pages_makes_no_other_skip_or_repeat(
    client, alice, sixty_cases
):
    """
    While alice reads page 1 of her open cases, a case of page 3 becomes critical and moves to
    the top of the list, and a case of page 2 is put on hold, out of the list. Paging on, every other case is
    listed once: with an offset, the two would have pushed two cases unseen past page 2's end.
    """
    sign_in(client, alice)
    url = reverse("casework:case_list")
    first = client.get(url, {"status": "open"})
    seen = _listed(first)
    moved, closed = sixty_cases[55], sixty_cases[30]
    services.case_update(
        case=Case.objects.get(reference=moved), actor=alice, risk_level=RiskLevel.CRITICAL
    )
    Case.objects.filter(reference=closed).update(status="on_hold")
    response = first
    while (following := _link(response, "next")) is not None:
        assert "status=open" in following  # the filter stays on every page
        response = client.get(following)
        seen += _listed(response)
    unchanged = [ref for ref in sixty_cases if ref not in (moved, closed)]
    assert [ref for ref in seen if ref not in (moved, closed)] == unchanged
    assert len(seen) == len(set(seen))
    assert closed not in seen[25:]


def test_a_deep_page_takes_as_many_queries_as_the_first(client, alice, sixty_cases):
    """Page 3, read after page 2's last case, costs what page 1 costs: no page walks the ones before."""
    sign_in(client, alice)
    url = reverse("casework:case_list")
    client.get(url)  # the first request after signing in also writes the session's new expiry
    counts = []
    # The last case of page 2 is a low-risk one (rank 3: critical 0, high 1, medium 2, low 3).
    for query in ({}, {"page": 3, "after": f"3~{sixty_cases[49]}"}):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, query)
        assert response.status_code == 200
        counts.append(len(queries))
    assert _listed(response) == sixty_cases[50:]
    assert counts[0] == counts[1]


def test_a_forged_or_stale_key_is_a_page_not_an_error(client, alice, sixty_cases):
    """A key that is not one reads the page by its number; one of a case gone still reads on."""
    sign_in(client, alice)
    url = reverse("casework:case_list")
    for junk in ("x", "~", "99999999999999999999~C-1", "1~<script>", "1~" + "A" * 500):
        response = client.get(url, {"after": junk, "before": junk, "page": 2})
        assert response.status_code == 200
        assert _listed(response) == sixty_cases[25:50]
    # The key of a case no longer listed (closed, out of sight) still marks a place in the order.
    response = client.get(url, {"after": "1~C-0", "page": 2})
    assert _listed(response) == sixty_cases[:25]


@pytest.mark.postgres
def test_a_page_read_on_from_a_key_starts_its_walk_at_the_key(client, alice, sixty_cases):
    """
    Page 3 is read from the (risk_rank, reference) index starting at page 2's last case: the
    key is the index's own condition, compared as one row, not a filter over every case of its
    risk from the first (4,500 cases tested for a caseworker's page 40 at 100,000 people).
    """
    sign_in(client, alice)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("casework:case_list"), {"page": 3, "after": f"3~{sixty_cases[49]}"})
    (walk,) = [q["sql"] for q in queries if "ORDER BY" in q["sql"] and "risk_rank" in q["sql"]]
    with connection.cursor() as cursor:
        # Sixty cases fit in a page or two: without these the planner would read them all.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN (FORMAT JSON) " + walk)
        plan = cursor.fetchone()[0][0]["Plan"]
    conditions = []

    def walk_plan(node):
        if node.get("Index Name") == "casework_case_risk_rank_idx":
            conditions.append(node.get("Index Cond", ""))
        for child in node.get("Plans", []):
            walk_plan(child)

    walk_plan(plan)
    (condition,) = conditions  # e.g. (ROW(risk_rank, (reference)::text) > ROW(3, 'C-…'::text))
    assert condition.startswith("(ROW(risk_rank, ")
    assert f"> ROW(3, '{sixty_cases[49]}'" in condition
