"""
The advocacy document pages and API: request from a case, follow the status, approve, download
(audited, no-store, refused until approved when it names someone), and another team's 404.
"""

from django.urls import reverse
from knox.models import AuthToken

from legal_aid.models import AdvocacyDocument

from ..conftest import sign_in
from .test_documents_services import family, request  # noqa: F401

Kind = AdvocacyDocument.Kind
Status = AdvocacyDocument.Status


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
