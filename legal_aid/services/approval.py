"""
A document that names people leaves only once a supervisor of the case's team, other than its
requester, has looked at its rendered pages (`document_preview_page`, audited) and approved it
(`document_approve`).
"""

import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Notification
from accounts.notifications import notifications_settle, notify
from audit.models import AuditEvent
from audit.services import record

from .. import permissions
from ..documents import preview
from ..models import AdvocacyDocument
from ._common import DocumentWithdrawn, Status


class PreviewNotAllowed(PermissionDenied):
    """The rendered pages are shown to whoever may download the document, and before approval
    to its requester and to whoever may approve it."""


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
