"""/api/v1/incidents/: dated events in a case."""

import datetime

import pytest

from casework.models import Incident

from .conftest import query_count, results

pytestmark = pytest.mark.django_db

URL = "/api/v1/incidents/"


@pytest.fixture
def raid(north_case, north_person, alice):
    incident = Incident.objects.create(
        case=north_case,
        kind="raid",
        occurred_on=datetime.date(2024, 4, 2),
        region="cn-jilin",
        description="Police at the flat",
        recorded_by=alice,
    )
    incident.people.set([north_person])
    return incident


def detail(incident) -> str:
    return f"{URL}{incident.pk}/"


def test_it_lists_filters_and_retrieves(api, alice, raid, north_person):
    """Incidents filter by person, kind and date; the description reads decrypted."""
    client = api(alice)
    rows = results(client.get(URL, {"person": north_person.reference, "kind": "raid"}))
    assert [row["id"] for row in rows] == [str(raid.pk)]
    assert results(client.get(URL, {"occurred_on_after": "2025-01-01"})) == []
    body = client.get(detail(raid)).json()
    assert body["description"] == "Police at the flat"
    assert body["people"] == [north_person.reference]


def test_another_team_gets_404(api, charlie, raid, north_case, south_case):
    """A caseworker of another team neither sees, corrects nor adds incidents."""
    client = api(charlie)
    assert client.get(detail(raid)).status_code == 404
    assert client.patch(detail(raid), {"kind": "arrest"}, format="json").status_code == 404
    assert north_case.reference not in client.get(URL).content.decode()


def test_it_records_an_incident(api, alice, north_case, north_person):
    """An incident is recorded with the case members it involved."""
    response = api(alice).post(
        URL,
        {
            "case": north_case.reference,
            "kind": "arrest",
            "occurred_on": "2024-05-01",
            "people": [north_person.reference],
            "description": "Taken at the bus station",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["people"] == [north_person.reference]
    assert body["region"] == "unknown"


def test_people_outside_the_case_are_a_field_error(api, alice, north_case, south_person):
    """Someone out of sight is not found; nothing is saved."""
    response = api(alice).post(
        URL,
        {
            "case": north_case.reference,
            "kind": "arrest",
            "occurred_on": "2024-05-01",
            "people": [south_person.reference],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "people" in response.json()
    assert south_person.reference not in response.content.decode()
    assert not Incident.objects.exists()


def test_it_corrects_an_incident_and_refuses_a_stale_correction(api, alice, raid):
    """A correction raises the version; one based on the old version is a conflict."""
    client = api(alice)
    response = client.patch(detail(raid), {"kind": "detention", "version": 1}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 2
    stale = client.patch(detail(raid), {"region": "cn-liaoning", "version": 1}, format="json")
    assert stale.status_code == 409
    raid.refresh_from_db()
    assert (raid.kind, raid.region) == ("detention", "cn-jilin")


def test_a_legal_advocate_reads_but_does_not_write(api, lena, raid, north_case):
    """A legal advocate reads incidents and gets 403 on writes."""
    client = api(lena)
    assert client.get(detail(raid)).status_code == 200
    assert client.patch(detail(raid), {"kind": "arrest"}, format="json").status_code == 403
    response = client.post(
        URL,
        {"case": north_case.reference, "kind": "arrest", "occurred_on": "2024-05-01"},
        format="json",
    )
    assert response.status_code == 403
    assert Incident.objects.count() == 1


def test_the_list_query_count_is_flat(api, alice, north_case, north_person):
    """The list takes as many queries for 30 incidents as for 5."""

    def add(n):
        for _ in range(n):
            incident = Incident.objects.create(
                case=north_case, kind="raid", occurred_on=datetime.date(2024, 1, 1)
            )
            incident.people.set([north_person])

    client = api(alice)
    add(5)
    five = query_count(client, URL)
    add(25)
    assert query_count(client, URL) == five


def test_anonymous_requests_are_refused(api, raid):
    """Without signing in, nothing is shown."""
    assert api().get(URL).status_code == 401
    assert api().get(detail(raid)).status_code == 401
