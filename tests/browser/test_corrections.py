"""
Issue 16, correct, don't erase, in chromium: at a desktop in English a caseworker corrects a note
that named the wrong woman and reads its history; on a 390 px phone in Korean she voids a legal
status typed as 2030, and the status before it is current again.
"""

import datetime

import pytest
from playwright.sync_api import expect

from casework import services
from casework.choices import Country, LegalStatus, StatusSource
from casework.models import LegalStatusRecord

from .conftest import enrol_totp, sign_in_by_session

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
D = datetime.date


def test_a_note_is_corrected_at_a_desktop_and_a_2030_status_voided_on_a_phone_in_korean(
    page, live_server, north_case, alice, shot
):
    mother = north_case.people.get()
    services.case_note_add(case=north_case, body="Met 박영희 at the safe house.", actor=alice)
    hiding = services.legal_status_change(
        person=mother,
        status=LegalStatus.UNDOCUMENTED_CN,
        effective_from=D(2019, 3, 1),
        country=Country.CHINA,
        source=StatusSource.FAMILY,
        actor=alice,
    )
    # Typed before the date rules existed: 2030 closed the true current status.
    hiding.effective_to = D(2030, 1, 1)
    hiding.save()
    LegalStatusRecord.objects.create(
        person=mother,
        status=LegalStatus.DETAINED_CN,
        effective_from=D(2030, 1, 1),
        country=Country.CHINA,
        source=StatusSource.CASEWORKER,
    )
    enrol_totp(alice)

    # Desktop, English: correct the note, then read its history.
    sign_in_by_session(page, live_server, alice, opening=f"/cases/{north_case.reference}/")
    note = page.locator("li.timeline-note")
    note.get_by_role("link", name="Correct", exact=True).click()
    page.get_by_label("Note").fill("Met the mother at the safe house.")
    page.get_by_role("button", name="Save the correction").click()
    expect(page.locator(".field.has-error").first).to_be_visible()  # refused: no reason yet
    page.get_by_label("Why").fill("Wrong name: 박영희 is another family's.")
    page.get_by_role("button", name="Save the correction").click()
    expect(page.locator("li.timeline-note")).to_contain_text("Met the mother at the safe house.")
    expect(page.locator("li.timeline-note")).not_to_contain_text("박영희")
    page.locator("li.timeline-note").get_by_role("link", name="History").click()
    expect(page.locator("main")).to_contain_text("Met 박영희 at the safe house.")
    shot(page, "01-note-history-en-desktop")

    # Phone, Korean: void the 2030 status from the person page. Her phone is a browser of its
    # own, signed in and set to Korean before (the sign-in on a phone is walked in
    # test_account_password.py, the language switcher on a phone in test_first_week.py).
    page.context.clear_cookies()
    page.set_viewport_size(PHONE)
    sign_in_by_session(
        page, live_server, alice, language="ko", opening=f"/people/{mother.reference}/"
    )
    current = page.locator("tr.current")
    expect(current).to_contain_text("2030")
    current.get_by_role("link", name="무효 처리").click()
    expect(page.locator(".warning")).to_contain_text("이전 신분이 다시 현재 신분")
    page.locator("textarea[name=reason]").fill("2024를 2030으로 잘못 입력함")
    shot(page, "02-void-status-ko-390")
    page.get_by_role("button", name="무효 처리").click()
    # The person page again (the void form has no current row), then what it no longer shows.
    expect(page.locator("tr.current")).to_contain_text("2019")
    expect(page.locator("tr.current")).not_to_contain_text("2030")
    page.get_by_role("link", name="무효 처리된 기록 보기").click()
    expect(page.locator("tr.voided")).to_contain_text("2024를 2030으로 잘못 입력함")
    shot(page, "03-voided-shown-ko-390")
    hiding.refresh_from_db()
    assert hiding.is_current
