"""POST /api/v1/incidents/detention/: an arrest and what it changes, in one step, as on the page."""

import datetime

import pytest

from casework.choices import RiskLevel
from casework.models import CaseFlag, Incident, LegalStatusRecord

pytestmark = pytest.mark.django_db

URL = "/api/v1/incidents/detention/"


def arrest(case, person, **overrides) -> dict:
    return {
        "case": case.reference,
        "kind": "arrest",
        "occurred_on": (datetime.date.today() - datetime.timedelta(days=2)).isoformat(),
        "region": "cn-jilin",
        "description": "Taken at the market in Yanji",
        "people": [person.reference],
        "status_source": "family",
        **overrides,
    }


def test_a_mother_arrested_in_yanji_is_detained_flagged_and_high_risk(
    api, alice, north_case, north_person
):
    """Her sister calls: the arrest, her status, the flag and the risk are saved together."""
    response = api(alice).post(URL, arrest(north_case, north_person), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["detained"] == [north_person.reference]
    assert body["flag_raised"] and body["risk_raised"]
    assert body["incident"]["kind"] == "arrest"
    assert body["incident"]["description"] == "Taken at the market in Yanji"
    current = LegalStatusRecord.objects.get(person=north_person, effective_to__isnull=True)
    assert (current.status, current.source) == ("detained_cn", "family")
    north_case.refresh_from_db()
    assert north_case.risk_level == RiskLevel.HIGH
    assert north_case.flags.filter(kind=CaseFlag.Kind.DETAINED_MEMBER, active=True).exists()


def test_each_change_can_be_left_out(api, alice, north_case, north_person):
    """Only the incident and the flag: the status and the risk stay as they were."""
    response = api(alice).post(
        URL,
        arrest(north_case, north_person, set_detained=False, raise_risk=False, status_source=""),
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["detained"] == [] and not response.json()["risk_raised"]
    assert not LegalStatusRecord.objects.filter(person=north_person).exists()
    north_case.refresh_from_db()
    assert north_case.risk_level == RiskLevel.MEDIUM


def test_the_services_rules_refuse_and_nothing_is_saved(api, alice, north_case, north_person):
    """Not an arrest; a status without its source; a detention in North Korea "in China"."""
    client = api(alice)
    for overrides, field in (
        ({"kind": "raid"}, "kind"),
        ({"status_source": ""}, "status_source"),
        ({"region": "kp"}, "set_detained"),
    ):
        response = client.post(URL, arrest(north_case, north_person, **overrides), format="json")
        assert response.status_code == 400, overrides
        assert field in response.json(), response.json()
    assert not Incident.objects.exists()
    assert not LegalStatusRecord.objects.exists()


def test_an_advocate_gets_403_and_another_team_cannot_name_the_case(
    api, lena, charlie, north_case, north_person
):
    assert api(lena).post(URL, arrest(north_case, north_person), format="json").status_code == 403
    response = api(charlie).post(URL, arrest(north_case, north_person), format="json")
    assert response.status_code == 400
    assert north_case.reference not in response.content.decode()
    assert not Incident.objects.exists()
