"""
Advocacy documents rendered by a real Celery worker on Redis: requested here, rendered in the
worker's process, stored encrypted in the same media folder, read back here.
"""

import time

import pytest
from django.db import transaction

from casework.models import CaseAssignment
from legal_aid import services
from legal_aid.models import AdvocacyDocument

from ..ops.conftest import request_brief_of
from ..scenarios import detained_mother_with_chinese_partner
from .conftest import SHARES_THE_WORKERS

pytestmark = [pytest.mark.worker, SHARES_THE_WORKERS]

Status = AdvocacyDocument.Status


def wait_for(document, *statuses, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        document.refresh_from_db()
        if document.status in statuses:
            return document
        time.sleep(0.2)
    pytest.fail(f"document still {document.status} after {timeout}s")


def test_a_worker_renders_a_requested_document(celery_worker, north_case, alice):
    """The request is committed, the worker renders it, and the PDF decrypts here."""
    family = detained_mother_with_chinese_partner(case=north_case, actor=alice)
    document = wait_for(
        request_brief_of(north_case, family.child, alice), Status.READY, Status.FAILED
    )
    assert document.status == Status.READY, document.failure_reason
    assert document.page_count > 1 and document.attempts == 1
    with document.file.open("rb") as handle:
        assert handle.read().startswith(b"%PDF")
    assert celery_worker.poll() is None


def test_a_failed_document_is_retried(celery_worker, north_case, alice, bob):
    """A render that fails (bob lost sight of the case) records why; a retry then succeeds."""
    family = detained_mother_with_chinese_partner(case=north_case, actor=alice)
    CaseAssignment.objects.create(case=north_case, user=bob)
    with transaction.atomic():
        document = request_brief_of(north_case, family.child, bob)
        CaseAssignment.objects.filter(case=north_case, user=bob).delete()
    document = wait_for(document, Status.FAILED, Status.READY)
    assert document.status == Status.FAILED
    assert "can no longer see" in document.failure_reason
    CaseAssignment.objects.create(case=north_case, user=bob)
    services.document_retry(document=document, actor=bob)
    document = wait_for(document, Status.READY, Status.FAILED)
    assert document.status == Status.READY and document.attempts == 2
