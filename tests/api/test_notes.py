"""/api/v1/notes/: caseworkers' notes on a case."""

import datetime

import pytest

from casework import dates
from casework.models import CaseNote

from .conftest import query_count, results

pytestmark = pytest.mark.django_db

URL = "/api/v1/notes/"


@pytest.fixture
def note(north_case, alice):
    return CaseNote.objects.create(
        case=north_case, author=alice, kind="visit", body="Met at the market"
    )


def detail(note) -> str:
    return f"{URL}{note.pk}/"


def test_it_lists_and_retrieves_notes(api, alice, note, north_case):
    """Notes of a case filter by case; the list shows no body, the (audited) detail does."""
    client = api(alice)
    rows = results(client.get(URL, {"case": north_case.reference}))
    assert [row["id"] for row in rows] == [str(note.pk)]
    assert "body" not in rows[0]
    body = client.get(detail(note)).json()
    assert (body["author"], body["body"]) == ("alice", "Met at the market")


def test_another_team_gets_404(api, charlie, note, north_case, south_case):
    """A caseworker of another team neither reads nor writes notes of the case."""
    client = api(charlie)
    assert client.get(detail(note)).status_code == 404
    body = client.get(URL).content.decode()
    assert north_case.reference not in body
    assert "Met at the market" not in body
    response = client.post(URL, {"case": north_case.reference, "body": "x"}, format="json")
    assert response.status_code == 400
    assert CaseNote.objects.count() == 1


def _written(case, **fields) -> dict:
    """A note as a client posts it: a call two days ago."""
    return {
        "case": case.reference,
        "kind": "call",
        "contacted_on": str(dates.today() - datetime.timedelta(days=2)),
        "body": "어머니가 연락함",
        **fields,
    }


def test_it_writes_a_note(api, alice, north_case):
    """A note is written through the service, its body encrypted at rest."""
    response = api(alice).post(URL, _written(north_case), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["author"], body["kind"]) == ("alice", "call")
    assert body["contacted_on"] == str(dates.today() - datetime.timedelta(days=2))
    assert CaseNote.objects.get().body == "어머니가 연락함"


def test_a_note_says_how_and_when_the_contact_took_place(api, alice, north_case):
    """Without a kind or a date of contact, or with a date to come, a note is refused."""
    client = api(alice)
    missing = client.post(URL, {"case": north_case.reference, "body": "x"}, format="json")
    assert missing.status_code == 400
    assert set(missing.json()) == {"kind", "contacted_on"}
    wrong_kind = client.post(URL, _written(north_case, kind="telepathy"), format="json")
    assert wrong_kind.status_code == 400
    assert "kind" in wrong_kind.json()
    tomorrow = str(dates.today() + datetime.timedelta(days=1))
    future = client.post(URL, _written(north_case, contacted_on=tomorrow), format="json")
    assert future.status_code == 400
    assert future.json()["contacted_on"] == ["This date is in the future."]
    assert not CaseNote.objects.exists()


def test_notes_filter_by_kind_and_date_of_contact(api, alice, note, north_case):
    """The list shows each note's kind and day (plain columns) and narrows to them."""
    api(alice).post(URL, _written(north_case), format="json")
    client = api(alice)
    rows = results(client.get(URL, {"kind": "call"}))
    assert [(row["kind"], row["contacted_on"]) for row in rows] == [
        ("call", str(dates.today() - datetime.timedelta(days=2)))
    ]
    assert "body" not in rows[0]
    since = str(dates.today() - datetime.timedelta(days=1))
    assert [row["id"] for row in results(client.get(URL, {"contacted_on_after": since}))] == [
        str(note.pk)
    ]


def test_an_empty_note_is_a_field_error(api, alice, north_case):
    """A note without a body is refused on that field."""
    response = api(alice).post(URL, {"case": north_case.reference, "body": ""}, format="json")
    assert response.status_code == 400
    assert "body" in response.json()
    assert not CaseNote.objects.exists()


def test_a_legal_advocate_reads_but_does_not_write(api, lena, note, north_case):
    """A legal advocate reads the notes and gets 403 on a new one."""
    client = api(lena)
    assert client.get(detail(note)).status_code == 200
    response = client.post(URL, _written(north_case), format="json")
    assert response.status_code == 403
    assert CaseNote.objects.count() == 1


def test_the_list_query_count_is_flat(api, alice, north_case):
    """The list takes as many queries for 30 notes as for 5."""
    client = api(alice)
    for _ in range(5):
        CaseNote.objects.create(case=north_case, author=alice, body="n")
    five = query_count(client, URL)
    for _ in range(25):
        CaseNote.objects.create(case=north_case, author=alice, body="n")
    assert query_count(client, URL) == five


def test_anonymous_requests_are_refused(api, note):
    """Without signing in, nothing is shown."""
    assert api().get(URL).status_code == 401
    assert api().get(detail(note)).status_code == 401
