"""Beat's resend of documents whose render message was lost."""

import datetime

from django.conf import settings
from django.utils import timezone

from legal_aid.models import AdvocacyDocument
from ops.tasks import STALLED_AFTER_SECONDS, requeue_stalled_documents

from ..scenarios import detained_mother_with_chinese_partner
from .conftest import request_brief_of

Status = AdvocacyDocument.Status


def test_a_document_still_rendering_after_the_visibility_timeout_is_sent_again(north_case, alice):
    """
    A lost worker's render comes back from the broker after its visibility timeout; a document
    still rendering well after that lost its message for good (Redis lost its data) and would
    show "rendering" forever. One that may still be on a worker, or due back, is left alone.
    """
    child = detained_mother_with_chinese_partner(case=north_case, actor=alice).child
    lost, maybe_running = (
        request_brief_of(north_case, child, alice),
        request_brief_of(north_case, child, alice),
    )
    timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    now = timezone.now()
    AdvocacyDocument.objects.filter(pk=lost.pk).update(
        status=Status.RENDERING,
        attempts=1,
        requested_at=now - datetime.timedelta(seconds=STALLED_AFTER_SECONDS + timeout + 60),
    )
    AdvocacyDocument.objects.filter(pk=maybe_running.pk).update(
        status=Status.RENDERING,
        attempts=1,
        requested_at=now - datetime.timedelta(seconds=STALLED_AFTER_SECONDS + 60),
    )

    assert requeue_stalled_documents() == 1

    lost.refresh_from_db()
    assert lost.status == Status.READY, lost.failure_reason
    assert lost.attempts == 2
    maybe_running.refresh_from_db()
    assert maybe_running.status == Status.RENDERING
