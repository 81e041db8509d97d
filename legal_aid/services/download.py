"""
A document's bytes for its reader: the stored PDF, checked against its SHA-256, or its Word
version, made again from the stored snapshot at each download and checked for leaks like the
PDF. The HTTP response around them is legal_aid.downloads.
"""

import hashlib
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from audit.services import record

from ..documents import word
from ..models import AdvocacyDocument
from ._common import DocumentWithdrawn, Status, _leaks

logger = logging.getLogger(__name__)


class DocumentNotApproved(PermissionDenied):
    """A document that names someone is downloaded only after a supervisor approved it."""


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
