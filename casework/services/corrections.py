"""
Correct, don't erase: one pair of services for every record a caseworker writes (note, follow-up,
file, incident, alias, family tie, legal-status period, benefit). A correction changes some of the
record's `correctable_fields`; a void takes the whole record out of force. Either needs a reason,
keeps what the record said before in a `RecordRevision` (encrypted), and is audited with field
names only. The record's own rules (dates, family, overlaps) are checked as when it was written.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from vault.blind_index import blind_index

from .. import dates, permissions
from ..exceptions import StaleEditError
from ..models import (
    Attachment,
    Case,
    CaseNote,
    Correctable,
    Entitlement,
    Incident,
    LegalStatusRecord,
    Person,
    PersonAlias,
    RecordRevision,
    Relationship,
    Task,
)
from ..querysets import NAME_SCOPE
from ._common import (
    _audit,
    _keep_revision,
    _lock_person,
    _person_case,
    _refuse_non_members,
    _require,
    _stored_values,
    _update,
)
from .names import _name_keys_refresh
from .people import _lock_people
from .statuses import _status_correction_effects, _status_void_effects


def record_correct(
    *,
    record: Correctable,
    fields: dict,
    reason: str,
    actor,
    expected_version: int | None = None,
    case: Case | None = None,
) -> Correctable:
    """
    Correct `fields` of a record; what they said before is kept in its history. Refused for a
    voided record, and for a value its own rules refuse (a benefit before the child's birth).
    `case` names the case an event about a person's record belongs to in the audit trail.
    """
    _require(permissions.can_correct_record(actor, record))
    unknown = set(fields) - set(record.correctable_fields)
    if unknown:
        raise TypeError(f"Fields that cannot be corrected: {', '.join(sorted(unknown))}")
    reason = _required_reason(reason)
    with transaction.atomic():
        current = _locked(record, expected_version)
        fields = dict(fields)
        moves = []
        if isinstance(current, LegalStatusRecord):
            # Its neighbours in the timeline move with its dates (statuses.py keeps the rules).
            moves = _status_correction_effects(current, fields)
        else:
            _CHECKS.get(type(current), _no_check)(current, fields)
        changed = sorted(name for name, value in fields.items() if getattr(current, name) != value)
        if not changed:
            return record
        audit_case = _audit_case(current, case)
        # A neighbour that shrinks moves first and one that grows after, so that the periods
        # never overlap on the way.
        for move in moves:
            if move.first:
                _follow(move.record, move.fields, reason=reason, actor=actor, case=audit_case)
        _keep_revision(
            current,
            earlier=_stored_values(current, changed),
            action=RecordRevision.Action.CORRECTED,
            reason=reason,
            actor=actor,
        )
        _update(record, {name: fields[name] for name in changed}, expected_version)
        _audit(actor, "update", record, case=audit_case, fields=changed, revision=current.version)
        if isinstance(current, PersonAlias):
            _name_keys_refresh(current.person)
        for move in moves:
            if not move.first:
                _follow(move.record, move.fields, reason=reason, actor=actor, case=audit_case)
    return record


def record_void(
    *,
    record: Correctable,
    reason: str,
    actor,
    expected_version: int | None = None,
    case: Case | None = None,
) -> Correctable:
    """
    Take a record out of force: it leaves every page, report and document, and is shown only to
    those who may correct it when they ask for voided records, struck through, with the reason.
    Voiding the current legal status makes the one it had ended current again. A voided file's
    encrypted bytes are deleted from storage (see `_void_file`); its name, size and hash stay.
    """
    _require(permissions.can_correct_record(actor, record))
    reason = _required_reason(reason)
    with transaction.atomic():
        current = _locked(record, expected_version)
        _keep_revision(
            current, earlier={}, action=RecordRevision.Action.VOIDED, reason=reason, actor=actor
        )
        current.voided_at, current.voided_by, current.void_reason = timezone.now(), actor, reason
        current.version = F("version") + 1
        current.save(update_fields=["voided_at", "voided_by", "void_reason", "version"])
        current.refresh_from_db(fields=["version"])
        detail = {}
        if isinstance(current, Attachment):
            detail["file_deleted"] = _void_file(current)
        audit_case = _audit_case(current, case)
        _audit(
            actor, "update", current, case=audit_case, fields=["voided_at"], voided=True, **detail
        )
        if isinstance(current, PersonAlias):
            # A voided alias is no longer a name the person is found by.
            _name_keys_refresh(current.person)
        if isinstance(current, LegalStatusRecord):
            for move in _status_void_effects(current):
                _follow(move.record, move.fields, reason=reason, actor=actor, case=audit_case)
        for field in ("version", "voided_at", "voided_by_id", "void_reason", "file"):
            if hasattr(current, field):
                setattr(record, field, getattr(current, field))
    return record


def _required_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why, for whoever reads this record later.")})
    return reason


def _locked(record: Correctable, expected_version: int | None) -> Correctable:
    """The stored record under a row lock (and its people's, for person records), in force."""
    model = type(record)
    if isinstance(record, Relationship):
        _lock_people(record.from_person, record.to_person)
    elif hasattr(record, "person") and not isinstance(record, Attachment):
        _lock_person(record.person)
    current = model.with_voided.select_for_update().get(pk=record.pk)
    if current.is_voided:
        raise ValidationError(_("This record was voided; it can no longer be changed."))
    if expected_version is not None and current.version != expected_version:
        raise StaleEditError()
    return current


def _follow(neighbour, moved: dict, *, reason: str, actor, case) -> None:
    """A neighbouring status period that moves with a corrected or voided one, kept and audited."""
    _keep_revision(
        neighbour,
        earlier=_stored_values(neighbour, moved),
        action=RecordRevision.Action.CORRECTED,
        reason=reason,
        actor=actor,
    )
    _update(neighbour, moved, expected_version=None)
    _audit(actor, "update", neighbour, case=case, fields=sorted(moved), revision=neighbour.version)


def _audit_case(record, case: Case | None) -> Case | None:
    if getattr(record, "case_id", None):
        return None  # the event names its case itself
    if isinstance(record, Relationship):
        return _person_case(record.from_person, case)
    return _person_case(record.person, case)


def _void_file(attachment: Attachment) -> bool:
    """
    The bytes of a voided file are deleted once the void is committed. A file is voided because
    it should not have been uploaded (another family's papers, the wrong child's photo): keeping
    it, even unreachable, keeps exactly what the mistake exposed. The row keeps its encrypted
    name, size and SHA-256, and the audit trail the upload, the void and this deletion.
    """
    storage, name = attachment.file.storage, attachment.file.name
    if not name:
        return False
    attachment.file = ""
    attachment.save(update_fields=["file"])
    transaction.on_commit(lambda: storage.delete(name))
    return True


# Each kind's own rules, as when the record was written.


def _no_check(record, fields: dict) -> None:
    return None


def _check_incident(incident: Incident, fields: dict) -> None:
    if "occurred_on" in fields:
        dates.check_event(fields["occurred_on"], field="occurred_on", people=incident.people.all())


def _check_entitlement(entitlement: Entitlement, fields: dict) -> None:
    if "as_of" in fields:
        dates.check_event(fields["as_of"], field="as_of", people=[entitlement.person])


def _check_note(note: CaseNote, fields: dict) -> None:
    if "contacted_on" in fields:
        dates.check_contact(fields["contacted_on"], case=note.case)


def _check_task(task: Task, fields: dict) -> None:
    assignee = fields.get("assignee")
    if (
        assignee is not None
        and not Case.objects.visible_to(assignee).filter(pk=task.case_id).exists()
    ):
        raise ValidationError(
            {
                "assignee": _("%(user)s cannot see case %(case)s.")
                % {"user": assignee.get_username(), "case": task.case.reference}
            }
        )


def _check_attachment(attachment: Attachment, fields: dict) -> None:
    if fields.get("person") is not None:
        _refuse_non_members(attachment.case, [fields["person"]], "person")


def _check_alias(alias: PersonAlias, fields: dict) -> None:
    if "name" not in fields:
        return
    digest = blind_index(NAME_SCOPE, fields["name"])
    if digest is None:
        raise ValidationError({"name": _("An alias must contain letters or digits.")})
    others = PersonAlias.objects.filter(person=alias.person_id).exclude(pk=alias.pk)
    if (
        others.filter(name_index=digest).exists()
        or Person.objects.filter(pk=alias.person_id, full_name_index=digest).exists()
    ):
        raise ValidationError({"name": _("This person is already known by that name.")})


_CHECKS = {
    CaseNote: _check_note,
    Incident: _check_incident,
    Entitlement: _check_entitlement,
    Task: _check_task,
    Attachment: _check_attachment,
    PersonAlias: _check_alias,
}
