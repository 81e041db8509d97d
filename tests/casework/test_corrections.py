"""
Correct, don't erase (issue 16, point 2): every record can be corrected or voided with a reason by
whoever may change its case, through the same date and family rules; the earlier values stay in
its history, encrypted, and a voided record leaves the timeline, the reports and the documents.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from audit.models import AuditEvent
from casework import services
from casework.choices import (
    Country,
    EntitlementKind,
    EntitlementStatus,
    IncidentKind,
    LegalStatus,
    MemberRole,
    PersonRole,
    Region,
    RelationshipKind,
    StatusSource,
)
from casework.exceptions import StaleEditError
from casework.models import (
    Attachment,
    CaseNote,
    Entitlement,
    Incident,
    LegalStatusRecord,
    PersonAlias,
    RecordRevision,
    Relationship,
)
from casework.selectors.people import current_status, status_timeline
from casework.selectors.timeline import case_timeline

D = datetime.date


@pytest.fixture
def mother(north_case):
    return north_case.people.get()


@pytest.fixture
def son(north_case, alice, mother):
    """Born in China in 2012 to a North Korean mother: stateless, no hukou."""
    return services.person_create(
        actor=alice,
        case=north_case,
        role_in_case=MemberRole.CHILD,
        full_name="김철수",
        role=PersonRole.CHILD,
        date_of_birth=D(2012, 6, 1),
    )


def _status_change(person, actor, start, status):
    return services.legal_status_change(
        person=person,
        status=status,
        effective_from=start,
        country=Country.CHINA,
        source=StatusSource.FAMILY,
        actor=actor,
    )


def _mistyped_2030(person, earlier: LegalStatusRecord) -> LegalStatusRecord:
    """A status typed as 2030 before the date rules existed: it closed the true current one."""
    earlier.effective_to = D(2030, 1, 1)
    earlier.save()
    return LegalStatusRecord.objects.create(
        person=person,
        status=LegalStatus.DETAINED_CN,
        effective_from=D(2030, 1, 1),
        country=Country.CHINA,
        source=StatusSource.CASEWORKER,
    )


def test_a_status_mistyped_as_2030_is_voided_and_the_earlier_one_is_current_again(
    north_case, mother, alice
):
    hiding = _status_change(mother, alice, D(2019, 3, 1), LegalStatus.UNDOCUMENTED_CN)
    wrong = _mistyped_2030(mother, hiding)
    assert current_status(mother) == wrong
    # The true change is refused while 2030 is current: the dead end the caseworker met.
    with pytest.raises(ValidationError):
        _status_change(mother, alice, D(2024, 2, 10), LegalStatus.DETAINED_CN)

    services.record_void(
        record=wrong, reason="Typed 2030 for 2024.", actor=alice, expected_version=1
    )

    assert current_status(mother) == hiding
    assert [s.pk for s in status_timeline(mother)] == [hiding.pk]
    detained = _status_change(mother, alice, D(2024, 2, 10), LegalStatus.DETAINED_CN)
    assert current_status(mother) == detained
    wrong.refresh_from_db()
    assert wrong.is_voided and wrong.void_reason == "Typed 2030 for 2024."
    # The reopened period's earlier end is in its history too, with the same reason.
    reopened = RecordRevision.objects.get(object_id=hiding.pk)
    assert reopened.earlier == {"effective_to": "2030-01-01"}
    assert reopened.reason == "Typed 2030 for 2024."


def test_correcting_a_status_start_moves_the_end_of_the_one_before(north_case, mother, alice):
    hiding = _status_change(mother, alice, D(2019, 3, 1), LegalStatus.UNDOCUMENTED_CN)
    detained = _status_change(mother, alice, D(2024, 2, 10), LegalStatus.DETAINED_CN)

    services.record_correct(
        record=detained,
        fields={"effective_from": D(2024, 1, 28)},
        reason="The family gave the wrong week.",
        actor=alice,
        expected_version=1,
    )
    hiding.refresh_from_db()
    assert hiding.effective_to == D(2024, 1, 28)
    # Before the status it followed began: refused, on the field.
    with pytest.raises(ValidationError) as refused:
        services.record_correct(
            record=detained,
            fields={"effective_from": D(2018, 1, 1)},
            reason="x",
            actor=alice,
        )
    assert "effective_from" in refused.value.error_dict
    # In the future: refused by the same date rules as a new status.
    with pytest.raises(ValidationError) as refused:
        services.record_correct(
            record=detained, fields={"effective_from": D(2099, 1, 1)}, reason="x", actor=alice
        )
    assert "effective_from" in refused.value.error_dict


def test_a_benefit_dated_1990_for_a_boy_born_2012_is_corrected_only_to_a_plausible_date(
    north_case, son, alice
):
    school = Entitlement.objects.create(
        person=son,
        kind=EntitlementKind.SCHOOL,
        status=EntitlementStatus.DENIED,
        as_of=D(1990, 9, 1),
        note="Refused at the village school: no hukou.",
    )
    for impossible in (D(2011, 9, 1), D(2099, 9, 1)):
        with pytest.raises(ValidationError) as refused:
            services.record_correct(
                record=school,
                fields={"as_of": impossible},
                reason="The year was mistyped.",
                actor=alice,
                expected_version=1,
            )
        assert "as_of" in refused.value.error_dict
    school.refresh_from_db()
    assert school.as_of == D(1990, 9, 1) and school.version == 1

    services.record_correct(
        record=school,
        fields={"as_of": D(2019, 9, 1)},
        reason="The year was mistyped.",
        actor=alice,
        expected_version=1,
    )
    school.refresh_from_db()
    assert (school.as_of, school.version) == (D(2019, 9, 1), 2)
    revision = school.revisions.get()
    assert (revision.number, revision.earlier, revision.made_by) == (
        1,
        {"as_of": "1990-09-01"},
        alice,
    )
    # An old reading is refused rather than overwriting.
    with pytest.raises(StaleEditError):
        services.record_correct(
            record=school, fields={"note": "x"}, reason="y", actor=alice, expected_version=1
        )


def test_a_note_naming_the_wrong_woman_is_corrected_and_the_old_text_is_kept_encrypted(
    north_case, alice
):
    note = services.case_note_add(
        case=north_case, body="Met 박영희 at the safe house in Yanji.", actor=alice
    )
    services.record_correct(
        record=note,
        fields={"body": "Met the mother at the safe house in Yanji."},
        reason="Wrong name: 박영희 is another family's.",
        actor=alice,
        expected_version=1,
    )
    note.refresh_from_db()
    assert note.body == "Met the mother at the safe house in Yanji."
    revision = note.revisions.get()
    assert revision.earlier == {"body": "Met 박영희 at the safe house in Yanji."}
    assert revision.fields == ["body"]
    # No plaintext of the old text or of the reason anywhere in the revision's row.
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM casework_recordrevision")
        raw = repr(cursor.fetchall())
    assert "박영희" not in raw and "safe house" not in raw
    # The audit event names the field, never the value.
    event = AuditEvent.objects.filter(target_id=str(note.pk), action="update").get()
    assert event.detail["fields"] == ["body"]
    assert "박영희" not in repr(event.detail)


def test_a_wrongly_uploaded_file_is_voided_and_its_bytes_deleted(
    north_case, alice, django_capture_on_commit_callbacks
):
    upload = SimpleUploadedFile("passport.txt", b"Another family's passport scan")
    attachment = services.attachment_add(case=north_case, uploaded_file=upload, actor=alice)
    storage, name = attachment.file.storage, attachment.file.name
    assert storage.exists(name)

    with django_capture_on_commit_callbacks(execute=True):
        services.record_void(
            record=attachment, reason="Uploaded to the wrong case.", actor=alice, expected_version=1
        )

    assert not storage.exists(name)
    assert not north_case.attachments.exists()
    kept = Attachment.with_voided.get(pk=attachment.pk)
    assert kept.is_voided and kept.sha256 and kept.original_name == "passport.txt"
    event = AuditEvent.objects.filter(target_id=str(attachment.pk), action="update").get()
    assert event.detail == {"fields": ["voided_at"], "voided": True, "file_deleted": True}


def test_a_voided_incident_leaves_the_timeline_the_person_page_facts_and_a_void_is_final(
    north_case, mother, alice
):
    arrest = services.incident_record(
        case=north_case,
        kind=IncidentKind.ARREST,
        occurred_on=D(2024, 2, 10),
        region=Region.JILIN,
        people=[mother],
        actor=alice,
    )
    services.record_void(record=arrest, reason="Entered twice.", actor=alice)
    assert not Incident.objects.filter(pk=arrest.pk).exists()
    assert mother.incidents.count() == 0
    assert all(entry.record != arrest for entry in case_timeline(north_case))
    assert arrest in [entry.record for entry in case_timeline(north_case, include_voided=True)]
    with pytest.raises(ValidationError):
        services.record_correct(
            record=arrest, fields={"region": Region.LIAONING}, reason="x", actor=alice
        )
    with pytest.raises(ValidationError):
        services.record_void(record=arrest, reason="again", actor=alice)


def test_a_reason_is_required(north_case, alice):
    note = services.case_note_add(case=north_case, body="Called.", actor=alice)
    with pytest.raises(ValidationError) as refused:
        services.record_void(record=note, reason="  ", actor=alice)
    assert "reason" in refused.value.error_dict
    assert CaseNote.objects.filter(pk=note.pk).exists()


def test_aliases_ties_and_follow_ups_are_corrected_and_voided(north_case, mother, son, alice):
    alias = services.person_alias_add(person=mother, name="Jin Shunji", actor=alice)
    services.record_correct(
        record=alias, fields={"name": "Jin Shunzi"}, reason="Spelling.", actor=alice
    )
    assert list(mother.aliases.values_list("pk", flat=True)) == [alias.pk]
    with pytest.raises(ValidationError):
        services.record_correct(
            record=alias, fields={"name": mother.full_name}, reason="x", actor=alice
        )
    services.record_void(record=alias, reason="Not her name.", actor=alice)
    assert not PersonAlias.objects.filter(person=mother).exists()

    buyer = services.person_create(
        actor=alice, case=north_case, full_name="王强", role=PersonRole.RELATIVE
    )
    tie = services.relationship_create(
        from_person=mother,
        to_person=buyer,
        kind=RelationshipKind.SPOUSE_OF,
        marriage_registered=True,
        actor=alice,
    )
    services.record_correct(
        record=tie, fields={"marriage_registered": False}, reason="No papers.", actor=alice
    )
    # Void it, and the same tie can be recorded again (the voided one stays as history).
    services.record_void(record=tie, reason="Entered on the wrong mother.", actor=alice)
    again = services.relationship_create(
        from_person=mother, to_person=buyer, kind=RelationshipKind.SPOUSE_OF, actor=alice
    )
    assert list(Relationship.objects.filter(to_person=buyer)) == [again]
    assert Relationship.with_voided.filter(to_person=buyer).count() == 2

    task = services.task_create(case=north_case, title="Visit Yanji", actor=alice)
    services.record_correct(
        record=task,
        fields={"title": "Visit Helong", "due_on": D(2030, 1, 1)},
        reason="The family moved.",
        actor=alice,
    )
    task.refresh_from_db()
    assert (task.title, task.due_on) == ("Visit Helong", D(2030, 1, 1))


def test_only_who_may_change_the_case_corrects_or_voids(north_case, alice, bob, charlie, sue):
    note = services.case_note_add(case=north_case, body="Called.", actor=alice)
    for outsider in (bob, charlie):
        with pytest.raises(PermissionDenied):
            services.record_correct(record=note, fields={"body": "x"}, reason="y", actor=outsider)
        with pytest.raises(PermissionDenied):
            services.record_void(record=note, reason="y", actor=outsider)
    services.record_correct(record=note, fields={"body": "Called twice."}, reason="y", actor=sue)
    services.record_void(record=note, reason="Duplicate.", actor=sue)


def test_the_incident_page_correction_keeps_the_earlier_values_too(north_case, mother, alice):
    raid = services.incident_record(
        case=north_case,
        kind=IncidentKind.RAID,
        occurred_on=D(2024, 5, 1),
        region=Region.JILIN,
        actor=alice,
    )
    services.incident_update(
        incident=raid, actor=alice, expected_version=1, region=Region.LIAONING, people=[mother]
    )
    revision = raid.revisions.get()
    assert revision.earlier == {"people": [], "region": Region.JILIN}
