"""
Every write to advocacy documents: request, render (the Celery task's body), retry, regenerate,
preview, approve, download, withdrawal when a person they name is erased, and revocation when a
person they name withdraws their consent to be named. Each takes keyword arguments only and names
its `actor`; each writes its audit event in the transaction of its change.

A pseudonymised document is checked after rendering, on the PDF's own text and metadata and on
its Word version's (`casework.redaction.Redactor.leaks`): one that shows a name of the family,
the case reference, a date of the case to the day or the requester's username is not kept. The
Word version is made again from the stored snapshot at each download, and checked again.

The package is split by sub-domain: `requesting` (what the facts support, a request, a new
version), `queue` (rendering, outside any transaction holding the row; failure, retry), `approval` (the preview and the supervisor's
approval), `download`, `withdrawal` (the erasure and naming-withdrawn hooks); import from
`legal_aid.services`, which names every service.
"""

from ._common import (
    DocumentWithdrawn,
)
from .approval import (
    PreviewNotAllowed,
    document_approve,
    document_preview_page,
)
from .download import (
    DocumentNotApproved,
    FileFormat,
    document_download,
)
from .queue import (
    TRANSIENT_ERRORS,
    document_fail,
    document_render,
    document_retry,
)
from .requesting import (
    Offer,
    document_offers,
    document_regenerate,
    document_request,
    is_child_member,
)
from .withdrawal import (
    documents_naming,
    documents_naming_family_of,
    documents_revoke_naming,
    documents_withdraw_naming,
)

__all__ = [
    "TRANSIENT_ERRORS",
    "DocumentNotApproved",
    "DocumentWithdrawn",
    "FileFormat",
    "Offer",
    "PreviewNotAllowed",
    "document_approve",
    "document_download",
    "document_fail",
    "document_offers",
    "document_preview_page",
    "document_regenerate",
    "document_render",
    "document_request",
    "document_retry",
    "documents_naming",
    "documents_naming_family_of",
    "documents_revoke_naming",
    "documents_withdraw_naming",
    "is_child_member",
]
