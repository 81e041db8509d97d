"""Celery tasks of operations: run by beat (CELERY_BEAT_SCHEDULE), thin wrappers of services."""

import datetime
import logging

from celery import shared_task
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from accounts.drafts import drafts_purge_expired
from reports.services import report_runs_purge_expired

from .retention import retention_apply

logger = logging.getLogger(__name__)

# A document still queued after this long lost its message (the broker was down when it was
# requested, or the message was dropped): it is sent again.
STALLED_AFTER_SECONDS = 10 * 60


@shared_task(name="ops.apply_retention")
def apply_retention() -> dict:
    report = retention_apply()
    # Unsaved drafts of forms are kept a few days only (SHIMTEO_DRAFT_DAYS).
    expired_drafts = drafts_purge_expired()
    # The reports' counts made by workers are kept a day (reports.services.KEPT_FOR).
    report_counts = report_runs_purge_expired()
    return {
        "eligible": report.eligible,
        "erased": report.erased,
        "drafts": expired_drafts,
        "report_counts": report_counts,
    }


@shared_task(name="ops.checkpoint_audit_chain")
def checkpoint_audit_chain() -> dict:
    """Sign the audit chain's head into the checkpoint file and the logs (audit/checkpoint.py)."""
    from audit.checkpoint import take_checkpoint

    checkpoint = take_checkpoint()
    return {"sequence": checkpoint.sequence, "count": checkpoint.count, "head": checkpoint.head}


@shared_task(name="ops.requeue_stalled_documents")
def requeue_stalled_documents(older_than_seconds: int = STALLED_AFTER_SECONDS) -> int:
    """
    Send the render task again for documents queued longer than `older_than_seconds`, and for
    documents still rendering that long after the broker would have given a lost worker's
    message back (its visibility timeout): the broker lost that message too. Rendering the same
    document twice is harmless: the second delivery finds it ready and stops.
    """
    from legal_aid.models import AdvocacyDocument
    from legal_aid.tasks import render_document

    Status = AdvocacyDocument.Status
    queued_before = timezone.now() - datetime.timedelta(seconds=older_than_seconds)
    visibility_timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    rendering_before = queued_before - datetime.timedelta(seconds=visibility_timeout)
    stalled = AdvocacyDocument.objects.filter(
        Q(status=Status.QUEUED, requested_at__lt=queued_before)
        | Q(status=Status.RENDERING, requested_at__lt=rendering_before)
    ).values_list("pk", flat=True)
    sent = 0
    for document_id in stalled:
        render_document.delay(str(document_id))
        sent += 1
    if sent:
        logger.info("Re-queued stalled documents", extra={"documents": sent})
    return sent
