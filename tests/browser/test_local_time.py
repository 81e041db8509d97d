"""
Local time in chromium at a phone's width (390 px), in Korean: a caseworker of a team in Shanghai's
zone reads her case's dates in the Korean long form (2025년 10월 2일, never 10/02/2025 or
2025-10-2) and the time she opened the case with its zone (UTC+0800, never the ambiguous CST), on the case, person and account pages.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.legal_aid.test_documents_services import build_family

from .conftest import enrol_totp, sign_in_by_session

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
KOREAN_DATE_TIME = re.compile(r"^\d{4}년 \d{1,2}월 \d{1,2}일 \d{2}:\d{2} UTC\+0800$")


def test_a_caseworker_reads_korean_dates_and_times_with_their_zone_on_a_phone(
    page, live_server, alice, north_case, shot
):
    family = build_family(north_case, alice)
    enrol_totp(alice)
    page.set_viewport_size(PHONE)
    # Korean chosen in this browser before (the language cookie), not in her account.
    sign_in_by_session(
        page, live_server, alice, opening=f"/cases/{north_case.reference}/", language="ko"
    )
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    # The arrest of 2 October 2025 on the timeline, in the Korean long form.
    arrest = page.locator('.timeline time[datetime="2025-10-02"]').first
    expect(arrest).to_have_text("2025년 10월 2일")
    # Her own visit, a moment ago, with the zone of her team (Asia/Shanghai: UTC+0800).
    page.reload()
    viewed = page.locator("table time").filter(has_text="UTC+0800").first
    expect(viewed).to_have_text(KOREAN_DATE_TIME)
    assert viewed.get_attribute("datetime").endswith("+08:00")
    shot(page, "case-ko-390")

    page.goto(f"/people/{family['mother'].reference}/")
    expect(page.locator('time[datetime="2025-10-03"]').first).to_have_text("2025년 10월 3일")
    body = page.locator("main").inner_text()
    assert "10/02/2025" not in body and "2025-10-2" not in body
    shot(page, "person-ko-390")

    page.goto("/accounts/security/")
    expect(page.get_by_label("시간대")).to_be_visible()
    expect(
        page.get_by_text(re.compile(r"지금은 \d{4}년 \d{1,2}월 \d{1,2}일 \d{2}:\d{2} UTC\+0800"))
    ).to_be_visible()
    # Nothing is cut off at 390 px: the page is no wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "security-ko-390")
