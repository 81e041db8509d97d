"""
Every write to the casework records. Each service takes keyword arguments only, names the `actor`
who acts (the audit trail will record it here), validates with `full_clean()` and saves inside
one transaction, so that a refused write leaves nothing behind.
"""

import hashlib
import io
import os
import zipfile
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import TeamMembership
from vault.blind_index import blind_index

from .choices import AssignmentRole
from .models import (
    Attachment,
    Case,
    CaseAssignment,
    CaseMember,
    CaseNote,
    Entitlement,
    Incident,
    LegalStatusRecord,
    Person,
    PersonAlias,
    Relationship,
    Task,
)
from .querysets import NAME_SCOPE

PERSON_FIELDS = frozenset(
    {
        "full_name",
        "date_of_birth",
        "place_of_origin",
        "current_location",
        "contact",
        "notes",
        "sex",
        "birth_year",
        "nationality",
        "role",
        "region",
    }
)


def _check_person_fields(fields: dict) -> None:
    unknown = set(fields) - PERSON_FIELDS
    if unknown:
        raise TypeError(f"Unknown person fields: {', '.join(sorted(unknown))}")


def _lock_person(person: Person) -> None:
    """Serialise writes to one person's history (a no-op on SQLite, which locks the database)."""
    Person.objects.select_for_update().filter(pk=person.pk).values_list("pk", flat=True).get()


def _save(instance):
    instance.full_clean()
    instance.save()
    return instance


# People


def person_create(*, actor, aliases: Iterable[str] = (), **fields) -> Person:
    """Register a person with any other names they are known by."""
    _check_person_fields(fields)
    dob = fields.get("date_of_birth")
    if dob and fields.get("birth_year") is None:
        fields["birth_year"] = dob.year
    with transaction.atomic():
        person = _save(Person(**fields))
        for name in aliases:
            _alias_save(person=person, name=name)
    return person


def person_update(*, person: Person, actor, **fields) -> Person:
    """Change a person's details; the coarse birth year follows a changed date of birth."""
    _check_person_fields(fields)
    dob = fields.get("date_of_birth")
    if dob and "birth_year" not in fields:
        fields["birth_year"] = dob.year
    with transaction.atomic():
        for name, value in fields.items():
            setattr(person, name, value)
        _save(person)
    return person


def _alias_save(*, person: Person, name: str) -> PersonAlias:
    digest = blind_index(NAME_SCOPE, name)
    if name and digest is None:
        raise ValidationError({"name": _("An alias must contain letters or digits.")})
    if digest is not None and Person.objects.filter(pk=person.pk).matching_name(name).exists():
        raise ValidationError({"name": _("This person is already known by that name.")})
    return _save(PersonAlias(person=person, name=name))


def person_alias_add(*, person: Person, name: str, actor) -> PersonAlias:
    """Record another name a person is known by."""
    with transaction.atomic():
        return _alias_save(person=person, name=name)


def relationship_create(
    *, from_person: Person, to_person: Person, kind: str, marriage_registered=None, actor
) -> Relationship:
    """Record a family tie, read as `from_person` <kind> `to_person`."""
    with transaction.atomic():
        # Lock both people in a fixed order, so two clerks entering a tie and its reverse at
        # once cannot both pass validation.
        for pk in sorted({str(from_person.pk), str(to_person.pk)}):
            Person.objects.select_for_update().filter(pk=pk).values_list("pk", flat=True).get()
        return _save(
            Relationship(
                from_person=from_person,
                to_person=to_person,
                kind=kind,
                marriage_registered=marriage_registered,
            )
        )


# Legal status history: the only place that opens and closes status records.


def legal_status_change(
    *,
    person: Person,
    status: str,
    effective_from,
    actor,
    country: str,
    place: str = "",
    source: str,
    note: str = "",
) -> LegalStatusRecord:
    """
    The person's legal situation changed on `effective_from`: the current status ends that day
    and the new one becomes current.
    """
    with transaction.atomic():
        _lock_person(person)
        current = LegalStatusRecord.objects.filter(person=person, effective_to__isnull=True).first()
        if current is not None:
            if effective_from <= current.effective_from:
                raise ValidationError(
                    {
                        "effective_from": _(
                            "The new status must begin after the current status “%(status)s”, "
                            "which began on %(start)s."
                        )
                        % {
                            "status": current.get_status_display(),
                            "start": current.effective_from.isoformat(),
                        }
                    }
                )
            current.effective_to = effective_from
            _save(current)
        return _save(
            LegalStatusRecord(
                person=person,
                status=status,
                effective_from=effective_from,
                country=country,
                place=place,
                source=source,
                note=note,
                recorded_by=actor,
            )
        )


def legal_status_record_add(
    *,
    person: Person,
    status: str,
    effective_from,
    effective_to,
    actor,
    country: str,
    place: str = "",
    source: str,
    note: str = "",
) -> LegalStatusRecord:
    """Fill in a past period of the timeline; it may not overlap any other record."""
    if effective_to is None:
        raise ValidationError(
            {
                "effective_to": _(
                    "A past period needs the day it ended; record a current status as a change."
                )
            }
        )
    with transaction.atomic():
        _lock_person(person)
        return _save(
            LegalStatusRecord(
                person=person,
                status=status,
                effective_from=effective_from,
                effective_to=effective_to,
                country=country,
                place=place,
                source=source,
                note=note,
                recorded_by=actor,
            )
        )


def entitlement_record(
    *, person: Person, kind: str, status: str, as_of, note: str = "", actor
) -> Entitlement:
    """Record what happened when the person sought a benefit; earlier records stay as history."""
    with transaction.atomic():
        return _save(
            Entitlement(
                person=person, kind=kind, status=status, as_of=as_of, note=note, recorded_by=actor
            )
        )


# Cases


def _team_has_member(team, user) -> bool:
    return TeamMembership.objects.filter(team=team, user=user).exists()


def _assign(*, case: Case, user, role: str, actor) -> CaseAssignment:
    if not user.is_active:
        raise ValidationError(
            {"user": _("%(user)s is not an active user.") % {"user": user.get_username()}}
        )
    if role == AssignmentRole.CASEWORKER and not _team_has_member(case.team, user):
        raise ValidationError(
            {
                "user": _("%(user)s is not a member of team %(team)s.")
                % {"user": user.get_username(), "team": case.team.name}
            }
        )
    return _save(CaseAssignment(case=case, user=user, role=role, assigned_by=actor))


def case_open(
    *,
    team,
    actor,
    risk_level: str,
    summary: str = "",
    members: Iterable[tuple[Person, str]] = (),
    caseworkers: Iterable = (),
) -> Case:
    """Open a case for a team with its people and the caseworkers who will work it."""
    with transaction.atomic():
        case = _save(Case(team=team, owner=actor, risk_level=risk_level, summary=summary))
        for person, role in members:
            _save(CaseMember(case=case, person=person, role=role))
        for user in caseworkers:
            _assign(case=case, user=user, role=AssignmentRole.CASEWORKER, actor=actor)
    return case


def case_add_member(*, case: Case, person: Person, role: str, actor) -> CaseMember:
    """Add a person to a case."""
    with transaction.atomic():
        return _save(CaseMember(case=case, person=person, role=role))


def case_assign(*, case: Case, user, role: str, actor) -> CaseAssignment:
    """Assign a caseworker (of the case's team) or share the case with a legal advocate."""
    with transaction.atomic():
        return _assign(case=case, user=user, role=role, actor=actor)


def case_note_add(*, case: Case, body: str, actor) -> CaseNote:
    with transaction.atomic():
        return _save(CaseNote(case=case, author=actor, body=body))


def _refuse_non_members(case: Case, people: Iterable[Person], field: str) -> None:
    pks = {person.pk for person in people}
    members = set(
        CaseMember.objects.filter(case=case, person__in=pks).values_list("person", flat=True)
    )
    outsiders = [person for person in people if person.pk not in members]
    if outsiders:
        raise ValidationError(
            {
                field: _("Not members of case %(case)s: %(people)s.")
                % {
                    "case": case.reference,
                    "people": ", ".join(sorted(person.reference for person in outsiders)),
                }
            }
        )


def incident_record(
    *,
    case: Case,
    kind: str,
    occurred_on,
    region: str,
    description: str = "",
    people: Iterable[Person] = (),
    actor,
) -> Incident:
    """Record a dated event in a case and the case's people it involved."""
    people = list(people)
    _refuse_non_members(case, people, "people")
    with transaction.atomic():
        incident = _save(
            Incident(
                case=case,
                kind=kind,
                occurred_on=occurred_on,
                region=region,
                description=description,
                recorded_by=actor,
            )
        )
        incident.people.set(people)
    return incident


def task_create(*, case: Case, title: str, actor, due_on=None, assignee=None) -> Task:
    """A follow-up for a case; whoever is to do it must be able to see the case."""
    if assignee is not None and not Case.objects.visible_to(assignee).filter(pk=case.pk).exists():
        raise ValidationError(
            {
                "assignee": _("%(user)s cannot see case %(case)s.")
                % {"user": assignee.get_username(), "case": case.reference}
            }
        )
    with transaction.atomic():
        return _save(
            Task(case=case, title=title, due_on=due_on, assignee=assignee, created_by=actor)
        )


def task_complete(*, task: Task, actor) -> Task:
    """Mark a follow-up done, once."""
    with transaction.atomic():
        locked = Task.objects.select_for_update().get(pk=task.pk)
        if locked.is_done:
            raise ValidationError(_("This task was already completed."))
        locked.completed_at = timezone.now()
        locked.completed_by = actor
        _save(locked)
    task.completed_at, task.completed_by = locked.completed_at, locked.completed_by
    return task


# Attachments

SNIFF_BYTES = 64
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
TEXT_CONTROLS_ALLOWED = {"\t", "\n", "\r", "\f"}


def _sniff_zip(data: bytes) -> str | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        if "mimetype" in names:
            with archive.open("mimetype") as member:
                if member.read(len(ODT_MIMETYPE) + 1).strip() == ODT_MIMETYPE:
                    return "application/vnd.oasis.opendocument.text"
        if {"[Content_Types].xml", "word/document.xml"} <= names:
            return DOCX
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError):
        return None
    return None


def _looks_like_text(data: bytes) -> bool:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return not any((ch < " " and ch not in TEXT_CONTROLS_ALLOWED) or ch == "\x7f" for ch in text)


def sniff_content_type(data: bytes) -> str | None:
    """The type the bytes themselves show, among those we accept; None for anything else."""
    head = data[:SNIFF_BYTES]
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp" and head[8:12] in HEIC_BRANDS:
        return "image/heic"
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(data)
    if _looks_like_text(data):
        return "text/plain"
    return None


def _read_upload(uploaded_file, limit: int) -> bytes:
    if uploaded_file.size is not None and uploaded_file.size > limit:
        raise ValidationError({"file": _too_large(limit)})
    chunks, total = [], 0
    uploaded_file.seek(0)
    for chunk in uploaded_file.chunks():
        total += len(chunk)
        if total > limit:
            raise ValidationError({"file": _too_large(limit)})
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limit: int) -> str:
    return _("The file is larger than the limit of %(limit)s.") % {"limit": filesizeformat(limit)}


def attachment_add(
    *, case: Case, uploaded_file, actor, person: Person | None = None, description: str = ""
) -> Attachment:
    """
    Keep a file with a case, encrypted at rest. Its type is read from its first bytes, never
    taken from the browser, and only documents and photos are accepted.
    """
    data = _read_upload(uploaded_file, settings.SHIMTEO_ATTACHMENT_MAX_BYTES)
    if not data:
        raise ValidationError({"file": _("The file is empty.")})
    content_type = sniff_content_type(data)
    if content_type is None:
        raise ValidationError(
            {
                "file": _(
                    "This kind of file is not accepted. Upload a PDF, a photo (JPEG, PNG, WebP, "
                    "HEIC), a plain text file, or a Word or OpenDocument text document."
                )
            }
        )
    if person is not None:
        _refuse_non_members(case, [person], "person")
    original_name = os.path.basename((uploaded_file.name or "").replace("\\", "/"))[:255]
    attachment = Attachment(
        case=case,
        person=person,
        original_name=original_name or _("unnamed"),
        description=description,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=actor,
    )
    # The stored name is random; the neutral name given here only keeps the upload_to folder.
    attachment.full_clean(exclude=["file"])
    attachment.file.save("upload", ContentFile(data), save=False)
    try:
        with transaction.atomic():
            _save(attachment)
    except BaseException:
        attachment.file.storage.delete(attachment.file.name)
        raise
    return attachment
