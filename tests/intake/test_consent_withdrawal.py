import datetime

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from casework import services as casework
from casework.erasure import consent_withdraw
from casework.models import Attachment, Entitlement, Incident, LegalStatusRecord, Person
from consent.checks import allows
from consent.models import Consent
from consent.services import consent_record

from ..conftest import sign_in

pytestmark = pytest.mark.django_db
SECRETS = [
    "김순희",
    "Kim Sun-hui",
    "Hoeryong, North Hamgyong",
    "Yanji, Jilin",
    "+86 138",
    "1984-05-17",
]


@pytest.fixture
def person(north_case, alice):
    """north_case's member with every kind of identifying detail recorded."""
    person = north_case.people.get()
    person.full_name, person.notes = "김순희", "Hiding with relatives in Yanji, Jilin"
    person.save()
    casework.person_alias_add(person=person, name="Kim Sun-hui", actor=alice)
    casework.legal_status_change(
        person=person,
        status="undocumented_cn",
        effective_from=datetime.date(2005, 1, 1),
        country="CN",
        place="Yanji, Jilin",
        note="Crossed at Hoeryong, North Hamgyong",
        source="caseworker",
        actor=alice,
    )
    casework.entitlement_record(
        person=person,
        kind="medical_care",
        status="denied",
        as_of=datetime.date(2020, 1, 1),
        note="Refused at Yanji, Jilin hospital",
        actor=alice,
    )
    casework.incident_record(
        case=north_case,
        kind="raid",
        occurred_on=datetime.date(2023, 1, 1),
        region="cn-jilin",
        description="Raid on 김순희's home",
        people=[person],
        actor=alice,
    )
    Attachment.objects.create(
        case=north_case,
        person=person,
        file=ContentFile(b"photo", name="id"),
        original_name="id.jpg",
        content_type="image/jpeg",
        size=5,
        sha256="0" * 64,
    )
    consent_record(person=person, actor=alice, method="verbal", scopes=["store_data", "statistics"])
    return person


def test_withdrawing_store_data_erases_identifying_details(person, alice):
    """Name, dates, places, contact, notes, aliases, notes and files go; coarse facts stay."""
    consent_withdraw(person=person, scopes=["store_data"], actor=alice)

    person.refresh_from_db()
    assert person.full_name == person.reference
    assert (person.date_of_birth, person.place_of_origin, person.current_location) == (None, "", "")
    assert (person.contact, person.notes, person.contact_index) == ("", "", None)
    assert (person.sex, person.birth_year, person.nationality) == ("female", 1984, "dprk")
    assert not person.aliases.exists()
    assert Person.objects.matching_name("김순희").count() == 0
    status = LegalStatusRecord.objects.get(person=person)
    assert (status.status, status.place, status.note) == ("undocumented_cn", "", "")
    assert Entitlement.objects.get(person=person).note == ""
    assert Incident.objects.get(people=person).description == ""
    assert not Attachment.objects.filter(person=person).exists()
    assert allows(person, "store_data") is False and allows(person, "statistics") is True
    assert Consent.objects.filter(person=person).count() == 2
    event = AuditEvent.objects.filter(action="update", target_id=str(person.pk)).latest("sequence")
    assert event.detail["erased_because"] == "consent_withdrawn"
    assert "full_name" in event.detail["fields"] and event.detail["aliases_deleted"] == 1


@pytest.mark.postgres
def test_the_erased_row_holds_nothing_identifying_in_the_database(person, alice):
    """Read raw from PostgreSQL: no ciphertext of the old values is left, only the reference."""
    consent_withdraw(person=person, scopes=["store_data"], actor=alice)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT date_of_birth, place_of_origin, current_location, contact, notes, full_name "
            "FROM casework_person WHERE id = %s",
            [person.pk],
        )
        dob, origin, location, contact, notes, full_name = cursor.fetchone()
        cursor.execute(
            "SELECT row_to_json(p)::text FROM casework_person p WHERE id = %s", [person.pk]
        )
        (raw_row,) = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FROM casework_personalias WHERE person_id = %s", [person.pk]
        )
        (aliases,) = cursor.fetchone()
    assert dob is None and aliases == 0
    assert not any(secret in raw_row for secret in SECRETS)
    assert full_name.startswith("v1:")
    for column in (origin, location, contact, notes):
        assert column in ("", None) or column.startswith("v1:")
    # The blank values decrypt to nothing; the old values are not anywhere in the row.
    fresh = Person.objects.get(pk=person.pk)
    assert [fresh.place_of_origin, fresh.current_location, fresh.contact, fresh.notes] == [""] * 4


def test_withdrawing_another_scope_erases_nothing(person, alice):
    consent_withdraw(person=person, scopes=["statistics"], actor=alice)
    person.refresh_from_db()
    assert person.full_name == "김순희" and person.aliases.count() == 1
    assert allows(person, "statistics") is False and allows(person, "store_data") is True


def test_withdrawal_through_the_page(person, alice, charlie):
    """The caseworker of the case records it; another team's caseworker gets 404."""
    url = reverse("intake:consent_withdraw", kwargs={"person_ref": person.reference})
    assert sign_in(Client(), charlie).get(url).status_code == 404
    assert sign_in(Client(), charlie).post(url, {"scopes": ["store_data"]}).status_code == 404
    client = sign_in(Client(), alice)
    unconfirmed = client.post(url, {"scopes": ["store_data"], "method": "verbal"})
    assert unconfirmed.status_code == 400
    done = client.post(url, {"scopes": ["store_data"], "method": "verbal", "confirm_erasure": "on"})
    assert done.status_code == 302
    person.refresh_from_db()
    assert person.full_name == person.reference
