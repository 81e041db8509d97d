"""/api/v1/attachments/: files kept with a case, encrypted at rest, served by an audited download."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEvent
from casework import services
from casework.models import Attachment

from .conftest import query_count, results

pytestmark = pytest.mark.django_db

URL = "/api/v1/attachments/"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def upload(name="김순희 hukou refusal.pdf", data=PDF):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


@pytest.fixture
def attachment(north_case, alice):
    return services.attachment_add(
        case=north_case, uploaded_file=upload(), actor=alice, description="Refusal letter"
    )


def detail(attachment) -> str:
    return f"{URL}{attachment.pk}/"


def stored_files(settings) -> list:
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_it_lists_and_retrieves(api, alice, attachment, north_case):
    """Attachments of a case show their metadata; the file itself only by download."""
    client = api(alice)
    rows = results(client.get(URL, {"case": north_case.reference}))
    assert [row["id"] for row in rows] == [str(attachment.pk)]
    body = client.get(detail(attachment)).json()
    assert body["content_type"] == "application/pdf"
    assert body["description"] == "Refusal letter"
    assert "file" not in body


def test_it_uploads_a_file(api, alice, north_case, north_person, settings):
    """A multipart upload is stored encrypted, its type read from its bytes."""
    response = api(alice).post(
        URL,
        {
            "case": north_case.reference,
            "person": north_person.reference,
            "file": upload(),
            "description": "Scan",
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["content_type"] == "application/pdf"
    assert body["size"] == len(PDF)
    assert body["uploaded_by"] == "alice"
    (stored,) = stored_files(settings)
    assert PDF not in stored.read_bytes()


def test_a_refused_file_is_a_field_error_and_nothing_is_kept(api, alice, north_case, settings):
    """A file of a refused type answers 400 on `file`; no row and no stored file remain."""
    response = api(alice).post(
        URL,
        {"case": north_case.reference, "file": upload("x.exe", b"MZ\x90\x00\x03\x00\x00\x00")},
        format="multipart",
    )
    assert response.status_code == 400
    assert "file" in response.json()
    assert not Attachment.objects.exists()
    assert stored_files(settings) == []


def test_a_too_large_file_is_refused(api, alice, north_case, settings):
    """A file over the size limit answers 400 on `file`."""
    settings.SHIMTEO_ATTACHMENT_MAX_BYTES = 16
    response = api(alice).post(
        URL, {"case": north_case.reference, "file": upload()}, format="multipart"
    )
    assert response.status_code == 400
    assert "file" in response.json()
    assert not Attachment.objects.exists()


def test_the_download_is_decrypted_uncached_and_audited(api, alice, attachment, north_case):
    """The download streams the original bytes, with no-store, under a name without a person's."""
    response = api(alice).get(f"{detail(attachment)}download/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert north_case.reference in disposition
    assert "hukou" not in disposition
    event = AuditEvent.objects.filter(action="download", target_id=str(attachment.pk)).get()
    assert event.actor == alice
    assert event.case_id == north_case.pk


def test_another_team_gets_404(api, charlie, attachment, north_case, south_case):
    """A caseworker of another team neither sees, downloads nor uploads."""
    client = api(charlie)
    assert client.get(detail(attachment)).status_code == 404
    assert client.get(f"{detail(attachment)}download/").status_code == 404
    assert north_case.reference not in client.get(URL).content.decode()
    response = client.post(
        URL, {"case": north_case.reference, "file": upload()}, format="multipart"
    )
    assert response.status_code == 400
    assert Attachment.objects.count() == 1
    assert not AuditEvent.objects.filter(action="download").exists()


def test_a_legal_advocate_downloads_but_does_not_upload(api, lena, attachment, north_case):
    """A legal advocate reads files of a case shared with her, and gets 403 on an upload."""
    client = api(lena)
    assert client.get(f"{detail(attachment)}download/").status_code == 200
    response = client.post(
        URL, {"case": north_case.reference, "file": upload()}, format="multipart"
    )
    assert response.status_code == 403
    assert Attachment.objects.count() == 1


def test_the_list_query_count_is_flat(api, alice, north_case):
    """The list takes as many queries for 30 files as for 5."""

    def add(n):
        for _ in range(n):
            services.attachment_add(case=north_case, uploaded_file=upload(), actor=alice)

    client = api(alice)
    add(5)
    five = query_count(client, URL)
    add(25)
    assert query_count(client, URL) == five


def test_anonymous_requests_are_refused(api, attachment):
    """Without signing in, nothing is shown or downloaded."""
    assert api().get(URL).status_code == 401
    assert api().get(f"{detail(attachment)}download/").status_code == 401
