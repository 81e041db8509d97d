"""
Every write to advocacy documents: request, render (the Celery task's body), retry, regenerate,
preview, approve, download, withdrawal when a person they name is erased, and revocation when a
person they name withdraws their consent to be named. Each takes keyword arguments only and names
its `actor`; each writes its audit event in the transaction of its change.

A pseudonymised document is checked after rendering, on the PDF's own text and metadata and on
its Word version's (`casework.redaction.Redactor.leaks`): one that shows a name of the family,
the case reference, a date of the case to the day or the requester's username is not kept. The
Word version is made again from the stored snapshot at each download, and checked again.

Rendering is slow (a second or so), so it runs outside any transaction holding the row: the row
is marked "rendering" first, the PDF is built, then the result is saved under a fresh lock. A
document already ready is never rendered again, so a task delivered twice does no harm.
"""

import hashlib
import json
import logging
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from accounts import roles
from accounts.models import Notification
from accounts.notifications import notifications_settle, notify
from audit.models import AuditEvent
from audit.services import record
from casework.choices import MemberRole, PersonRole
from casework.models import Case, CaseMember
from casework.redaction import NAMING_SCOPE, TO_STATE_SCOPE

from . import permissions
from .documents import facts, preview, rendering, vocabulary, word
from .documents.formats.recipients import needs_contact, reaches_state
from .models import AdvocacyDocument

logger = logging.getLogger(__name__)

# Worth another attempt: the database or the broker was briefly unreachable, a disk hiccup.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, ConnectionError, TimeoutError)

Kind = AdvocacyDocument.Kind
Redaction = AdvocacyDocument.Redaction
Status = AdvocacyDocument.Status
Format = AdvocacyDocument.RecipientFormat


class DocumentNotApproved(PermissionDenied):
    """A document that names someone is downloaded only after a supervisor approved it."""


class DocumentWithdrawn(PermissionDenied):
    """A document withdrawn because someone it named was erased, or revoked because someone it
    named withdrew their consent to be named, is never downloaded again."""


class PreviewNotAllowed(PermissionDenied):
    """The rendered pages are shown to whoever may download the document, and before approval
    to its requester and to whoever may approve it."""


def _enqueue(document: AdvocacyDocument) -> None:
    from .tasks import render_document

    document_id = str(document.pk)

    def send():
        try:
            render_document.delay(document_id)
        except Exception:
            # The broker is down: the document stays queued, and ops.requeue_stalled_documents
            # sends it again once the broker is back. The user sees "queued", not an error.
            logger.warning("Broker unavailable: document %s stays queued", document_id)

    transaction.on_commit(send)


def _validate_format(*, kind, recipient_format, language) -> None:
    if recipient_format not in AdvocacyDocument.formats_for(kind):
        raise ValidationError(
            {"recipient_format": _("This kind of document is not offered in that form.")}
        )
    if (
        recipient_format == Format.AUTHORITY_LETTER
        and language != AdvocacyDocument.Language.ZH_HANS
    ):
        raise ValidationError(
            {"language": _("A letter to a Chinese authority is written in Chinese.")}
        )


def _validate_scope(
    *, kind, case, subject, redaction, team, actor, recipient_format="", language=""
) -> None:
    """The rules a request must meet; also checked again when a document is regenerated."""
    _validate_format(kind=kind, recipient_format=recipient_format, language=language)
    if kind == Kind.CASELOAD_REPORT:
        if case is not None or subject is not None:
            raise ValidationError(_("A caseload report covers cases, not one case or person."))
        if redaction != Redaction.AGGREGATE_ONLY:
            raise ValidationError(
                {"redaction": _("A caseload report shows figures only, no individual.")}
            )
        if team is not None and not permissions.can_report_on_team(actor, team):
            raise ValidationError({"team": _("You can scope a report only to a team you are in.")})
        return
    if not permissions.can_request_document_on(actor, case):
        raise PermissionDenied(_("You cannot see this case."))
    if team is not None:
        raise ValidationError({"team": _("Only a caseload report is scoped to a team.")})
    if needs_contact(recipient_format, case.team, language):
        raise ValidationError(
            {
                "recipient_format": _(
                    "A document in this form gives the recipient the team's confidential "
                    "contact, and %(team)s has none. Ask an administrator to set the team's "
                    "submitting organisation and confidential contact (Administration, Teams)."
                )
                % {"team": case.team.name}
            }
        )
    if redaction == Redaction.AGGREGATE_ONLY:
        raise ValidationError(
            {
                "redaction": _(
                    "A brief or an appeal is about one person: choose names with consent or "
                    "pseudonyms. Figures only is for caseload reports."
                )
            }
        )
    if subject is None:
        raise ValidationError({"subject": _("Choose the person the document is about.")})
    member = CaseMember.objects.filter(case=case, person=subject).first()
    if member is None:
        raise ValidationError({"subject": _("This person is not a member of the case.")})
    if kind == Kind.CHILD_ACCESS_BRIEF and not is_child_member(member):
        raise ValidationError(
            {
                "subject": _(
                    "A submission on a child's nationality, registration and schooling is about "
                    "a child."
                )
            }
        )
    # The rules of legal_aid.documents.rules decide whether the facts support the document at
    # all: an appeal for someone at no recorded risk, a brief with nothing to ask, is refused.
    refusal = facts.plan_refusal(
        kind=kind, case=case, subject=subject, user=actor, recipient_format=recipient_format
    )
    if refusal:
        # Refused for the form (a UN communication would announce the person) when the kind
        # itself would do: said under the form's field, else under the person's.
        in_another_form = not facts.plan_refusal(kind=kind, case=case, subject=subject, user=actor)
        raise ValidationError({"recipient_format" if in_another_form else "subject": refusal})


def is_child_member(member: CaseMember) -> bool:
    """A child's submission is about a child: by the person's role or their role in the case."""
    return member.person.role == PersonRole.CHILD or member.role == MemberRole.CHILD


@dataclass(frozen=True)
class Offer:
    """A document the facts support: its kind, about whom, and in which forms (usual first)."""

    kind: str
    subject: object
    formats: tuple[str, ...]

    @property
    def urgent(self) -> bool:
        return Format.UN_COMMUNICATION in self.formats


def document_offers(*, case: Case, actor) -> list[Offer]:
    """
    The documents the recorded facts support for the members of `case`, the most fitting first:
    an urgent appeal for someone detained or arrested, then a child's submission, then the other
    appeals. What the request form offers; the request is checked again by `document_request`.
    """
    offers = []
    members = CaseMember.objects.filter(case=case).select_related("person").order_by("added_at")
    for member in members:
        kinds = [Kind.DEPORTATION_APPEAL] + (
            [Kind.CHILD_ACCESS_BRIEF] if is_child_member(member) else []
        )
        for kind in kinds:
            supported = facts.formats_supported(
                kind=kind, case=case, subject=member.person, user=actor
            )
            if supported:
                offers.append(Offer(kind=kind, subject=member.person, formats=tuple(supported)))
    offers.sort(key=lambda offer: (not offer.urgent, offer.kind != Kind.CHILD_ACCESS_BRIEF))
    return offers


def _default_format(*, kind, case, subject, actor) -> str:
    """The kind's usual form; for someone in hiding, an appeal goes to the partner lawyer, not the
    UN (whose communication would announce them to the Government)."""
    usual = AdvocacyDocument.formats_for(kind)[0]
    if (
        usual == Format.UN_COMMUNICATION
        and subject is not None
        and case is not None
        and facts.plan_refusal(
            kind=kind, case=case, subject=subject, user=actor, recipient_format=usual
        )
    ):
        return Format.LAWYER_SUBMISSION
    return usual


def _validate_deadline(*, deadline, case, team) -> None:
    """A deadline is a day to come, or today, where the document's team works."""
    from casework import dates

    if deadline is not None and deadline < dates.today(team=case.team if case else team):
        raise ValidationError({"deadline": _("A deadline cannot be in the past.")})


def _unknown_to_authority(*, recipient_format, case, subject, actor) -> bool:
    """A letter to a Chinese authority about someone it does not know of yet."""
    return recipient_format == Format.AUTHORITY_LETTER and not facts.known_to_authority(
        case=case, subject=subject, user=actor
    )


UNKNOWN_TO_AUTHORITY_WARNING = _lazy(
    "The authorities are not recorded as knowing of this person: they are not detained or "
    "arrested, and no refusal of theirs is recorded. A letter would tell the authorities where "
    "they are. Send it only if the person knows and wants it, and confirm that decision below; "
    "it is recorded."
)


def document_request(
    *,
    kind: str,
    language: str,
    redaction: str,
    actor,
    case: Case | None = None,
    subject=None,
    team=None,
    recipient_format: str = "",
    proceed_despite_unknown: bool = False,
    deadline=None,
) -> AdvocacyDocument:
    """
    Queue a new document (version 1 of a new series); a worker renders it after commit. Without
    `recipient_format` the kind's default form is used. `deadline`, a day not yet past in the
    team's time zone, is printed on the cover. A letter to a Chinese authority about
    someone it does not know of is refused with a warning unless `proceed_despite_unknown`
    records the requester's decision.
    """
    recipient_format = recipient_format or _default_format(
        kind=kind, case=case, subject=subject, actor=actor
    )
    _validate_scope(
        kind=kind,
        case=case,
        subject=subject,
        redaction=redaction,
        team=team,
        actor=actor,
        recipient_format=recipient_format,
        language=language,
    )
    _validate_deadline(deadline=deadline, case=case, team=team)
    unknown = case is not None and _unknown_to_authority(
        recipient_format=recipient_format, case=case, subject=subject, actor=actor
    )
    if unknown and not proceed_despite_unknown:
        raise ValidationError({"proceed_despite_unknown": UNKNOWN_TO_AUTHORITY_WARNING})
    document = AdvocacyDocument(
        kind=kind,
        case=case,
        subject=subject,
        team=team,
        language=language,
        redaction=redaction,
        recipient_format=recipient_format,
        sent_despite_unknown=unknown,
        deadline=deadline,
        requested_by=actor,
    )
    document.full_clean()
    with transaction.atomic():
        document.save()
        record(
            actor,
            "create",
            document,
            kind=kind,
            language=language,
            redaction=redaction,
            recipient_format=recipient_format,
            # The warning was shown and the requester chose to send it anyway.
            sent_despite_unknown=unknown,
            deadline=deadline.isoformat() if deadline else None,
        )
        _enqueue(document)
    return document


def document_regenerate(*, document: AdvocacyDocument, actor) -> AdvocacyDocument:
    """A new version of `document`'s series from today's facts; earlier versions are kept."""
    with transaction.atomic():
        # Lock the series so two regenerations cannot take the same version number.
        list(AdvocacyDocument.objects.select_for_update().filter(series=document.series))
        _validate_scope(
            kind=document.kind,
            case=document.case,
            subject=document.subject,
            redaction=document.redaction,
            team=document.team,
            actor=actor,
            recipient_format=document.recipient_format,
            language=document.language,
        )
        latest = AdvocacyDocument.objects.filter(series=document.series).aggregate(
            top=Max("version")
        )["top"]
        new = AdvocacyDocument(
            series=document.series,
            version=latest + 1,
            kind=document.kind,
            case=document.case,
            subject=document.subject,
            team=document.team,
            language=document.language,
            redaction=document.redaction,
            recipient_format=document.recipient_format,
            # The decision to write to an authority that did not know the person stands.
            sent_despite_unknown=document.sent_despite_unknown,
            # The recipient's deadline stands for every version of the series.
            deadline=document.deadline,
            requested_by=actor,
        )
        new.full_clean()
        new.save()
        record(actor, "create", new, kind=new.kind, version=new.version, previous=str(document.pk))
        _enqueue(new)
    return new


def document_retry(*, document: AdvocacyDocument, actor) -> AdvocacyDocument:
    """Queue a failed document again, as it was requested, for someone who sees it."""
    # Asked here, whoever calls: the pages and the API find the document through `visible_to`,
    # but a service refuses on its own (issue 15), as `document_regenerate` does by the request's
    # rules. Retrying asks less than they do (the document stays as it was asked for), not less
    # than seeing it.
    if not permissions.can_retry_document(actor, document):
        raise PermissionDenied(_("You cannot see this document."))
    with transaction.atomic():
        document = AdvocacyDocument.objects.select_for_update().get(pk=document.pk)
        if document.status != Status.FAILED:
            raise ValidationError(_("Only a document that failed can be retried."))
        document.status = Status.QUEUED
        document.failure_reason = ""
        document.save(update_fields=["status", "failure_reason"])
        record(actor, "status_change", document, status=Status.QUEUED, retry=True)
        _enqueue(document)
    return document


def document_fail(*, document_id, reason: str) -> AdvocacyDocument:
    """Record that rendering failed, with a reason in our own words."""
    with transaction.atomic():
        document = AdvocacyDocument.objects.select_for_update().get(pk=document_id)
        if document.status in (Status.READY, Status.WITHDRAWN):
            return document
        document.status = Status.FAILED
        document.failure_reason = reason[:300]
        document.save(update_fields=["status", "failure_reason"])
        record(None, "status_change", document, status=Status.FAILED, attempts=document.attempts)
    return document


def document_render(*, document_id) -> AdvocacyDocument:
    """
    Build and store the PDF of a queued document. Transient errors propagate (the task retries
    them); any other failure is recorded on the document with a reason and does not propagate.
    """
    with transaction.atomic():
        document = AdvocacyDocument.objects.select_for_update().get(pk=document_id)
        if document.status in (Status.READY, Status.WITHDRAWN):
            return document
        document.status = Status.RENDERING
        document.attempts += 1
        document.save(update_fields=["status", "attempts"])
    try:
        # Inside the try: an error here too must end as FAILED with a reason (which the user may
        # retry), not leave the document RENDERING with its message acknowledged.
        document = AdvocacyDocument.objects.select_related(
            "requested_by", "case", "team", "subject"
        ).get(pk=document_id)
        snapshot = facts.gather(document)
        pdf = rendering.render_document(snapshot, identifier=document.series.hex.encode())
        pages = rendering.page_count(pdf)
        leaks = _leaks(document, snapshot, preview.pdf_text(pdf))
        # The Word version is made at download; made here too, so that one which would leak
        # stops the document now rather than at the recipient's door.
        for leak in _leaks(document, snapshot, word.docx_text(word.render_docx(snapshot))):
            if leak not in leaks:
                leaks.append(leak)
    except TRANSIENT_ERRORS:
        raise
    except facts.DocumentError as error:
        return document_fail(document_id=document_id, reason=str(error))
    except Exception as error:
        # The traceback goes to the log; the document keeps only the kind of error.
        logger.exception("Rendering advocacy document %s failed", document_id)
        return document_fail(
            document_id=document_id,
            reason=_("Rendering failed unexpectedly (%(error)s). Retry it, or report it.")
            % {"error": type(error).__name__},
        )
    if leaks:
        # Codes only (name, case_reference, exact_date, username): the values stay unlogged.
        logger.error("Advocacy document %s leaks %s; not kept", document_id, ",".join(leaks))
        if snapshot.get("pseudonymised"):
            reason = _(
                "The pseudonymised document would show what pseudonyms must hide (%(what)s), "
                "so it was not kept. Tell your supervisor."
            )
        else:
            reason = _(
                "The document would show what no document may (%(what)s), so it was not kept. "
                "Tell your supervisor."
            )
        return document_fail(document_id=document_id, reason=reason % {"what": ", ".join(leaks)})
    return _store(document_id=document_id, pdf=pdf, pages=pages, snapshot=snapshot)


def _leaks(document: AdvocacyDocument, snapshot: dict, text: str) -> list[str]:
    """What the text of a rendered file shows that it must not: never the requester's username;
    in a pseudonymised document nothing the Redactor hides either."""
    found = []
    if document.case_id and snapshot.get("pseudonymised"):
        found += facts.redactor_for(document).leaks(text)
    if vocabulary.username_shown(document.requested_by.get_username(), text):
        found.append("username")
    return found


def _store(*, document_id, pdf: bytes, pages: int, snapshot: dict) -> AdvocacyDocument:
    document = AdvocacyDocument.objects.get(pk=document_id)
    # The storage encrypts the file and gives it a random name.
    document.file.save("document.pdf", ContentFile(pdf), save=False)
    name = document.file.name
    try:
        with transaction.atomic():
            current = AdvocacyDocument.objects.select_for_update().get(pk=document_id)
            if current.status in (Status.READY, Status.WITHDRAWN):
                # Another delivery of the task finished first (keep its file), or the person
                # it names was erased while it rendered (keep nothing).
                document.file.storage.delete(name)
                return current
            current.file.name = name
            current.sha256 = hashlib.sha256(pdf).hexdigest()
            current.page_count = pages
            current.snapshot = snapshot
            current.names_people = bool(snapshot.get("names_people"))
            current.status = Status.READY
            current.failure_reason = ""
            current.rendered_at = timezone.now()
            current.save()
            record(
                current.requested_by,
                "status_change",
                current,
                status=Status.READY,
                version=current.version,
                pages=pages,
                names_people=current.names_people,
            )
            if current.needs_approval and current.case_id:
                # The supervisors of the case's team, but the requester, are to approve it.
                notify(
                    recipients=roles.supervisors_of(current.case.team)
                    .filter(is_active=True)
                    .exclude(pk=current.requested_by_id),
                    kind=Notification.Kind.DOCUMENT_AWAITING_APPROVAL,
                    target=current,
                )
    except BaseException:
        document.file.storage.delete(name)
        raise
    return current


def document_approve(*, document: AdvocacyDocument, actor) -> AdvocacyDocument:
    """A supervisor of the case's team, other than the requester, lets a naming document out."""
    with transaction.atomic():
        document = (
            AdvocacyDocument.objects.select_for_update(of=("self",))
            .select_related("case__team")
            .get(pk=document.pk)
        )
        if not document.needs_approval:
            raise ValidationError(_("This document is not waiting for approval."))
        if not permissions.can_approve_document(actor, document):
            if permissions.is_requester(actor, document):
                raise PermissionDenied(_("Someone other than the requester must approve it."))
            raise PermissionDenied(_("Only a supervisor of the case's team can approve it."))
        if not _previewed(document, actor):
            raise ValidationError(
                _("Look at the rendered pages and the list of who is named before approving.")
            )
        document.approved_by = actor
        document.approved_at = timezone.now()
        document.save(update_fields=["approved_by", "approved_at"])
        record(actor, "update", document, fields=["approved_by", "approved_at"])
        # The other supervisors asked to approve it have nothing left to do.
        notifications_settle(target=document, kinds=[Notification.Kind.DOCUMENT_AWAITING_APPROVAL])
        notify(
            recipients=[document.requested_by],
            kind=Notification.Kind.DOCUMENT_APPROVED,
            target=document,
        )
    return document


def _previewed(document: AdvocacyDocument, actor) -> bool:
    """Whether `actor` opened the rendered pages of this version (the preview is audited)."""
    return AuditEvent.objects.filter(
        actor=actor, action="view", target_id=str(document.pk), detail__has_key="preview_page"
    ).exists()


def document_preview_page(*, document: AdvocacyDocument, actor, page: int, request=None) -> bytes:
    """Page `page` of the rendered PDF as a PNG, for the page that shows it; audited, since an
    approval needs it (`document_approve`)."""
    if document.status == Status.WITHDRAWN:
        raise DocumentWithdrawn(document.withdrawn_reason or _("This document was withdrawn."))
    if not document.is_ready:
        raise ValidationError(_("This document is not ready yet."), code="not_ready")
    if not permissions.can_preview_document(actor, document):
        raise PreviewNotAllowed(_("You cannot see this document before it is approved."))
    if not 1 <= page <= (document.page_count or 0):
        raise ValidationError(_("There is no such page."), code="no_page")
    with document.file.open("rb") as handle:
        pdf = handle.read()
    if hashlib.sha256(pdf).hexdigest() != document.sha256:
        raise ValidationError(_("The stored PDF does not match its checksum; regenerate it."))
    # Drawn once per process and version: the approval page asks for every page each time it is
    # opened. The checks above and the audit below are per request all the same.
    png = preview.drawn_page(pdf, page, sha256=document.sha256)
    record(actor, "view", document, request=request, preview_page=page, version=document.version)
    return png


class FileFormat:
    """The forms a document is downloaded in."""

    PDF = "pdf"
    DOCX = "docx"
    ALL = (PDF, DOCX)


def document_download(
    *, document: AdvocacyDocument, actor, request=None, file_format: str = FileFormat.PDF
) -> bytes:
    """
    The PDF's bytes, decrypted and checked against the stored SHA-256; or its Word version,
    made from the stored snapshot and checked for leaks like the PDF. Audited, with the format.
    A naming document not yet approved is refused in either format, and the refusal is audited.
    """
    if file_format not in FileFormat.ALL:
        raise ValidationError(_("Unknown file format."), code="format")
    if document.status == Status.WITHDRAWN:
        record(actor, "denied", document, request=request, refused_because="withdrawn")
        raise DocumentWithdrawn(document.withdrawn_reason or _("This document was withdrawn."))
    if not document.is_ready:
        raise ValidationError(_("This document is not ready yet."))
    if document.needs_approval:
        record(actor, "denied", document, request=request, refused_until="approval")
        raise DocumentNotApproved(
            _("This document names people: a supervisor must approve it before download.")
        )
    if file_format == FileFormat.DOCX:
        return _download_docx(document=document, actor=actor, request=request)
    with document.file.open("rb") as handle:
        pdf = handle.read()
    if hashlib.sha256(pdf).hexdigest() != document.sha256:
        raise ValidationError(_("The stored PDF does not match its checksum; regenerate it."))
    record(actor, "download", document, request=request, version=document.version)
    return pdf


def _download_docx(*, document: AdvocacyDocument, actor, request) -> bytes:
    if not document.snapshot:
        raise ValidationError(_("This document has no stored content; regenerate it."))
    try:
        docx = word.render_docx(document.snapshot)
    except word.WordError as error:
        logger.error("Word version of advocacy document %s failed: %s", document.pk, error)
        raise ValidationError(_("The Word version could not be made; try again later.")) from error
    leaks = _leaks(document, document.snapshot, word.docx_text(docx))
    if leaks:
        logger.error("Word version of advocacy document %s leaks %s", document.pk, ",".join(leaks))
        if document.snapshot.get("pseudonymised"):
            reason = _(
                "The Word version would show what pseudonyms must hide (%(what)s). "
                "Tell your supervisor."
            )
        else:
            reason = _(
                "The Word version would show what no document may (%(what)s). Tell your supervisor."
            )
        raise ValidationError(reason % {"what": ", ".join(leaks)})
    record(actor, "download", document, request=request, version=document.version, format="docx")
    return docx


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
