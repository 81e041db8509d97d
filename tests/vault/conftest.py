"""
Vault fixtures: a fixed key ring (key id `k1`) instead of the development key file, and a person
with a record in every table that holds encrypted values.
"""

import datetime
import hashlib

import pytest
from django.core.files.base import ContentFile
from django.db import connection

from casework import choices
from casework.models import (
    Attachment,
    CaseNote,
    Entitlement,
    Incident,
    LegalStatusRecord,
    PersonAlias,
    Task,
)
from tests.factories import CaseFactory, CaseMemberFactory, PersonFactory
from vault.keyring import generate_key

FIRST_KEY = generate_key()
INDEX_KEY = generate_key()


@pytest.fixture(autouse=True)
def field_keys(settings):
    """The ring every vault test starts from: one primary key, `k1`."""
    settings.SHIMTEO_FIELD_KEYS = f"k1:{FIRST_KEY}"
    settings.SHIMTEO_INDEX_KEY = INDEX_KEY
    return settings


def raw_column(model, column: str, pk):
    """A column's stored text, read with raw SQL past every model field."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {connection.ops.quote_name(column)} FROM {table} WHERE id = %s",  # noqa: S608
            [model._meta.pk.get_db_prep_value(pk, connection)],
        )
        return cursor.fetchone()[0]


def write_raw_column(model, column: str, pk, value) -> None:
    """Overwrite a column with raw SQL, as an attacker with database access could."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {connection.ops.quote_name(column)} = %s WHERE id = %s",  # noqa: S608
            [value, model._meta.pk.get_db_prep_value(pk, connection)],
        )


SECRETS = {
    "full_name": "비밀김순옥",
    "place_of_origin": "Onsong-SECRET-ORIGIN-5521",
    "current_location": "延吉市秘密地址七号",
    "contact": "+86-138-SECRET-4242",
    "notes": "NOTES-hidden-in-Tumen-👩‍👧",
    "date_of_birth": "1983-04-29",
    "alias": "化名朴明花",
    "case_summary": "SUMMARY-cross-border-escape",
    "note_body": "NOTEBODY-safehouse-Longjing",
    "task_title": "TASK-visit-hidden-child",
    "status_place": "STATUSPLACE-Tumen-detention",
    "status_note": "STATUSNOTE-relative-informed",
    "entitlement_note": "ENTITLEMENTNOTE-school-refused",
    "incident_description": "INCIDENT-raid-on-apartment",
    "attachment_name": "passport-비밀김순옥.pdf",
    "attachment_description": "ATTACHMENTDESC-hukou-scan",
    "file_content": "FILECONTENT-scanned-identity-papers",
}


@pytest.fixture
def recorded_person(db):
    """A person with distinctive values in every encrypted field of every casework table."""
    person = PersonFactory(
        full_name=SECRETS["full_name"],
        place_of_origin=SECRETS["place_of_origin"],
        current_location=SECRETS["current_location"],
        contact=SECRETS["contact"],
        notes=SECRETS["notes"],
        date_of_birth=datetime.date.fromisoformat(SECRETS["date_of_birth"]),
        birth_year=1983,
    )
    case = CaseFactory(summary=SECRETS["case_summary"])
    CaseMemberFactory(case=case, person=person)
    PersonAlias.objects.create(person=person, name=SECRETS["alias"])
    CaseNote.objects.create(case=case, body=SECRETS["note_body"])
    Task.objects.create(case=case, title=SECRETS["task_title"])
    LegalStatusRecord.objects.create(
        person=person,
        status=choices.LegalStatus.UNDOCUMENTED_CN,
        effective_from=datetime.date(2020, 1, 1),
        place=SECRETS["status_place"],
        note=SECRETS["status_note"],
    )
    Entitlement.objects.create(
        person=person,
        kind=choices.EntitlementKind.HOUSEHOLD_REGISTRATION,
        status=choices.EntitlementStatus.DENIED,
        as_of=datetime.date(2021, 9, 1),
        note=SECRETS["entitlement_note"],
    )
    incident = Incident.objects.create(
        case=case,
        kind=choices.IncidentKind.RAID,
        occurred_on=datetime.date(2022, 3, 4),
        description=SECRETS["incident_description"],
    )
    incident.people.add(person)
    content = SECRETS["file_content"].encode()
    Attachment.objects.create(
        case=case,
        person=person,
        file=ContentFile(content, name=SECRETS["attachment_name"]),
        original_name=SECRETS["attachment_name"],
        description=SECRETS["attachment_description"],
        content_type="application/pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    return person
