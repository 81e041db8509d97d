"""
Nothing typed is lost (issue 16, point 3): drafts of long-text forms kept on the server per user
and form, encrypted; a post after the session ended kept for its user across sign-in; a post over
the size limit brought back in the form with a clear message.

Alice, a caseworker of team North, writes notes on the case of a mother hiding in Yanji.
"""

import datetime
import re
import threading
from urllib.parse import urlencode

import pytest
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts import drafts
from accounts.middleware import _cut_form_body
from accounts.models import Draft
from casework import dates
from casework.models import Attachment, CaseNote

from ..conftest import sign_in
from ..intake.conftest import IDENTITY, fill, start, step_url

pytestmark = pytest.mark.django_db

NOTE = "어머니와 통화함. 공안이 마을을 수색했다고 함; 아이들은 이모 집에 있음."
FORM_ENCODED = "application/x-www-form-urlencoded"


def _today() -> str:
    return dates.today().isoformat()


def _note_url(case) -> str:
    return reverse("casework:note_add", args=[case.reference])


def _marker(page) -> str:
    match = re.search(r'name="_draft_owner" value="([^"]+)"', page.content.decode())
    assert match, "the form carries no draft marker"
    return match.group(1)


def _post_form(client, url, data):
    """As a browser posts a form without files: urlencoded, the body whose size counts."""
    return client.post(url, urlencode(data, doseq=True), content_type=FORM_ENCODED)


def _type(client, case, text):
    """What drafts.js sends while alice types: the form's fields, to the draft endpoint."""
    marker = _marker(client.get(_note_url(case)))
    return _post_form(
        client, reverse("accounts:draft_save"), {"_draft_owner": marker, "body": text}
    )


def _textarea(page) -> str:
    match = re.search(r"<textarea[^>]*>(.*?)</textarea>", page.content.decode(), re.S)
    return match.group(1).strip() if match else ""


def test_a_note_typed_is_kept_encrypted_and_back_in_the_form_until_saved(client, alice, north_case):
    sign_in(client, alice)

    response = _type(client, north_case, NOTE)

    assert response.status_code == 200
    draft = Draft.objects.get(user=alice)
    assert draft.form_key == _note_url(north_case)
    with connection.cursor() as cursor:
        # The id as the database stores it (SQLite keeps a UUID as its hex).
        key = Draft._meta.pk.get_db_prep_value(draft.pk, connection)
        cursor.execute("SELECT data FROM accounts_draft WHERE id = %s", [key])
        (raw,) = cursor.fetchone()
    assert raw.startswith("v1:") and "어머니" not in raw

    page = client.get(_note_url(north_case))
    assert _textarea(page) == NOTE
    assert "Restored your unsaved draft from" in page.content.decode()
    assert "Discard draft" in page.content.decode()

    saved = _post_form(
        client,
        _note_url(north_case),
        {"_draft_owner": _marker(page), "kind": "call", "contacted_on": _today(), "body": NOTE},
    )
    assert saved.status_code == 302
    assert CaseNote.objects.filter(case=north_case).count() == 1
    assert not Draft.objects.exists()
    assert _textarea(client.get(_note_url(north_case))) == ""


def test_the_size_limit_is_stated_on_the_form(client, alice, north_case):
    sign_in(client, alice)
    page = client.get(_note_url(north_case)).content.decode()
    assert "One save can send up to 5 MB (about 580,000 characters of Korean or Chinese)" in page


def test_the_pause_before_a_draft_is_saved_is_the_servers(client, alice, north_case, settings):
    """drafts.js waits as long as the page says (1.5 s in production; the browser tests shorten
    it, so the attribute is what they rely on)."""
    sign_in(client, alice)
    page = client.get(_note_url(north_case)).content.decode()
    assert 'data-pause-ms="1500"' in page
    settings.SHIMTEO_DRAFT_PAUSE_MS = 250
    assert 'data-pause-ms="250"' in client.get(_note_url(north_case)).content.decode()


def test_deleting_everything_typed_deletes_the_draft(client, alice, north_case):
    sign_in(client, alice)
    _type(client, north_case, NOTE)
    marker = _marker(client.get(_note_url(north_case)))
    _post_form(
        client,
        reverse("accounts:draft_save"),
        {"_draft_owner": marker, "body": "", "_draft_empty": "1"},
    )
    assert not Draft.objects.exists()


def test_discard_draft_shows_the_empty_form_again(client, alice, north_case):
    sign_in(client, alice)
    _type(client, north_case, NOTE)
    marker = _marker(client.get(_note_url(north_case)))

    response = client.post(reverse("accounts:draft_discard"), {"_draft_owner": marker})

    assert response.status_code == 302 and response.url == _note_url(north_case)
    page = client.get(_note_url(north_case))
    assert _textarea(page) == "" and "The draft was discarded." in page.content.decode()


def test_a_draft_is_its_users_alone(client, alice, sue, north_case):
    """Sue, alice's supervisor, sees the case, but neither alice's draft nor a way to write it."""
    sign_in(client, alice)
    _type(client, north_case, NOTE)
    alices_marker = _marker(client.get(_note_url(north_case)))

    sign_in(client, sue)
    refused = _post_form(
        client, reverse("accounts:draft_save"), {"_draft_owner": alices_marker, "body": "x"}
    )
    assert refused.status_code == 400
    forged = _post_form(
        client, reverse("accounts:draft_save"), {"_draft_owner": "1:forged", "body": "x"}
    )
    assert forged.status_code == 400
    assert (
        client.post(reverse("accounts:draft_discard"), {"_draft_owner": alices_marker}).status_code
        == 400
    )
    assert Draft.objects.get().data == {"body": [NOTE]}
    page = client.get(_note_url(north_case))
    if page.status_code == 200:
        assert NOTE not in page.content.decode()
    assert drafts.draft_for(sue, _note_url(north_case)) is None


def test_a_note_saved_after_the_session_ended_is_kept_for_its_author(client, alice, north_case):
    sign_in(client, alice)
    marker = _marker(client.get(_note_url(north_case)))
    Session.objects.all().delete()  # the idle timeout, as the session store sees it

    response = _post_form(client, _note_url(north_case), {"_draft_owner": marker, "body": NOTE})

    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={_note_url(north_case)}"
    assert not CaseNote.objects.exists()
    draft = Draft.objects.get(user=alice)
    assert draft.reason == Draft.Reason.SESSION_ENDED and draft.data == {"body": [NOTE]}
    login = client.get(response.url).content.decode()
    assert "Your session ended, so what you sent was not saved yet." in login

    sign_in(client, alice)
    page = client.get(_note_url(north_case))
    assert _textarea(page) == NOTE
    assert "Your session had ended when you sent this form" in page.content.decode()


def test_after_the_session_ended_nothing_is_kept_for_a_post_without_its_marker(
    client, alice, north_case
):
    sign_in(client, alice)
    Session.objects.all().delete()
    response = _post_form(client, _note_url(north_case), {"body": NOTE})
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    forged = _post_form(
        client, _note_url(north_case), {"_draft_owner": "forged:value", "body": NOTE}
    )
    assert forged.status_code == 302
    assert not Draft.objects.exists()


def test_a_marker_keeps_nothing_on_another_form(client, alice, north_case):
    """A marker is signed for one form: posted elsewhere after sign-out, it keeps nothing."""
    sign_in(client, alice)
    marker = _marker(client.get(_note_url(north_case)))
    Session.objects.all().delete()
    other_form = reverse("casework:incident_add", args=[north_case.reference])
    _post_form(client, other_form, {"_draft_owner": marker, "description": NOTE})
    assert not Draft.objects.exists()


def test_an_oversized_note_comes_back_in_the_form_with_a_clear_message(
    client, alice, north_case, settings
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4_000
    sign_in(client, alice)
    marker = _marker(client.get(_note_url(north_case)))
    long_note = NOTE * 60  # about 2,600 characters, 23 kB as a form sends them

    response = _post_form(
        client, _note_url(north_case), {"_draft_owner": marker, "body": long_note}
    )

    assert response.status_code == 302 and response.url == _note_url(north_case)
    assert not CaseNote.objects.exists()
    draft = Draft.objects.get(user=alice)
    assert draft.reason == Draft.Reason.TOO_LARGE
    kept = draft.data["body"][0]
    assert len(kept) > 300 and long_note.startswith(kept)
    page = client.get(_note_url(north_case)).content.decode()
    assert "What you sent was larger than the limit of" in page
    assert "Its first part is restored below" in page
    assert kept in page


def test_an_oversized_post_of_a_form_without_drafts_says_why(client, alice, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    sign_in(client, alice)
    response = _post_form(client, reverse("casework:break_glass"), {"reason": "x" * 2_000})
    assert response.status_code == 413
    assert "larger than the limit" in response.content.decode()


@pytest.mark.parametrize(
    ("body", "kept"),
    [
        (b"body=abc%EC%96%B4%EB", b"body=abc%EC%96%B4"),  # 어 whole, then half a character
        (b"body=abc%EC%96%B4%E", b"body=abc%EC%96%B4"),  # cut inside an escape
        (b"body=abc%EC%96%B4%EB%A8%B8", b"body=abc%EC%96%B4%EB%A8%B8"),  # 어머, whole
        (b"body=a+b", b"body=a+b"),
    ],
)
def test_a_cut_form_body_ends_on_a_whole_character(body, kept):
    assert _cut_form_body(body) == kept


def test_drafts_expire(client, alice, north_case):
    sign_in(client, alice)
    _type(client, north_case, NOTE)
    later = timezone.now() + datetime.timedelta(days=8)
    assert drafts.drafts_purge_expired(now=later) == 1
    assert not Draft.objects.exists()


def test_an_intake_step_keeps_what_is_typed_before_save_and_continue(client, alice):
    sign_in(client, alice)
    submission = fill(client, start(client), steps=["consent"])
    url = step_url(submission, "identity")
    marker = _marker(client.get(url))

    _post_form(
        client,
        reverse("accounts:draft_save"),
        {"_draft_owner": marker, **IDENTITY, "place_of_origin": "Musan"},
    )

    page = client.get(url).content.decode()
    assert "Restored your unsaved draft from" in page
    assert 'value="Musan"' in page and IDENTITY["full_name"] in page
    client.post(url, {**IDENTITY, "place_of_origin": "Musan", "action": "next"})
    assert not Draft.objects.exists()
    submission.refresh_from_db()
    assert submission.answers["identity"]["place_of_origin"] == ["Musan"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
def test_two_saves_of_a_new_draft_sent_together_both_succeed(alice):
    """A blur and the typing pause can send the first save of a form twice at once: no 500."""
    errors = []

    def save(key, text):
        try:
            drafts.draft_save(user=alice, form_key=key, data={"body": [text]})
        except Exception as error:  # any failure is the finding
            errors.append(error)
        finally:
            connection.close()

    for attempt in range(15):
        key = f"/cases/C-RACE/notes/new/{attempt}"
        threads = [threading.Thread(target=save, args=(key, text)) for text in ("a", "ab")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    assert Draft.objects.filter(user=alice).count() == 15


def _file_url(case) -> str:
    return reverse("casework:attachment_add", args=[case.reference])


def _pdf(size: int = 100) -> SimpleUploadedFile:
    return SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n" + b"0" * size, "application/pdf")


def test_a_file_with_an_oversized_description_keeps_the_text_and_says_why(
    client, alice, north_case, settings
):
    """A multipart post whose text is over the limit: its text comes back, nothing is stored."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4_000
    sign_in(client, alice)
    marker = _marker(client.get(_file_url(north_case)))
    long_text = NOTE * 200  # about 8,000 characters, 20 kB

    response = client.post(
        _file_url(north_case),
        {"_draft_owner": marker, "file": _pdf(), "description": long_text},
    )

    assert response.status_code == 302 and response.url == _file_url(north_case)
    assert not Attachment.objects.exists()
    draft = Draft.objects.get(user=alice)
    assert draft.reason == Draft.Reason.TOO_LARGE
    kept = draft.data["description"][0]
    assert len(kept) > 300 and long_text.startswith(kept)
    page = client.get(_file_url(north_case)).content.decode()
    assert "What you sent was larger than the limit of" in page
    assert kept in page


def test_a_file_larger_than_the_limit_with_short_text_is_stored(
    client, alice, north_case, settings
):
    """Files do not count against the limit of a post: a large scan with a line is uploaded."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4_000
    sign_in(client, alice)
    marker = _marker(client.get(_file_url(north_case)))

    response = client.post(
        _file_url(north_case),
        {"_draft_owner": marker, "file": _pdf(20_000), "description": "Hospital letter"},
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert Attachment.objects.get().description == "Hospital letter"
    assert not Draft.objects.exists()


def test_a_draft_saved_says_when_in_the_users_own_zone(client, alice, north_case):
    """ "Draft saved at": the server's time in Alice's zone (Seoul), with the zone, not her device's."""
    alice.time_zone = "Asia/Seoul"
    alice.save(update_fields=["time_zone"])
    sign_in(client, alice)

    answer = _type(client, north_case, NOTE).json()

    saved = timezone.localtime(
        Draft.objects.get(user=alice).updated_at, datetime.timezone(datetime.timedelta(hours=9))
    )
    assert answer["saved_at"] == f"{saved:%H:%M} UTC+0900"
