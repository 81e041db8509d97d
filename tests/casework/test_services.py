"""The casework write services: each writes all of its rows or, when refused, none."""

import datetime
import hashlib
import io
import itertools
import threading
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from casework import services
from casework.choices import (
    AssignmentRole,
    Country,
    EntitlementKind,
    EntitlementStatus,
    IncidentKind,
    LegalStatus,
    MemberRole,
    PersonRole,
    Region,
    RelationshipKind,
    RiskLevel,
    StatusSource,
)
from casework.models import (
    Attachment,
    Case,
    CaseAssignment,
    CaseMember,
    Incident,
    LegalStatusRecord,
    Person,
    PersonAlias,
    Relationship,
    Task,
)
from casework.permissions import editable_cases
from consent.models import Method, Scope
from consent.services import consent_record
from vault.storage import EncryptedFileSystemStorage

from ..factories import AdvocateFactory, CaseFactory, MembershipFactory, PersonFactory, UserFactory

D = datetime.date


def _case_of(actor) -> Case:
    """A case `actor` works, so that the people registered in it are theirs to change."""
    case = editable_cases(actor).order_by("opened_on", "reference").first()
    return case or CaseFactory(team=actor.teams.first(), owner=actor)


def _person(actor, **fields):
    fields.setdefault("full_name", "리영희")
    fields.setdefault("role", PersonRole.REFUGEE)
    fields.setdefault("case", _case_of(actor))
    return services.person_create(actor=actor, **fields)


def _change(person, actor, status, start, **extra):
    return services.legal_status_change(
        person=person,
        status=status,
        effective_from=start,
        actor=actor,
        country=extra.pop("country", Country.CHINA),
        source=extra.pop("source", StatusSource.CASEWORKER),
        **extra,
    )


# People


def test_person_create_sets_birth_year_from_date_of_birth(alice):
    """The coarse birth year is taken from the date of birth."""
    person = _person(alice, date_of_birth=D(1986, 2, 3))
    assert Person.objects.get(pk=person.pk).birth_year == 1986


def test_person_create_stores_aliases_searchably(alice):
    """A person can be found by any of their aliases."""
    person = _person(alice, aliases=["Li Yonghui", "李英姬"])
    assert person.aliases.count() == 2
    assert list(Person.objects.matching_name("li yonghui")) == [person]


def test_person_create_with_an_invalid_alias_creates_nothing(alice):
    """A refused alias leaves neither the person nor the other aliases behind."""
    with pytest.raises(ValidationError):
        _person(alice, aliases=["Li Yonghui", "x" * 201])
    assert Person.objects.count() == 0
    assert PersonAlias.objects.count() == 0


def test_person_create_refuses_a_missing_name(alice):
    """A person needs a name."""
    with pytest.raises(ValidationError) as caught:
        services.person_create(actor=alice, full_name="", role=PersonRole.CHILD)
    assert "full_name" in caught.value.message_dict
    assert Person.objects.count() == 0


def test_person_create_refuses_unknown_fields(alice):
    """A programming mistake such as setting the reference is refused loudly."""
    with pytest.raises(TypeError, match="reference"):
        _person(alice, reference="P-AAAAAAAA")


def test_person_update_moves_birth_year_with_date_of_birth(alice):
    """Correcting the date of birth corrects the birth year too."""
    person = _person(alice, date_of_birth=D(1986, 2, 3))
    services.person_update(person=person, actor=alice, date_of_birth=D(1988, 7, 9))
    assert Person.objects.get(pk=person.pk).birth_year == 1988


def test_person_update_refuses_a_birth_date_after_the_childs(alice):
    """A parent's date of birth cannot be moved after their child's, and nothing is saved."""
    mother = _person(alice, date_of_birth=D(1980, 1, 1))
    child = _person(alice, full_name="Child", date_of_birth=D(2005, 1, 1), role=PersonRole.CHILD)
    services.relationship_create(
        from_person=mother, to_person=child, kind=RelationshipKind.PARENT_OF, actor=alice
    )
    with pytest.raises(ValidationError):
        services.person_update(person=mother, actor=alice, date_of_birth=D(2006, 1, 1))
    assert Person.objects.get(pk=mother.pk).date_of_birth == D(1980, 1, 1)


def test_person_alias_add_refuses_a_name_the_person_already_has(alice):
    """An alias equal to the full name (in another case or spacing) is refused."""
    person = _person(alice, full_name="Ri Yong Hui")
    with pytest.raises(ValidationError, match="already known"):
        services.person_alias_add(person=person, name="ri yonghui", actor=alice)


def test_person_alias_add_refuses_punctuation_only(alice):
    """An alias that cannot be searched is refused."""
    person = _person(alice)
    with pytest.raises(ValidationError, match="letters or digits"):
        services.person_alias_add(person=person, name="--", actor=alice)


# Relationships


def test_relationship_create_records_a_couple(alice):
    """A couple's tie keeps whether the marriage is registered."""
    a, b = _person(alice), _person(alice, full_name="Wang")
    tie = services.relationship_create(
        from_person=a,
        to_person=b,
        kind=RelationshipKind.PARTNER_OF,
        marriage_registered=False,
        actor=alice,
    )
    assert Relationship.objects.get(pk=tie.pk).marriage_registered is False


def test_relationship_create_refuses_a_self_parent(alice):
    """A person cannot be their own parent."""
    a = _person(alice)
    with pytest.raises(ValidationError):
        services.relationship_create(
            from_person=a, to_person=a, kind=RelationshipKind.PARENT_OF, actor=alice
        )
    assert Relationship.objects.count() == 0


def test_relationship_create_refuses_a_child_born_first(alice):
    """The child must be born after the parent."""
    parent = _person(alice, date_of_birth=D(2000, 1, 1))
    child = _person(alice, full_name="Child", date_of_birth=D(1999, 1, 1))
    with pytest.raises(ValidationError, match="must be after the parent"):
        services.relationship_create(
            from_person=parent, to_person=child, kind=RelationshipKind.PARENT_OF, actor=alice
        )


def test_relationship_create_refuses_the_reverse_parenthood(alice):
    """Once recorded as parent, a person cannot also be the child."""
    a, b = _person(alice), _person(alice, full_name="B")
    services.relationship_create(
        from_person=a, to_person=b, kind=RelationshipKind.PARENT_OF, actor=alice
    )
    with pytest.raises(ValidationError, match="own parent"):
        services.relationship_create(
            from_person=b, to_person=a, kind=RelationshipKind.PARENT_OF, actor=alice
        )
    assert Relationship.objects.count() == 1


# Legal status history


def test_legal_status_change_closes_the_current_status(alice):
    """The current status ends the day the new one begins, and the new one is current."""
    person = _person(alice)
    first = _change(person, alice, LegalStatus.UNDOCUMENTED_CN, D(2010, 1, 1), place="Yanji")
    second = _change(person, alice, LegalStatus.DETAINED_CN, D(2015, 3, 4), note="Raid")
    first.refresh_from_db()
    assert first.effective_to == D(2015, 3, 4)
    assert LegalStatusRecord.objects.get(person=person, effective_to__isnull=True) == second
    assert second.recorded_by == alice
    assert LegalStatusRecord.objects.get(pk=first.pk).place == "Yanji"


@pytest.mark.parametrize("start", [D(2010, 1, 1), D(2009, 12, 31)])
def test_legal_status_change_refuses_a_date_on_or_before_the_current_start(alice, start):
    """A change dated on or before the current status began is refused, and nothing changes."""
    person = _person(alice)
    _change(person, alice, LegalStatus.UNDOCUMENTED_CN, D(2010, 1, 1))
    with pytest.raises(ValidationError, match="must begin after"):
        _change(person, alice, LegalStatus.DETAINED_CN, start)
    current = LegalStatusRecord.objects.get(person=person)
    assert (current.status, current.effective_to) == (LegalStatus.UNDOCUMENTED_CN, None)


def test_legal_status_change_refuses_to_overlap_a_later_period(alice):
    """Without a current status, a change cannot begin inside a recorded past period."""
    person = _person(alice)
    services.legal_status_record_add(
        person=person,
        status=LegalStatus.DETAINED_CN,
        effective_from=D(2012, 1, 1),
        effective_to=D(2012, 6, 1),
        actor=alice,
        country=Country.CHINA,
        source=StatusSource.FAMILY,
    )
    with pytest.raises(ValidationError, match="overlap"):
        _change(person, alice, LegalStatus.UNDOCUMENTED_CN, D(2011, 1, 1))
    assert LegalStatusRecord.objects.filter(person=person).count() == 1


def test_legal_status_change_refuses_invalid_status_without_closing_the_current(alice):
    """When the new record is invalid, the current one stays open."""
    person = _person(alice)
    _change(person, alice, LegalStatus.UNDOCUMENTED_CN, D(2010, 1, 1))
    with pytest.raises(ValidationError):
        _change(person, alice, "on_the_moon", D(2014, 1, 1))
    assert LegalStatusRecord.objects.get(person=person).effective_to is None


def test_legal_status_record_add_fills_in_the_past(alice):
    """A past period before the current status is accepted."""
    person = _person(alice)
    _change(person, alice, LegalStatus.UNDOCUMENTED_CN, D(2010, 1, 1))
    services.legal_status_record_add(
        person=person,
        status=LegalStatus.IN_TRANSIT,
        effective_from=D(2008, 1, 1),
        effective_to=D(2010, 1, 1),
        actor=alice,
        country=Country.THIRD_COUNTRY,
        source=StatusSource.FAMILY,
    )
    statuses = LegalStatusRecord.objects.filter(person=person).order_by("effective_from")
    assert [r.status for r in statuses] == [LegalStatus.IN_TRANSIT, LegalStatus.UNDOCUMENTED_CN]


def test_legal_status_record_add_refuses_an_overlap(alice):
    """A past period reaching into the current status is refused."""
    person = _person(alice)
    _change(person, alice, LegalStatus.UNDOCUMENTED_CN, D(2010, 1, 1))
    with pytest.raises(ValidationError, match="overlap"):
        services.legal_status_record_add(
            person=person,
            status=LegalStatus.IN_TRANSIT,
            effective_from=D(2008, 1, 1),
            effective_to=D(2010, 1, 2),
            actor=alice,
            country=Country.THIRD_COUNTRY,
            source=StatusSource.FAMILY,
        )


def test_legal_status_record_add_needs_an_end(alice):
    """A past period without an end is refused: current statuses are opened by a change."""
    person = _person(alice)
    with pytest.raises(ValidationError) as caught:
        services.legal_status_record_add(
            person=person,
            status=LegalStatus.IN_TRANSIT,
            effective_from=D(2008, 1, 1),
            effective_to=None,
            actor=alice,
            country=Country.THIRD_COUNTRY,
            source=StatusSource.FAMILY,
        )
    assert "effective_to" in caught.value.message_dict


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_status_changes_never_leave_two_open_records(team_north):
    """Two first statuses entered at the same moment are applied one after the other."""
    actor = UserFactory(username="clerk")
    MembershipFactory(user=actor, team=team_north)
    person = _person(actor)
    statuses = [LegalStatus.UNDOCUMENTED_CN, LegalStatus.DETAINED_CN, LegalStatus.REPATRIATED]
    barrier, outcomes = threading.Barrier(len(statuses)), []

    def change(status, start):
        try:
            barrier.wait()
            _change(Person.objects.get(pk=person.pk), actor, status, start)
            outcomes.append("saved")
        except ValidationError:
            outcomes.append("refused")
        except Exception as exc:
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=change, args=(status, D(2010 + n, 1, 1)))
        for n, status in enumerate(statuses)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert set(outcomes) <= {"saved", "refused"}, outcomes
    assert "saved" in outcomes
    assert LegalStatusRecord.objects.filter(person=person, effective_to__isnull=True).count() == 1
    periods = list(LegalStatusRecord.objects.filter(person=person).order_by("effective_from"))
    for earlier, later in itertools.pairwise(periods):
        assert earlier.effective_to == later.effective_from


# Entitlements


def test_entitlement_record_keeps_history(alice):
    """A later record of the same benefit does not erase the earlier one."""
    person = _person(alice)
    for status, day in [(EntitlementStatus.DENIED, 1), (EntitlementStatus.PENDING, 2)]:
        services.entitlement_record(
            person=person,
            kind=EntitlementKind.SCHOOL,
            status=status,
            as_of=D(2020, 1, day),
            note="",
            actor=alice,
        )
    assert person.entitlements.count() == 2


# Cases


@pytest.fixture
def family(alice):
    mother = _person(alice, date_of_birth=D(1982, 1, 1))
    child = _person(alice, full_name="Child", date_of_birth=D(2009, 1, 1), role=PersonRole.CHILD)
    return mother, child


def test_case_open_creates_members_and_assignments(team_north, alice, sue, family):
    """Opening a case records its people and its caseworkers in one go."""
    mother, child = family
    case = services.case_open(
        team=team_north,
        actor=sue,
        risk_level=RiskLevel.HIGH,
        summary="Mother and child near Yanji",
        members=[(mother, MemberRole.PRINCIPAL), (child, MemberRole.CHILD)],
        caseworkers=[alice],
    )
    case = Case.objects.get(pk=case.pk)
    assert case.owner == sue
    assert case.summary == "Mother and child near Yanji"
    assert set(case.people.all()) == {mother, child}
    assignment = CaseAssignment.objects.get(case=case)
    assert (assignment.user, assignment.assigned_by) == (alice, sue)


def test_case_open_with_an_outside_caseworker_creates_nothing(team_north, sue, charlie, family):
    """A caseworker of another team is refused, and no case is left half-opened."""
    mother, _ = family
    cases, members = Case.objects.count(), CaseMember.objects.count()
    with pytest.raises(ValidationError, match="not a caseworker of team North"):
        services.case_open(
            team=team_north,
            actor=sue,
            risk_level=RiskLevel.LOW,
            members=[(mother, MemberRole.PRINCIPAL)],
            caseworkers=[charlie],
        )
    assert Case.objects.count() == cases
    assert CaseMember.objects.count() == members


def test_case_open_refuses_the_same_person_twice(team_north, sue, family):
    """A person is a member of a case once."""
    mother, _ = family
    before = Case.objects.count()
    with pytest.raises(ValidationError):
        services.case_open(
            team=team_north,
            actor=sue,
            risk_level=RiskLevel.LOW,
            members=[(mother, MemberRole.PRINCIPAL), (mother, MemberRole.RELATIVE)],
        )
    assert Case.objects.count() == before


def test_case_assign_shares_with_a_legal_advocate_outside_the_team(north_case, sue, team_south):
    """A legal advocate need not belong to the team (the members consent to sharing)."""
    consent_record(
        person=north_case.people.get(),
        actor=sue,
        method=Method.WRITTEN,
        scopes=[Scope.SHARE_WITH_ADVOCATES],
    )
    advocate = AdvocateFactory(username="lawyer")
    services.case_assign(
        case=north_case, user=advocate, role=AssignmentRole.LEGAL_ADVOCATE, actor=sue
    )
    assert Case.objects.visible_to(advocate).get() == north_case


def test_case_share_refuses_someone_who_is_no_legal_advocate(north_case, sue, charlie):
    """A share would grant nothing (the rule asks for a legal-advocate membership): refused."""
    consent_record(
        person=north_case.people.get(),
        actor=sue,
        method=Method.WRITTEN,
        scopes=[Scope.SHARE_WITH_ADVOCATES],
    )
    with pytest.raises(ValidationError, match="not a legal advocate"):
        services.case_share(case=north_case, advocate=charlie, actor=sue)
    assert not Case.objects.visible_to(charlie).exists()


def test_case_assign_refuses_an_inactive_user(north_case, sue, bob):
    """A deactivated account cannot be assigned."""
    bob.is_active = False
    bob.save()
    with pytest.raises(ValidationError, match="not an active user"):
        services.case_assign(case=north_case, user=bob, role=AssignmentRole.CASEWORKER, actor=sue)


def test_case_add_member_refuses_a_duplicate(north_case, alice):
    """Adding a person already in the case is refused."""
    person = north_case.people.get()
    with pytest.raises(ValidationError):
        services.case_add_member(case=north_case, person=person, role=MemberRole.OTHER, actor=alice)


def test_case_note_add_refuses_an_empty_note(north_case, alice):
    """A note needs a body."""
    with pytest.raises(ValidationError):
        services.case_note_add(case=north_case, body="", actor=alice)
    assert north_case.notes.count() == 0


def test_incident_record_links_the_people_involved(north_case, alice):
    """An incident names the case's people it involved."""
    person = north_case.people.get()
    incident = services.incident_record(
        case=north_case,
        kind=IncidentKind.RAID,
        occurred_on=D(2021, 4, 1),
        region=Region.JILIN,
        description="Police visited the flat",
        people=[person],
        actor=alice,
    )
    assert list(Incident.objects.get(pk=incident.pk).people.all()) == [person]


def test_incident_record_refuses_people_outside_the_case(north_case, alice):
    """Someone who is not a member of the case cannot be named in its incident."""
    outsider = PersonFactory()
    with pytest.raises(ValidationError, match=outsider.reference):
        services.incident_record(
            case=north_case,
            kind=IncidentKind.ARREST,
            occurred_on=D(2021, 4, 1),
            region=Region.JILIN,
            description="",
            people=[outsider],
            actor=alice,
        )
    assert Incident.objects.count() == 0


def test_task_create_refuses_an_assignee_who_cannot_see_the_case(north_case, alice, charlie):
    """A follow-up cannot be given to someone outside the case."""
    with pytest.raises(ValidationError, match="cannot see"):
        services.task_create(case=north_case, title="Call", actor=alice, assignee=charlie)


def test_task_complete_refuses_twice(north_case, alice, sue):
    """A task is completed once; the second attempt is refused and the first stands."""
    task = services.task_create(
        case=north_case, title="Visit school", actor=alice, due_on=D(2030, 1, 1), assignee=alice
    )
    services.task_complete(task=task, actor=alice)
    with pytest.raises(ValidationError, match="already completed"):
        services.task_complete(task=Task.objects.get(pk=task.pk), actor=sue)
    assert Task.objects.get(pk=task.pk).completed_by == alice


# Attachments

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            # A fixed date: the bytes are test ids, and pytest-xdist refuses to run when its
            # workers, collecting in different seconds under load, name the tests differently.
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), data)
    return buffer.getvalue()


def test_attachment_add_stores_the_file_encrypted(north_case, alice):
    """The file is stored encrypted under a random name, with its size, type and hash."""
    content = b"%PDF-1.7\n" + "여권 사본".encode() * 100
    upload = SimpleUploadedFile("passport-kim.pdf", content, content_type="image/png")
    attachment = services.attachment_add(case=north_case, uploaded_file=upload, actor=alice)
    attachment = Attachment.objects.get(pk=attachment.pk)
    assert attachment.original_name == "passport-kim.pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.size == len(content)
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert "passport" not in attachment.file.name
    assert isinstance(default_storage, EncryptedFileSystemStorage)
    assert content not in default_storage.read_raw(attachment.file.name)
    with attachment.file.open() as handle:
        assert handle.read() == content


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\xff\xd8\xff\xe0" + b"\x00" * 32, "image/jpeg"),
        (PNG, "image/png"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 32, "image/webp"),
        (b"\x00\x00\x00\x18ftypheic" + b"\x00" * 32, "image/heic"),
        ("연길에서 만남.\n".encode(), "text/plain"),
        (
            _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"}),
            "application/vnd.oasis.opendocument.text",
        ),
    ],
)
def test_attachment_add_reads_the_type_from_the_bytes(north_case, alice, content, expected):
    """Each accepted kind is recognised from its content, whatever the browser claimed."""
    upload = SimpleUploadedFile("file", content, content_type="application/octet-stream")
    attachment = services.attachment_add(case=north_case, uploaded_file=upload, actor=alice)
    assert attachment.content_type == expected


@pytest.mark.parametrize(
    "content",
    [
        b"<html><script>alert(1)</script></html>\x00",
        b"MZ\x90\x00\x03\x00\x00\x00",
        _zip({"payload.exe": b"MZ"}),
        b"<svg xmlns='http://www.w3.org/2000/svg'>\x01</svg>",
    ],
)
def test_attachment_add_refuses_other_kinds(north_case, alice, content):
    """A file that is not a document or photo is refused even when labelled as a PDF."""
    upload = SimpleUploadedFile("scan.pdf", content, content_type="application/pdf")
    with pytest.raises(ValidationError, match="not accepted"):
        services.attachment_add(case=north_case, uploaded_file=upload, actor=alice)
    assert Attachment.objects.count() == 0


def test_attachment_add_refuses_a_file_over_the_limit(north_case, alice, settings, tmp_path):
    """A file larger than SHIMTEO_ATTACHMENT_MAX_BYTES is refused and nothing is stored."""
    settings.SHIMTEO_ATTACHMENT_MAX_BYTES = 100
    upload = SimpleUploadedFile("big.png", PNG + b"\x00" * 100, content_type="image/png")
    with pytest.raises(ValidationError, match="larger than the limit"):
        services.attachment_add(case=north_case, uploaded_file=upload, actor=alice)
    assert Attachment.objects.count() == 0
    media = settings.MEDIA_ROOT
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_attachment_add_refuses_an_empty_file(north_case, alice):
    """An empty upload is refused."""
    upload = SimpleUploadedFile("empty.txt", b"", content_type="text/plain")
    with pytest.raises(ValidationError, match="empty"):
        services.attachment_add(case=north_case, uploaded_file=upload, actor=alice)


def test_attachment_add_refuses_a_person_outside_the_case(north_case, alice, settings):
    """A file cannot be filed under someone outside the case, and no file is left on disk."""
    upload = SimpleUploadedFile("photo.png", PNG, content_type="image/png")
    with pytest.raises(ValidationError, match="Not members"):
        services.attachment_add(
            case=north_case, uploaded_file=upload, actor=alice, person=PersonFactory()
        )
    media = settings.MEDIA_ROOT
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))
