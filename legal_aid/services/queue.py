"""
A document's way through the render queue: queued after its request commits (`_enqueue`),
rendered by a worker (`document_render`, the Celery task's body) and stored under a fresh lock,
or failed with a reason in our own words; a failed one may be retried.

Rendering is slow (a second or so), so it runs outside any transaction holding the row: the row
is marked "rendering" first, the PDF is built, then the result is saved under a fresh lock. A
document already ready is never rendered again, so a task delivered twice does no harm.
"""

import hashlib
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import roles
from accounts.models import Notification
from accounts.notifications import notify
from audit.services import record

from .. import permissions
from ..documents import facts, preview, rendering, word
from ..models import AdvocacyDocument
from ._common import Status, _leaks

logger = logging.getLogger(__name__)

# Worth another attempt: the database or the broker was briefly unreachable, a disk hiccup.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, ConnectionError, TimeoutError)


def _enqueue(document: AdvocacyDocument) -> None:
    from ..tasks import render_document

    document_id = str(document.pk)

    def send():
        try:
            render_document.delay(document_id)
        except Exception:
            # The broker is down: the document stays queued, and ops.requeue_stalled_documents
            # sends it again once the broker is back. The user sees "queued", not an error.
            logger.warning("Broker unavailable: document %s stays queued", document_id)

    transaction.on_commit(send)


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
