"""/api/v1/notes/: caseworkers' notes on a case."""

import pytest

from casework.models import CaseNote

from .conftest import query_count, results

pytestmark = pytest.mark.django_db

URL = "/api/v1/notes/"


@pytest.fixture
def note(north_case, alice):
    return CaseNote.objects.create(case=north_case, author=alice, body="Met at the market")


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


def test_it_writes_a_note(api, alice, north_case):
    """A note is written through the service, its body encrypted at rest."""
    response = api(alice).post(
        URL, {"case": north_case.reference, "body": "어머니가 연락함"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["author"] == "alice"
    assert CaseNote.objects.get().body == "어머니가 연락함"


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
    response = client.post(URL, {"case": north_case.reference, "body": "x"}, format="json")
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
