"""
Nothing typed is lost, in chromium (issue 16, point 3). Alice writes a note on the case of a
mother hiding in Yanji: it survives a reload, her session ending before she pressed Save (she
signs in again with both factors and saves it), and a paste over the size limit; an intake step
keeps what she types before "Save and continue". Desktop and phone widths, English and Korean.
"""

import re

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import TOTPDevice
from casework.models import CaseNote
from tests.factories import DEFAULT_PASSWORD

from .conftest import (
    choose_language,
    click_to_open,
    enrol_totp,
    next_unused_totp,
    open_menu,
    sign_in_by_session,
)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("short_draft_pause")]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
NOTE = (
    "Called the mother from the office. The police searched the village on Tuesday night; "
    "she and the children are at her sister's in Yanji until Friday."
)
KOREAN_NOTE = "어머니와 통화함. 공안이 화요일 밤 마을을 수색했음; 아이들은 이모 집에 있음. "


def _note_form(page, case) -> None:
    page.goto(reverse("casework:note_add", args=[case.reference]))


def _shots(page, shot, name: str) -> None:
    page.set_viewport_size(DESKTOP)
    shot(page, f"{name}-1280")
    page.set_viewport_size(PHONE)
    shot(page, f"{name}-390")
    page.set_viewport_size(DESKTOP)


def test_a_note_survives_a_reload_and_the_session_ending_before_save(
    page, live_server, alice, north_case, shot
):
    enrol_totp(alice)
    sign_in_by_session(
        page, live_server, alice, opening=reverse("casework:note_add", args=[north_case.reference])
    )
    expect(page.get_by_text("What you type is kept as an encrypted draft")).to_be_visible()

    # Typed, then the tab reloaded (or closed and opened again): the note is back. The line that
    # says the draft is saved appears below the buttons: above them, it moved Save down under a
    # pointer that was pressing it, and that click was lost.
    save = page.get_by_role("button", name="Save", exact=True)
    where_save_was = save.bounding_box()
    page.get_by_label("Note").fill(NOTE)
    expect(page.locator(".draft-status")).to_contain_text("Draft saved at")
    assert save.bounding_box() == where_save_was
    page.reload()
    expect(page.get_by_label("Note")).to_have_value(NOTE)
    expect(
        page.get_by_role("status").filter(has_text="Restored your unsaved draft")
    ).to_be_visible()
    _shots(page, shot, "01-draft-restored")

    # Discarded: the form is empty again.
    click_to_open(page.get_by_role("button", name="Discard draft"))
    expect(page.get_by_label("Note")).to_have_value("")

    # Typed again (a phone call), saved on leaving the field; then the idle timeout ends the
    # session.
    page.get_by_label("How you were in contact").select_option("call")
    page.get_by_label("Note").fill(NOTE)
    page.keyboard.press("Tab")
    expect(page.locator(".draft-status")).to_contain_text("Draft saved at")
    Session.objects.all().delete()
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    expect(
        page.get_by_text("Your session ended, so what you sent was not saved yet.")
    ).to_be_visible()
    assert not CaseNote.objects.exists()
    _shots(page, shot, "02-session-ended")

    # Both factors again: back at the note, filled in, with why; Save saves it.
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/accounts/verify/"))
    page.get_by_label("Code").fill(next_unused_totp(TOTPDevice.objects.get(user=alice)))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(re.compile(r"/notes/new/"))
    expect(page.get_by_label("Note")).to_have_value(NOTE)
    expect(page.get_by_role("alert")).to_contain_text("Your session had ended when you sent")
    _shots(page, shot, "03-note-back-after-sign-in")
    click_to_open(page.get_by_role("button", name="Save", exact=True))
    expect(page.get_by_text("The note was added.")).to_be_visible()
    assert CaseNote.objects.get().body == NOTE

    # Saved, the draft is gone: a new note starts empty.
    _note_form(page, north_case)
    expect(page.get_by_label("Note")).to_have_value("")


def test_a_note_over_the_size_limit_comes_back_with_a_clear_message_on_a_phone_in_korean(
    page, live_server, alice, north_case, settings, shot
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 20_000
    enrol_totp(alice)
    page.set_viewport_size(PHONE)
    sign_in_by_session(
        page, live_server, alice, opening=reverse("casework:note_add", args=[north_case.reference])
    )
    choose_language(page, "ko")  # which brings her back to the note's form, in Korean
    long_note = KOREAN_NOTE * 100  # about 5,000 characters: 40 kB as a form sends them
    note = page.locator("textarea")

    # The browser holds it back, says why, and keeps the text.
    note.fill(long_note)
    page.get_by_role("button", name="저장", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("보내기에 너무 큽니다")
    expect(note).to_have_value(long_note)
    shot(page, "01-held-back-390-ko")

    # Sent anyway (a script-free browser): the form comes back with its first part, and why.
    with page.expect_navigation():
        page.evaluate("document.querySelector('textarea').form.submit()")
    expect(page.get_by_role("alert")).to_contain_text("보내신 내용이 제한 크기")
    kept = note.input_value()
    assert len(kept) > 1_000 and long_note.startswith(kept)
    assert not CaseNote.objects.exists()
    shot(page, "02-first-part-back-390-ko")


def test_an_intake_step_keeps_what_is_typed_before_save_and_continue(
    page, live_server, alice, shot
):
    enrol_totp(alice)
    page.set_viewport_size(PHONE)
    sign_in_by_session(page, live_server, alice)
    open_menu(page)
    click_to_open(page.get_by_role("link", name="Intake", exact=True).first)
    click_to_open(page.get_by_role("button", name="Start a new intake"))

    page.get_by_label("Witnessed by").fill("Interpreter Park")
    expect(page.locator(".draft-status")).to_contain_text("Draft saved at")
    page.reload()
    expect(page.get_by_label("Witnessed by")).to_have_value("Interpreter Park")
    expect(page.get_by_text("Restored your unsaved draft")).to_be_visible()
    shot(page, "01-intake-step-restored-390")
