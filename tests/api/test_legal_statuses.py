"""/api/v1/legal-statuses/: a person's legal-status timeline, changed only through the service."""

import datetime

import pytest

from casework.models import LegalStatusRecord

from ..factories import CaseMemberFactory
from .conftest import query_count, results

pytestmark = pytest.mark.django_db

URL = "/api/v1/legal-statuses/"


@pytest.fixture
def current(north_person):
    return LegalStatusRecord.objects.create(
        person=north_person,
        status="undocumented_cn",
        effective_from=datetime.date(2015, 1, 1),
        country="CN",
        place="Yanji",
    )


def detail(record) -> str:
    return f"{URL}{record.pk}/"


def change(person, **overrides) -> dict:
    return {
        "person": person.reference,
        "status": "detained_cn",
        "effective_from": "2024-05-01",
        "country": "CN",
        "place": "Tumen detention centre",
        "source": "family",
        **overrides,
    }


def test_it_lists_and_retrieves_the_timeline(api, alice, current, north_person):
    """The records of a person, with the current one marked and its place decrypted."""
    client = api(alice)
    rows = results(client.get(URL, {"person": north_person.reference, "current": "true"}))
    assert [row["id"] for row in rows] == [str(current.pk)]
    body = client.get(detail(current)).json()
    assert body["is_current"] is True
    assert body["place"] == "Yanji"


def test_another_team_gets_404(api, charlie, current, north_person, south_case):
    """A caseworker of another team neither sees the records nor adds to them."""
    client = api(charlie)
    assert client.get(detail(current)).status_code == 404
    assert north_person.reference not in client.get(URL).content.decode()
    response = client.post(URL, change(north_person), format="json")
    assert response.status_code == 400
    assert "person" in response.json()
    assert LegalStatusRecord.objects.count() == 1


def test_a_change_closes_the_current_status(api, alice, current, north_person):
    """Creating a record is a status change: the current one ends the day the new one begins."""
    response = api(alice).post(URL, change(north_person), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["is_current"] is True
    assert response.json()["recorded_by"] == "alice"
    current.refresh_from_db()
    assert current.effective_to == datetime.date(2024, 5, 1)


def test_a_change_before_the_current_status_is_a_field_error(api, alice, current, north_person):
    """A change dated before the current status began is refused on effective_from."""
    response = api(alice).post(
        URL, change(north_person, effective_from="2014-01-01"), format="json"
    )
    assert response.status_code == 400
    assert "effective_from" in response.json()
    current.refresh_from_db()
    assert current.effective_to is None
    assert LegalStatusRecord.objects.count() == 1


def test_defaults_fill_country_and_source(api, alice, north_person):
    """A change that leaves out country and source takes the model's defaults."""
    body = change(north_person)
    del body["country"], body["source"]
    response = api(alice).post(URL, body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["country"] == "ZZ"
    assert response.json()["source"] == "caseworker"


def test_a_past_period_is_filled_in(api, alice, current, north_person):
    """The `past` action records a closed period that overlaps nothing; an overlap is refused."""
    client = api(alice)
    past = change(
        north_person, status="in_transit", effective_from="2010-01-01", effective_to="2012-01-01"
    )
    response = client.post(f"{URL}past/", past, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["is_current"] is False
    overlapping = {**past, "effective_from": "2011-01-01", "effective_to": "2016-01-01"}
    response = client.post(f"{URL}past/", overlapping, format="json")
    assert response.status_code == 400
    assert LegalStatusRecord.objects.count() == 2
    missing_end = client.post(f"{URL}past/", change(north_person), format="json")
    assert missing_end.status_code == 400
    assert "effective_to" in missing_end.json()


def test_a_legal_advocate_reads_but_does_not_write(api, lena, current, north_person):
    """A legal advocate reads the timeline and gets 403 on changes."""
    client = api(lena)
    assert client.get(detail(current)).status_code == 200
    assert client.post(URL, change(north_person), format="json").status_code == 403
    past = change(north_person, effective_from="2010-01-01", effective_to="2012-01-01")
    assert client.post(f"{URL}past/", past, format="json").status_code == 403
    assert LegalStatusRecord.objects.count() == 1


def test_the_list_query_count_is_flat(api, alice, north_case):
    """The list takes as many queries for 30 records as for 5."""

    def add(n):
        for _ in range(n):
            person = CaseMemberFactory(case=north_case).person
            LegalStatusRecord.objects.create(
                person=person, status="unknown", effective_from=datetime.date(2020, 1, 1)
            )

    client = api(alice)
    add(5)
    five = query_count(client, URL)
    add(25)
    assert query_count(client, URL) == five


def test_anonymous_requests_are_refused(api, current):
    """Without signing in, nothing is shown."""
    assert api().get(URL).status_code == 401
    assert api().get(detail(current)).status_code == 401
