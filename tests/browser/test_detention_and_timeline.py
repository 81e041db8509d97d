"""
Issue 16, point 7, in chromium: on a desktop in English a caseworker records Kim's arrest in
Yanji and, in the same step, her detention, the flag and the risk; on a phone in Korean the case
page of a family with 80 notes is a page of the timeline, not 7,000 px of it, and its filter and
pages work from the keyboard.
"""

import datetime

import pytest
from playwright.sync_api import expect

from casework import dates, services
from casework.choices import (
    Country,
    LegalStatus,
    MemberRole,
    NoteKind,
    PersonRole,
    RiskLevel,
    StatusSource,
)

from .conftest import choose, enrol_totp, sign_in_by_session

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
KIM = "김순희"
YESTERDAY = dates.today() - datetime.timedelta(days=1)
# A page of 25 entries is about 4,500-5,000 px at 390 px (the case page's hint and sections above
# the timeline vary); all 80 notes on one page were three times that.
MAX_PHONE_HEIGHT = 5_500


@pytest.fixture
def kim_case(team_north, alice):
    kim = services.person_create(
        actor=alice,
        full_name=KIM,
        role=PersonRole.REFUGEE,
        date_of_birth=datetime.date(1984, 5, 17),
    )
    case = services.case_open(
        team=team_north,
        actor=alice,
        risk_level=RiskLevel.MEDIUM,
        members=[(kim, MemberRole.PRINCIPAL)],
        caseworkers=[alice],
    )
    services.legal_status_change(
        person=kim,
        status=LegalStatus.UNDOCUMENTED_CN,
        effective_from=datetime.date(2010, 3, 1),
        country=Country.CHINA,
        source=StatusSource.CASEWORKER,
        actor=alice,
    )
    enrol_totp(alice)
    return case, kim


def test_a_caseworker_records_an_arrest_and_her_detention_in_one_step(
    page, live_server, alice, kim_case, shot
):
    case, kim = kim_case
    sign_in_by_session(page, live_server, alice, opening=f"/cases/{case.reference}/")
    page.get_by_role("link", name="Record an incident").click()

    detention = page.get_by_role("group", name="If this was an arrest or a detention")
    # Hidden until what happened is an arrest or a detention (CSS :has, no script).
    expect(detention).to_be_hidden()
    page.get_by_label("What happened").select_option(label="Arrest")
    expect(detention).to_be_visible()
    for box in (
        "Set the legal status of the people involved to “Detained in China” from that day",
        "Raise the flag “A member is detained” on the case",
        "Raise the case's risk level to High",
    ):
        expect(detention.get_by_role("checkbox", name=box)).to_be_checked()
    page.get_by_label("When").fill(YESTERDAY.isoformat())
    page.get_by_label("Province or region").select_option(label="China: Jilin")
    page.get_by_label("Description").fill("Arrested at the market in Yanji.")
    page.get_by_text(f"{KIM} ({kim.reference})").click()
    choose(detention.get_by_label("How you know of the detention"), "Reported by family")
    shot(page, "01-arrest-form")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_text(f"Now detained: {kim.reference}.")).to_be_visible()
    header = page.locator(".case-header")
    expect(header).to_contain_text("A member is detained")
    expect(header).to_contain_text("High")
    kim_row = page.get_by_role("row", name=KIM)
    expect(kim_row).to_contain_text("Detained in China")
    first = page.locator("ol.timeline > li").first
    expect(first).to_contain_text("Arrest")
    expect(first).to_contain_text("Arrested at the market in Yanji.")
    shot(page, "02-case-after-the-arrest")


def test_a_long_timeline_is_paged_and_filtered_on_a_phone_in_korean(
    page, live_server, alice, kim_case, shot
):
    case, _kim = kim_case
    kinds = [NoteKind.VISIT, NoteKind.CALL, NoteKind.MESSAGE, NoteKind.OFFICE]
    for number in range(80):
        services.case_note_add(
            case=case,
            kind=kinds[number % 4],
            contacted_on=dates.today() - datetime.timedelta(days=number),
            body=f"연락 기록 {number:02d}: 가족은 무사하며 다음 주에 다시 연락하기로 했다.",
            actor=alice,
        )
    page.set_viewport_size(PHONE)
    # In Korean, chosen on this phone before (the switcher, which brings her back to the page it
    # was used on, is walked on a case page in test_plan_referral_closure.py).
    sign_in_by_session(page, live_server, alice, language="ko", opening=f"/cases/{case.reference}/")

    expect(page.locator("ol.timeline > li")).to_have_count(25)
    expect(page.locator("ol.timeline > li").first).to_contain_text("연락 기록 00")
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < MAX_PHONE_HEIGHT, height
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "01-case-page-390-ko")

    expect(page.locator("ol.timeline > li").first).to_contain_text("메모 · 방문")
    expect(page.get_by_text("4쪽 중 1쪽")).to_be_visible()
    # The next page by keyboard: focus the link and press Enter.
    older = page.get_by_role("link", name="이전 항목")
    older.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**page=2**")
    expect(page.locator("ol.timeline > li").first).to_contain_text("연락 기록 25")

    # Only the phone calls: 20 of them, one page.
    page.get_by_label("보기", exact=True).select_option(label="전화 통화")
    page.get_by_role("button", name="보기", exact=True).press("Enter")
    page.wait_for_url("**show=note%3Acall**")
    entries = page.locator("ol.timeline > li")
    expect(entries).to_have_count(20)
    expect(entries.first).to_contain_text("연락 기록 01")
    expect(entries.first).to_contain_text("메모 · 전화 통화")
    expect(page.locator("nav.pagination")).to_have_count(0)
    shot(page, "02-calls-only-390-ko")
