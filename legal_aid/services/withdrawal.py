"""
Documents that name a person who is erased (`documents_withdraw_naming`, an erasure hook) or who
withdraws their consent to be named (`documents_revoke_naming`, a naming-withdrawn hook): every
version that names them is withdrawn, its PDF and snapshot deleted once the caller commits.
"""

import json

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.models import Notification
from accounts.notifications import notifications_settle, notify
from audit.services import record
from casework.redaction import NAMING_SCOPE, TO_STATE_SCOPE

from ..documents import preview
from ..documents.formats.recipients import reaches_state
from ..models import AdvocacyDocument
from ._common import Status


def _names(snapshot, person_pk: str, name: str) -> bool:
    """Whether a snapshot shows the person by name: as a named entry, or their name anywhere."""
    if not snapshot:
        return False
    if len(name) >= 2 and name in json.dumps(snapshot, ensure_ascii=False):
        return True
    pending = [snapshot]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            if value.get("pk") == person_pk and value.get("named") is True:
                return True
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return False


def documents_naming(person, *, name: str | None = None) -> list[AdvocacyDocument]:
    """
    Every version, not yet withdrawn, of the documents about `person` (whatever their redaction:
    a pseudonym with a birth year and a region points at someone too) and of the documents of
    their cases whose snapshot names them. `name` is their name as it was (before an erasure).
    """
    name = person.full_name if name is None else name
    candidates = (
        AdvocacyDocument.objects.exclude(status=Status.WITHDRAWN)
        .filter(Q(subject=person) | Q(case__members__person=person))
        .distinct()
        .order_by("requested_at", "version")
    )
    return [
        document
        for document in candidates
        if document.subject_id == person.pk or _names(document.snapshot, str(person.pk), name)
    ]


def documents_withdraw_naming(*, person, actor, because: str, name: str | None = None) -> int:
    """
    Withdraw every document `documents_naming` finds: each is marked withdrawn with a reason in
    our own words, its snapshot is cleared and its encrypted PDF deleted once the caller's
    transaction commits; each withdrawal is audited. A download is refused afterwards, with the
    reason. Returns how many versions were withdrawn. Called by the erasure of a person
    (casework.erasure, through SHIMTEO_ERASURE_HOOKS), inside its transaction, before the name is erased.
    """
    from consent.models import ErasureReason

    reason = _(
        "Withdrawn: a person this document named has had their identifying details erased "
        "(%(why)s). Its PDF and the facts it was built from are deleted."
    ) % {"why": ErasureReason(because).label}
    files, drawn = [], []
    documents = documents_naming(person, name=name)
    for document in documents:
        # Locked, and read again: a render finishing now waits, then finds it withdrawn.
        document = AdvocacyDocument.objects.select_for_update().get(pk=document.pk)
        if document.file.name:
            files.append((document.file.storage, document.file.name))
        drawn.append(document.sha256)
        had_file = bool(document.file.name)
        document.status = Status.WITHDRAWN
        document.withdrawn_reason = reason[:300]
        document.snapshot = None
        document.file.name = ""
        document.sha256 = ""
        document.save(update_fields=["status", "withdrawn_reason", "snapshot", "file", "sha256"])
        record(
            actor,
            "status_change",
            document,
            status=Status.WITHDRAWN,
            version=document.version,
            erased_because=because,
            file_deleted=had_file,
        )
        _tell_revoked(document)

    _delete_on_commit(files, drawn)
    return len(documents)


def _tell_revoked(document: AdvocacyDocument) -> None:
    """
    The requester and the approver are notified: the document is the target, never a name. A
    revoked version waits for no one's approval any more.
    """
    notifications_settle(target=document, kinds=[Notification.Kind.DOCUMENT_AWAITING_APPROVAL])
    notify(
        recipients=[document.requested_by, document.approved_by],
        kind=Notification.Kind.DOCUMENT_REVOKED,
        target=document,
    )


def _delete_on_commit(files, drawn) -> None:
    def delete_files():
        # Only once the change is committed: a rolled-back one keeps the documents it withdrew.
        for storage, file_name in files:
            storage.delete(file_name)
        # And the pages this process drew of them for the preview (preview.drawn_page).
        for sha256 in drawn:
            preview.forget(sha256)

    transaction.on_commit(delete_files)


def documents_naming_family_of(person) -> list[AdvocacyDocument]:
    """
    Every version, not yet withdrawn, that names `person` or names anyone of a case `person`
    belongs to while showing `person` too: naming the child of a mother shown as "Mother B"
    names her (the family rule of casework.redaction). A version rendering now is included: it
    may have read the consent before the withdrawal; a queued one will read the new consent.
    """
    candidates = (
        AdvocacyDocument.objects.exclude(status=Status.WITHDRAWN)
        .filter(case__members__person=person)
        .distinct()
        .order_by("requested_at", "version")
    )
    pk = str(person.pk)
    return [
        document
        for document in candidates
        if document.status == Status.RENDERING
        or _names(document.snapshot, pk, person.full_name)
        or (document.names_people and _shows(document.snapshot, pk))
    ]


def _shows(snapshot, person_pk: str) -> bool:
    return any(entry.get("pk") == person_pk for entry in (snapshot or {}).get("people", []))


def documents_revoke_naming(*, person, actor, scopes) -> int:
    """
    `person` withdrew their consent to be named (`scopes` holds "named_in_documents"): every
    version that names them, or names their family beside them, is revoked (only those that
    reach the State when `scopes` holds "identity_to_state" alone): marked withdrawn
    with the reason, its PDF and snapshot deleted once the caller's transaction commits, the
    revocation audited, and its requester and approver told on their dashboard. A new version
    (regenerate) pseudonymises the whole family. Called by casework.erasure.consent_withdraw
    through SHIMTEO_NAMING_WITHDRAWN_HOOKS, inside its transaction. Returns how many versions.
    """
    if NAMING_SCOPE in scopes:
        reason = _(
            "Revoked: a person this document names withdrew their consent to be named. Its PDF "
            "is deleted; regenerate it for a version with pseudonyms."
        )
        documents = documents_naming_family_of(person)
    elif TO_STATE_SCOPE in scopes:
        # Still named in documents, but no longer to the State: the UN communications go.
        reason = _(
            "Revoked: a person this document names withdrew their consent to have their "
            "identity transmitted to the State. Its PDF is deleted; regenerate it for a version "
            "with pseudonyms."
        )
        documents = [
            document
            for document in documents_naming_family_of(person)
            if reaches_state(document.recipient_format)
        ]
    else:
        return 0
    files, drawn = [], []
    for document in documents:
        document = AdvocacyDocument.objects.select_for_update().get(pk=document.pk)
        had_file = bool(document.file.name)
        if had_file:
            files.append((document.file.storage, document.file.name))
        drawn.append(document.sha256)
        document.status = Status.WITHDRAWN
        document.withdrawn_reason = reason[:300]
        document.snapshot = None
        document.file.name = ""
        document.sha256 = ""
        document.save(update_fields=["status", "withdrawn_reason", "snapshot", "file", "sha256"])
        record(
            actor,
            "status_change",
            document,
            status=Status.WITHDRAWN,
            version=document.version,
            revoked_because="naming_consent_withdrawn"
            if NAMING_SCOPE in scopes
            else "identity_to_state_consent_withdrawn",
            person=str(person.pk),
            file_deleted=had_file,
        )
        _tell_revoked(document)
    _delete_on_commit(files, drawn)
    return len(documents)
