"""
The advocacy document pages and API: request from a case, follow the status, approve, download
(audited, no-store, refused until approved when it names someone), and another team's 404.
"""

import pytest
from django.urls import reverse
from knox.models import AuthToken

from audit.models import AuditEvent
from legal_aid.models import AdvocacyDocument

from ..conftest import sign_in
from .test_documents_services import (  # noqa: F401
    SECRETS,
    consent,
    family,
    name_everyone,
    request,
)

Kind = AdvocacyDocument.Kind
Status = AdvocacyDocument.Status


@pytest.fixture
def named_brief(north_case, family, alice, client, django_capture_on_commit_callbacks):  # noqa: F811
    """A brief naming the consenting mother, requested by alice through the form and rendered."""
    name_everyone(north_case)
    sign_in(client, alice)
    url = reverse("legal_aid:advocacy_new", kwargs={"case_ref": north_case.reference})
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "kind": Kind.CHILD_ACCESS_BRIEF,
                "subject": str(family["child"].pk),
                "language": "en",
                "redaction": AdvocacyDocument.Redaction.NAMED_WITH_CONSENT,
            },
        )
    document = AdvocacyDocument.objects.get()
    assert response.status_code == 302 and response.url == document.get_absolute_url()
    document.refresh_from_db()
    assert document.status == Status.READY
    return document


def download_url(document):
    return reverse("legal_aid:advocacy_download", kwargs={"document_id": document.pk})


def test_a_queued_document_page_refreshes_itself(north_case, family, alice, client):  # noqa: F811
    """While queued the page says so and reloads itself with a meta refresh, not a script."""
    document = request(case=north_case, subject=family["child"], actor=alice)
    response = sign_in(client, alice).get(document.get_absolute_url())
    body = response.content.decode()
    assert response.status_code == 200
    assert '<meta http-equiv="refresh" content="3">' in body
    assert "<script" not in body


def test_download_waits_for_approval_then_is_audited_and_not_cached(
    named_brief, client, alice, sue
):
    """403 before a supervisor approves; after it, a no-store PDF attachment and a download event."""
    assert client.get(download_url(named_brief)).status_code == 403
    assert AuditEvent.objects.filter(target_id=str(named_brief.pk), action="denied").exists()
    sign_in(client, sue)
    page = client.get(named_brief.get_absolute_url()).content.decode()
    approve_url = reverse("legal_aid:advocacy_approve", kwargs={"document_id": named_brief.pk})
    assert approve_url in page
    # The approval page itself shows the rendered pages and who is named, with what.
    first_page = reverse(
        "legal_aid:advocacy_page", kwargs={"document_id": named_brief.pk, "page": 1}
    )
    assert first_page in page and f"Page 1 of {named_brief.page_count}" in page
    assert page.index(first_page) < page.index(approve_url)
    for who in ("mother", "father", "child"):
        assert f"Named:</strong> {SECRETS[who]['full_name']}" in page
    assert "birth year 1986" in page and "The case reference is printed." in page
    # Approving without having opened the pages is refused.
    refused = client.post(approve_url, follow=True).content.decode()
    assert "Look at the rendered pages" in refused
    named_brief.refresh_from_db()
    assert named_brief.approved_at is None
    image = client.get(first_page)
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert image.content.startswith(b"\x89PNG") and "no-store" in image["Cache-Control"]
    assert AuditEvent.objects.filter(
        target_id=str(named_brief.pk), action="view", actor=sue, detail__preview_page=1
    ).exists()
    assert (
        client.get(
            reverse("legal_aid:advocacy_page", kwargs={"document_id": named_brief.pk, "page": 99})
        ).status_code
        == 404
    )
    client.post(approve_url)
    named_brief.refresh_from_db()
    assert named_brief.approved_by == sue
    sign_in(client, alice)
    response = client.get(download_url(named_brief))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"] == (
        f'attachment; filename="{named_brief.reference}-v1.pdf"'
    )
    assert response.content.startswith(b"%PDF")
    event = AuditEvent.objects.get(target_id=str(named_brief.pk), action="download")
    assert event.actor_username == "alice" and event.case_id == named_brief.case_id


def test_another_team_gets_404_everywhere(named_brief, client, charlie):
    """charlie (team South) can neither see, download, approve, regenerate nor retry it."""
    sign_in(client, charlie)
    kwargs = {"document_id": named_brief.pk}
    assert client.get(named_brief.get_absolute_url()).status_code == 404
    assert client.get(download_url(named_brief)).status_code == 404
    for name in ("advocacy_approve", "advocacy_regenerate", "advocacy_retry"):
        assert client.post(reverse(f"legal_aid:{name}", kwargs=kwargs)).status_code == 404
    new = reverse("legal_aid:advocacy_new", kwargs={"case_ref": named_brief.case.reference})
    assert client.get(new).status_code == 404
    listing = client.get(reverse("legal_aid:advocacy_list")).content.decode()
    assert named_brief.reference not in listing
    assert not AuditEvent.objects.filter(target_id=str(named_brief.pk), actor=charlie).exists()


def test_regenerating_from_the_page_makes_version_two(named_brief, client, alice):
    """The regenerate button queues version 2; the list shows the newest version only."""
    response = client.post(
        reverse("legal_aid:advocacy_regenerate", kwargs={"document_id": named_brief.pk})
    )
    second = AdvocacyDocument.objects.get(version=2)
    assert response.url == second.get_absolute_url()
    listing = client.get(reverse("legal_aid:advocacy_list")).content.decode()
    assert f"{named_brief.reference} v2" in listing and f"{named_brief.reference} v1" not in listing


# API


def api_client(client, user):
    _, token = AuthToken.objects.create(user=user)
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {token}"
    return client


def test_the_api_requests_lists_and_downloads(
    north_case,
    family,  # noqa: F811
    alice,
    client,
    django_capture_on_commit_callbacks,
):
    """POST queues and renders a pseudonymised brief; it is listed, retrieved and downloaded."""
    api = api_client(client, alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/v1/legal/documents/",
            {
                "kind": Kind.CHILD_ACCESS_BRIEF,
                "case": north_case.reference,
                "subject": family["child"].reference,
                "language": "en",
                "redaction": AdvocacyDocument.Redaction.PSEUDONYMISED,
            },
            content_type="application/json",
        )
    assert response.status_code == 202, response.content
    document_id = response.json()["id"]
    listed = api.get("/api/v1/legal/documents/").json()["results"]
    assert [d["id"] for d in listed] == [document_id]
    detail = api.get(f"/api/v1/legal/documents/{document_id}/").json()
    assert detail["status"] == "ready" and detail["downloadable"] is True
    pdf = api.get(f"/api/v1/legal/documents/{document_id}/download/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert "no-store" in pdf["Cache-Control"]


def test_the_api_refuses_other_teams(named_brief, client, charlie, family):  # noqa: F811
    """charlie's token gets 404 on North's document and cannot request one on North's case."""
    api = api_client(client, charlie)
    base = f"/api/v1/legal/documents/{named_brief.pk}/"
    assert api.get(base).status_code == 404
    assert api.get(base + "download/").status_code == 404
    assert api.post(base + "approve/").status_code == 404
    assert api.get("/api/v1/legal/documents/").json()["results"] == []
    response = api.post(
        "/api/v1/legal/documents/",
        {
            "kind": Kind.CHILD_ACCESS_BRIEF,
            "case": named_brief.case.reference,
            "subject": family["child"].reference,
            "language": "en",
            "redaction": AdvocacyDocument.Redaction.PSEUDONYMISED,
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert AdvocacyDocument.objects.count() == 1
