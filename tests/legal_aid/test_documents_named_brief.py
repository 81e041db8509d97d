"""
One named brief about the family's child, requested by alice through the form and rendered,
and what follows: rendering again, regenerating, approval by a supervisor, downloads (audited,
no-store) and another team's 404, through the services, the pages and the API.

A render costs seconds of CPU, and these tests only act on the brief inside their own
transaction: the brief is rendered once for the module (`built_once`); each test's changes are
rolled back before the next.
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client, TestCase
from django.urls import reverse

from audit.models import AuditEvent
from legal_aid import services
from legal_aid.documents import preview
from legal_aid.models import AdvocacyDocument

from ..conftest import built_once, sign_in
from ..factories import TeamFactory
from ..scenarios import FAMILY_SECRETS as SECRETS
from ..scenarios import case_with_one_member, persona
from .test_documents_services import approve, build_family, name_everyone
from .test_documents_views import api_client, download_url

Kind = AdvocacyDocument.Kind
Status = AdvocacyDocument.Status


def _named_brief_through_the_form() -> dict:
    """A brief naming the consenting family, requested by alice through the form and rendered."""
    alice = persona("alice")
    north_case = case_with_one_member(team=TeamFactory(name="North"), caseworker=alice)
    family = build_family(north_case, alice)
    name_everyone(north_case)
    client = sign_in(Client(), alice)
    url = reverse("legal_aid:advocacy_new", kwargs={"case_ref": north_case.reference})
    assert client.get(url).status_code == 200
    with TestCase.captureOnCommitCallbacks(execute=True):
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
    return {"document": document, "family": family}


_built_once, world = built_once(_named_brief_through_the_form, name="world")


@pytest.fixture
def family(world):
    return world["family"]


@pytest.fixture
def rendered_brief(world):
    return world["document"]


@pytest.fixture
def named_brief(world, client, alice):
    """The brief, with alice signed in on `client` as she was when she asked for it."""
    sign_in(client, alice)
    return world["document"]


# Services.


def test_render_is_idempotent(rendered_brief):
    """A ready document is not rendered again when the task is delivered twice."""
    assert rendered_brief.status == Status.READY
    again = services.document_render(document_id=rendered_brief.pk)
    assert again.file.name == rendered_brief.file.name
    assert again.attempts == 1


def test_regenerating_keeps_the_old_version(rendered_brief, alice):
    """A new version joins the series; the first stays as it was."""
    second = services.document_regenerate(document=rendered_brief, actor=alice)
    assert (second.series, second.version) == (rendered_brief.series, 2)
    rendered_brief.refresh_from_db()
    assert rendered_brief.status == Status.READY and rendered_brief.file
    assert second.reference == rendered_brief.reference


def test_a_naming_document_waits_for_a_supervisor(rendered_brief, alice, bob, sue):
    """Download is refused (and audited) until a supervisor other than the requester approves."""
    assert rendered_brief.names_people is True
    with pytest.raises(services.DocumentNotApproved):
        services.document_download(document=rendered_brief, actor=alice)
    assert AuditEvent.objects.filter(target_id=str(rendered_brief.pk), action="denied").exists()
    with pytest.raises(PermissionDenied):
        services.document_approve(document=rendered_brief, actor=bob)
    with pytest.raises(ValidationError, match="rendered pages"):
        services.document_approve(document=rendered_brief, actor=sue)
    approved = approve(rendered_brief, sue)
    pdf = services.document_download(document=approved, actor=alice)
    assert pdf.startswith(b"%PDF")
    assert AuditEvent.objects.filter(target_id=str(approved.pk), action="download").exists()


def test_charlie_sees_none_of_norths_documents(rendered_brief, charlie, alice, sue):
    """Documents follow the case's visibility; another team's caseworker sees none."""
    assert not AdvocacyDocument.objects.visible_to(charlie).exists()
    assert AdvocacyDocument.objects.visible_to(alice).get() == rendered_brief
    assert AdvocacyDocument.objects.visible_to(sue).get() == rendered_brief


# Pages.


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
    # In Chinese with a full-width colon and no space, as the documents write it.
    chinese = client.get(named_brief.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert f"署名\uff1a</strong>{SECRETS['mother']['full_name']}" in chinese.content.decode()
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


def test_a_page_is_drawn_once_and_audited_each_time_it_is_shown(
    named_brief, client, sue, monkeypatch
):
    """The approval page asks for every page each time it opens: the second asking of a page gets
    the same image without drawing it again, and is checked and audited as the first."""
    drawn = []
    draw = preview.page_png

    def counted(pdf, page, **options):
        drawn.append(page)
        return draw(pdf, page, **options)

    monkeypatch.setattr(preview, "page_png", counted)
    preview.forget(named_brief.sha256)
    sign_in(client, sue)
    url = reverse("legal_aid:advocacy_page", kwargs={"document_id": named_brief.pk, "page": 1})
    first, second = client.get(url), client.get(url)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content and first.content.startswith(b"\x89PNG")
    assert drawn == [1]
    views = AuditEvent.objects.filter(
        target_id=str(named_brief.pk), action="view", actor=sue, detail__preview_page=1
    )
    assert views.count() == 2


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


def test_the_api_refuses_other_teams(named_brief, client, charlie, family):
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
