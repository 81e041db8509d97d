"""/api/v1/entitlements/: what happened when a person sought a benefit."""

import datetime

import pytest

from casework.models import Entitlement

from ..factories import CaseMemberFactory
from .conftest import query_count, results

pytestmark = pytest.mark.django_db

URL = "/api/v1/entitlements/"


@pytest.fixture
def refusal(north_person):
    return Entitlement.objects.create(
        person=north_person,
        kind="school",
        status="denied",
        as_of=datetime.date(2024, 9, 1),
        note="No hukou",
    )


def detail(record) -> str:
    return f"{URL}{record.pk}/"


def test_it_lists_filters_and_retrieves(api, alice, refusal, north_person):
    """Entitlements filter by person, kind and status; the note reads decrypted."""
    client = api(alice)
    rows = results(client.get(URL, {"person": north_person.reference, "status": "denied"}))
    assert [row["id"] for row in rows] == [str(refusal.pk)]
    assert results(client.get(URL, {"kind": "medical_care"})) == []
    assert client.get(detail(refusal)).json()["note"] == "No hukou"


def test_another_team_gets_404(api, charlie, refusal, north_person, south_case):
    """A caseworker of another team neither sees nor adds to them."""
    client = api(charlie)
    assert client.get(detail(refusal)).status_code == 404
    assert str(refusal.pk) not in client.get(URL).content.decode()
    body = {"person": north_person.reference, "kind": "school", "status": "denied"}
    response = client.post(URL, {**body, "as_of": "2024-01-01"}, format="json")
    assert response.status_code == 400
    assert Entitlement.objects.count() == 1


def test_it_records_an_entitlement(api, alice, north_person):
    """A refusal of school enrolment is recorded and its writer named."""
    response = api(alice).post(
        URL,
        {
            "person": north_person.reference,
            "kind": "school",
            "status": "denied",
            "as_of": "2024-09-01",
            "note": "Refused at enrolment",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["recorded_by"] == "alice"
    assert Entitlement.objects.get().note == "Refused at enrolment"


def test_shape_errors_are_field_errors(api, alice, north_person):
    """A missing date and an unknown benefit are field errors, and nothing is saved."""
    response = api(alice).post(
        URL, {"person": north_person.reference, "kind": "yacht", "status": "denied"}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"kind", "as_of"}
    assert not Entitlement.objects.exists()


def test_a_legal_advocate_reads_but_does_not_write(api, lena, refusal, north_person):
    """A legal advocate reads entitlements and gets 403 on a new one."""
    client = api(lena)
    assert client.get(detail(refusal)).status_code == 200
    response = client.post(
        URL,
        {
            "person": north_person.reference,
            "kind": "school",
            "status": "granted",
            "as_of": "2025-01-01",
        },
        format="json",
    )
    assert response.status_code == 403
    assert Entitlement.objects.count() == 1


def test_the_list_query_count_is_flat(api, alice, north_case):
    """The list takes as many queries for 30 records as for 5."""

    def add(n):
        for _ in range(n):
            person = CaseMemberFactory(case=north_case).person
            Entitlement.objects.create(
                person=person, kind="school", status="denied", as_of=datetime.date(2024, 1, 1)
            )

    client = api(alice)
    add(5)
    five = query_count(client, URL)
    add(25)
    assert query_count(client, URL) == five


def test_anonymous_requests_are_refused(api, refusal):
    """Without signing in, nothing is shown."""
    assert api().get(URL).status_code == 401
    assert api().get(detail(refusal)).status_code == 401
