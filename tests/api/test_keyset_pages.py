"""
API lists read by key (`?cursor=`): every row once, in the list's order, forward and back; a
row added or removed before the cursor shifts no other row; a page costs the same queries
however deep, and no count; the page-number interface answers as before.
"""

import base64
import datetime

import pytest
from django.utils import timezone

from casework.api.pagination import BoundedCountPagination
from casework.models import Task

from ..factories import AssignmentFactory, CaseFactory
from .conftest import query_count

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

DAY = datetime.date(2026, 11, 2)


@pytest.fixture
def two_a_page(monkeypatch):
    monkeypatch.setattr(BoundedCountPagination, "page_size", 2)


def _open_case(team, caseworker, *, days_ago: int):
    case = CaseFactory(team=team, opened_on=DAY - datetime.timedelta(days=days_ago))
    AssignmentFactory(case=case, user=caseworker)
    return case


@pytest.fixture
def seven_cases(team_north, alice):
    # Three opened the same day: the reference orders them, the key must tell them apart.
    return [_open_case(team_north, alice, days_ago=days) for days in (0, 1, 1, 1, 2, 3, 5)]


def _walk(client, url, *, link="next"):
    """The references of every page from `url` on, following `link`, and the pages' answers."""
    seen, answers = [], []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        answer = response.json()
        answers.append(answer)
        page = [row["reference"] for row in answer["results"]]
        seen = seen + page if link == "next" else page + seen
        url = answer[link]
    return seen, answers


def _in_list_order(cases):
    ordered = sorted(cases, key=lambda case: case.reference)
    ordered.sort(key=lambda case: case.opened_on, reverse=True)
    return [case.reference for case in ordered]


def test_a_list_read_by_cursor_gives_every_row_once_in_its_order(
    api, alice, seven_cases, two_a_page
):
    client = api(alice)
    forward, answers = _walk(client, "/api/v1/cases/?cursor=")
    assert forward == _in_list_order(seven_cases)
    assert len(answers) == 4
    # No count by cursor: that is what it saves.
    assert set(answers[0]) == {"next", "previous", "results"}
    assert answers[0]["previous"] is None and answers[-1]["next"] is None
    # Back from the last page, page by page, to the first.
    last = client.get(answers[-2]["next"]).json()
    backward, _answers = _walk(client, last["previous"], link="previous")
    assert backward + [row["reference"] for row in last["results"]] == forward


def test_the_page_numbers_answer_as_before(api, alice, seven_cases, two_a_page):
    answer = api(alice).get("/api/v1/cases/?page=2").json()
    assert list(answer) == ["count", "count_is_lower_bound", "next", "previous", "results"]
    assert answer["next"].endswith("?page=3") and answer["previous"].endswith("/api/v1/cases/")
    assert [row["reference"] for row in answer["results"]] == _in_list_order(seven_cases)[2:4]


def test_rows_added_and_removed_before_the_cursor_shift_no_other_row(
    api, alice, team_north, seven_cases, two_a_page
):
    client = api(alice)
    expected = _in_list_order(seven_cases)
    first = client.get("/api/v1/cases/?cursor=").json()
    by_number = client.get("/api/v1/cases/").json()
    # Meanwhile a case is opened, first in the list.
    _open_case(team_north, alice, days_ago=-1)
    following = client.get(first["next"]).json()
    assert [row["reference"] for row in following["results"]] == expected[2:4]
    # By number, the second page now repeats the last row of the first.
    repeated = client.get(by_number["next"]).json()
    assert [row["reference"] for row in repeated["results"]] == expected[1:3]
    # And one of the first page leaves the list: still no row skipped.
    gone = next(case for case in seven_cases if case.reference == expected[0])
    gone.assignments.all().delete()
    following = client.get(first["next"]).json()
    assert [row["reference"] for row in following["results"]] == expected[2:4]


def test_a_deep_page_costs_what_the_first_does_and_counts_nothing(
    api, alice, seven_cases, two_a_page
):
    client = api(alice)
    first = query_count(client, "/api/v1/cases/?cursor=")
    _seen, answers = _walk(client, "/api/v1/cases/?cursor=")
    assert query_count(client, answers[-2]["next"]) == first
    assert first == query_count(client, "/api/v1/cases/?page=1") - 1


def test_a_cursor_reads_only_what_the_reader_sees(api, alice, charlie, seven_cases, two_a_page):
    """A cursor is a place in the list, not a permission: another reader's rows stay theirs."""
    cursor_link = api(alice).get("/api/v1/cases/?cursor=").json()["next"]
    answer = api(charlie).get(cursor_link).json()
    assert answer["results"] == [] and answer["next"] is None


@pytest.mark.parametrize(
    "cursor",
    [
        "nonsense",
        "WyJ4IixbXV0",
        "WyJhIixbMSwyLDNdXQ",
        "WyJhIiwiMSJd",
        base64.urlsafe_b64encode(b"[" * 100_000).decode(),
        base64.urlsafe_b64encode(b'["a",[{"x":1},"C-1","x"]]').decode(),
    ],
)
def test_a_made_up_cursor_is_not_found(api, alice, seven_cases, cursor):
    response = api(alice).get(f"/api/v1/cases/?cursor={cursor}")
    assert response.status_code == 404
    assert "cursor" in response.json()["detail"]


def test_rows_with_an_empty_key_column_are_read_once_too(api, alice, north_case, monkeypatch):
    """Follow-ups are ordered by completion, which most have not: NULLs come last, and are read."""
    monkeypatch.setattr(BoundedCountPagination, "page_size", 1)
    now = timezone.now()
    tasks = [
        Task.objects.create(
            case=north_case,
            title=f"t{n}",
            created_by=alice,
            due_on=DAY if n % 2 else None,
            completed_at=now - datetime.timedelta(hours=n) if n < 2 else None,
            completed_by=alice if n < 2 else None,
        )
        for n in range(5)
    ]
    client = api(alice)
    seen, answers = [], []
    url = "/api/v1/tasks/?cursor="
    while url:
        answer = client.get(url).json()
        answers.append(answer)
        seen += [row["id"] for row in answer["results"]]
        url = answer["next"]
    assert sorted(seen) == sorted(str(task.pk) for task in tasks) and len(seen) == 5
    back, url = [], answers[-1]["previous"]
    while url:
        answer = client.get(url).json()
        back = [row["id"] for row in answer["results"]] + back
        url = answer["previous"]
    assert back == seen[:-1]
