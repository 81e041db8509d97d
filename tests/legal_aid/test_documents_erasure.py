"""
Erasing a person withdraws every advocacy document that names them or is about them: the
download is refused with a reason (pages and API), the encrypted PDF and the snapshot are gone,
and the withdrawal is audited. Documents that only give them a pseudonym stay.
"""

import pytest
from django.db import transaction
from django.urls import reverse
from knox.models import AuthToken
from rest_framework.test import APIClient

from audit.models import AuditEvent
from casework.erasure import consent_withdraw, person_erase_identifying_details
from consent.models import ErasureReason, Scope
from legal_aid import services
from legal_aid.models import AdvocacyDocument

from ..conftest import sign_in
from ..scenarios import FAMILY_SECRETS as SECRETS
from .test_documents_services import (  # noqa: F401
    approve,
    consent,
    family,
    name_everyone,
    request,
)

Redaction = AdvocacyDocument.Redaction
Status = AdvocacyDocument.Status


def _rendered(*, case, subject, actor, redaction=Redaction.NAMED_WITH_CONSENT):
    document = request(case=case, subject=subject, actor=actor, redaction=redaction)
    return services.document_render(document_id=document.pk)


@pytest.fixture
def approved_brief(north_case, family, alice, sue):  # noqa: F811
    """A submission for a child naming the consenting mother, approved by sue: downloadable."""
    name_everyone(north_case)
    brief = _rendered(case=north_case, subject=family["child"], actor=alice)
    assert brief.names_people and SECRETS["mother"]["full_name"] in str(brief.snapshot)
    brief = approve(brief, sue)
    assert brief.downloadable
    return brief


def _withdraw_consent(person, actor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        consent_withdraw(person=person, scopes=[Scope.STORE_DATA], actor=actor)


def test_erasure_withdraws_an_approved_brief_that_named_her(
    approved_brief,
    family,  # noqa: F811
    alice,
    sue,
    client,
    django_capture_on_commit_callbacks,
):
    storage, name = approved_brief.file.storage, approved_brief.file.name
    assert storage.exists(name)
    _withdraw_consent(family["mother"], sue, django_capture_on_commit_callbacks)

    document = AdvocacyDocument.objects.get(pk=approved_brief.pk)
    assert document.status == Status.WITHDRAWN
    assert document.snapshot is None and not document.file.name and not document.sha256
    assert not storage.exists(name)
    assert "erased" in document.withdrawn_reason
    assert SECRETS["mother"]["full_name"] not in document.withdrawn_reason

    url = reverse("legal_aid:advocacy_download", kwargs={"document_id": document.pk})
    response = sign_in(client, alice).get(url)
    assert response.status_code == 410
    assert "erased" in response.content.decode()
    page = client.get(document.get_absolute_url()).content.decode()
    assert "Withdrawn" in page and url not in page

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(alice)[1]}")
    answer = api.get(f"/api/v1/legal/documents/{document.pk}/download/")
    assert answer.status_code == 410 and "erased" in answer.json()["detail"]
    assert api.get(f"/api/v1/legal/documents/{document.pk}/").json()["status"] == "withdrawn"

    withdrawn = AuditEvent.objects.get(target_id=str(document.pk), detail__status="withdrawn")
    assert (withdrawn.actor, withdrawn.detail["erased_because"]) == (sue, "consent_withdrawn")
    assert withdrawn.detail["file_deleted"] is True
    refusals = AuditEvent.objects.filter(target_id=str(document.pk), action="denied")
    assert refusals.count() == 2
    erasure = AuditEvent.objects.filter(target_id=str(family["mother"].pk), action="update").last()
    assert erasure.detail["documents_withdrawn"] == 1


def test_every_version_is_withdrawn(
    approved_brief,
    family,  # noqa: F811
    alice,
    sue,
    django_capture_on_commit_callbacks,
):
    second = services.document_regenerate(document=approved_brief, actor=alice)
    second = services.document_render(document_id=second.pk)
    files = [(d.file.storage, d.file.name) for d in (approved_brief, second)]
    _withdraw_consent(family["mother"], sue, django_capture_on_commit_callbacks)
    statuses = AdvocacyDocument.objects.filter(series=approved_brief.series).values_list(
        "status", flat=True
    )
    assert set(statuses) == {Status.WITHDRAWN}
    assert not any(storage.exists(name) for storage, name in files)


def test_the_retention_erasure_withdraws_documents_about_her(
    north_case,
    family,  # noqa: F811
    alice,
    django_capture_on_commit_callbacks,
):
    """The erasure that retention runs is the same service: a pseudonymised brief about the
    child goes when the child is erased, though it never printed her name."""
    brief = _rendered(
        case=north_case, subject=family["child"], actor=alice, redaction=Redaction.PSEUDONYMISED
    )
    assert brief.downloadable
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        person_erase_identifying_details(
            person=family["child"], actor=None, because=ErasureReason.RETENTION
        )
    brief.refresh_from_db()
    assert brief.status == Status.WITHDRAWN
    assert "Retention period over" in brief.withdrawn_reason
    with pytest.raises(services.DocumentWithdrawn):
        services.document_download(document=brief, actor=alice)


def test_a_document_that_gives_her_a_pseudonym_only_stays(
    north_case,
    family,  # noqa: F811
    alice,
    sue,
    django_capture_on_commit_callbacks,
):
    """The mother never consented to be named: the brief about her child calls her "Mother B"."""
    brief = _rendered(case=north_case, subject=family["child"], actor=alice)
    assert not brief.names_people
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        person_erase_identifying_details(
            person=family["mother"], actor=sue, because=ErasureReason.CONSENT_WITHDRAWN
        )
    brief.refresh_from_db()
    assert brief.status == Status.READY and brief.file.storage.exists(brief.file.name)


def test_a_document_still_rendering_when_she_is_erased_is_never_stored(
    north_case,
    family,  # noqa: F811
    alice,
):
    """Queued at the erasure, withdrawn with it: the worker that takes it later renders nothing."""
    queued = request(case=north_case, subject=family["child"], actor=alice)
    with transaction.atomic():
        person_erase_identifying_details(
            person=family["child"], actor=alice, because=ErasureReason.CONSENT_WITHDRAWN
        )
    done = services.document_render(document_id=queued.pk)
    assert done.status == Status.WITHDRAWN and not done.file.name and done.snapshot is None
