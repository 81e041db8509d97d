"""
Consent through the API: a person's consent history, recording and renewing it, and the consent
part of registering a person or adding one to a case, checked by the pages' own forms.
"""

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from casework import services
from casework.models import CaseMember, Person
from consent.models import Consent

from ..conftest import consent_answer
from ..factories import AssignmentFactory, CaseFactory, CaseMemberFactory

pytestmark = pytest.mark.django_db

PERSONS = "/api/v1/persons/"


def consents_url(person, tail="") -> str:
    return f"{PERSONS}{person.reference}/consents/{tail}"


def child_of(case, **overrides) -> dict:
    return {
        "case": case.reference,
        "case_role": "child",
        "full_name": "리은별",
        "sex": "female",
        "nationality": "stateless",
        "role": "child",
        "region": "cn-jilin",
        **overrides,
    }


def test_registering_a_person_needs_a_consent_part(api, alice, north_case):
    """Without one nobody is registered; the page's rules answer on the consent's own fields."""
    client = api(alice)
    before = Person.objects.count()
    missing = client.post(PERSONS, child_of(north_case), format="json")
    assert missing.status_code == 400 and "consent" in missing.json()
    refused = client.post(
        PERSONS, child_of(north_case, consent=consent_answer(scopes=["statistics"])), format="json"
    )
    assert refused.status_code == 400
    assert "scopes" in refused.json()["consent"]
    assert Person.objects.count() == before


def test_a_widows_daughter_is_registered_with_her_mothers_consent(
    api, alice, north_case, north_person
):
    """The mother in the case answers for her daughter: the record names her as guardian."""
    response = api(alice).post(
        PERSONS,
        child_of(
            north_case,
            consent=consent_answer(
                consent="guardian", guardian=north_person.reference, witnessed_by_user="alice"
            ),
        ),
        format="json",
    )
    assert response.status_code == 201, response.content
    consent = Consent.objects.get(person__reference=response.json()["reference"])
    assert consent.guardian == north_person
    assert consent.witnessed_by_user.username == "alice"
    assert consent.store_data and consent.share_with_advocates


def test_consent_that_could_not_be_asked_needs_a_documented_reason(api, alice, north_person):
    client = api(alice)
    response = client.post(
        consents_url(north_person), {"consent": "not_asked", "not_asked_reason": "unsafe"}
    )
    assert response.status_code == 400
    assert "explanation" in response.json()
    response = client.post(
        consents_url(north_person),
        {
            "consent": "not_asked",
            "not_asked_reason": "unsafe",
            "explanation": "Her husband's family was in the room",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["kind"] == "not_asked"
    details = str(list(AuditEvent.objects.values_list("detail", flat=True)))
    assert "husband's family" not in details


def test_the_history_lists_every_record_newest_first_and_is_audited(api, alice, lena, north_person):
    """Asked in March, renewed later: both records, newest first, even for a reading advocate."""
    services.person_consent_record(person=north_person, actor=alice, **_given())
    client = api(alice)
    renewed = client.post(
        consents_url(north_person, "renew/"),
        {"method": "written", "given_on": _given()["given_on"].isoformat()},
        format="json",
    )
    assert renewed.status_code == 201, renewed.content
    assert renewed.json()["scopes"] == ["store_data", "share_with_advocates"]
    history = api(lena).get(consents_url(north_person))
    assert history.status_code == 200
    assert [row["kind"] for row in history.json()] == ["renewed", "given"]
    assert AuditEvent.objects.filter(
        action="view", actor=lena, target_id=str(north_person.pk), detail__seen="consent"
    ).exists()


def test_roles(api, lena, charlie, north_person):
    """Another team: 404; an advocate reads but records nothing (403)."""
    assert api(charlie).get(consents_url(north_person)).status_code == 404
    answer = consent_answer()
    assert api(charlie).post(consents_url(north_person), answer).status_code == 404
    assert api(lena).post(consents_url(north_person), answer, format="json").status_code == 403
    renew = {"method": "verbal", "given_on": answer["given_on"]}
    assert api(lena).post(consents_url(north_person, "renew/"), renew).status_code == 403
    assert not Consent.objects.exists()


def test_adding_someone_on_file_keeps_or_records_their_consent(api, alice, team_north):
    """
    The brother registered in another of Alice's cases joins his sister's: with no consent on
    file "on_file" is refused; asked now, he joins and his answer is recorded.
    """
    sister_case = CaseFactory(team=team_north, owner=alice)
    AssignmentFactory(case=sister_case, user=alice)
    CaseMemberFactory(case=sister_case)
    brother = CaseMemberFactory(
        case=CaseFactory(team=team_north, owner=alice), role="principal"
    ).person
    AssignmentFactory(case=brother.memberships.get().case, user=alice)
    client = api(alice)
    url = f"/api/v1/cases/{sister_case.reference}/members/"
    member = {"person": brother.reference, "role": "relative"}
    response = client.post(url, {**member, "consent": {"consent": "on_file"}}, format="json")
    assert response.status_code == 400
    assert "consent" in response.json()["consent"]
    assert not CaseMember.objects.filter(case=sister_case, person=brother).exists()
    response = client.post(url, {**member, "consent": consent_answer()}, format="json")
    assert response.status_code == 201, response.content
    assert brother.reference in [row["person"] for row in response.json()["members"]]
    assert Consent.objects.filter(person=brother, store_data=True).exists()


def _given() -> dict:
    return {
        "scopes": ["store_data", "share_with_advocates"],
        "method": "verbal",
        "given_on": timezone.localdate(),
    }
