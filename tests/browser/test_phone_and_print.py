"""
Issue 16, phone and print, in chromium: at 390 px the header is one short line whose menu opens
from the keyboard; the tables that were cut become cards (nothing scrolls sideways); the case
summary prints without the navigation or its form, on A4. In English and in Korean, with a
screenshot of each page at 390 and 1280 px.
"""

import pytest
from playwright.sync_api import expect

from casework.choices import Redaction
from tests.casework.test_case_summary import lived_case  # noqa: F401 (the fixture, reused)
from tests.casework.test_views_browse import MOTHER, family  # noqa: F401 (the fixture, reused)

from .conftest import (
    choose_language,
    click_to_open,
    enrol_totp,
    sign_in_by_session,
)

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
NO_SIDEWAYS_SCROLL = "() => document.scrollingElement.scrollWidth <= window.innerWidth"


def _header_height_share(page) -> float:
    return page.evaluate(
        "() => document.querySelector('.site-header').getBoundingClientRect().height"
        " / window.innerHeight"
    )


def _at_both_widths(page, shot, name: str) -> None:
    """A screenshot at a desktop's and a phone's width, ending at the phone's, with no overflow."""
    page.set_viewport_size(DESKTOP)
    shot(page, f"{name}-1280")
    page.set_viewport_size(PHONE)
    assert page.evaluate(NO_SIDEWAYS_SCROLL), f"{name} scrolls sideways at 390 px"
    shot(page, f"{name}-390")


def test_a_caseworker_on_a_phone_opens_the_menu_reads_cards_and_prints_a_summary(
    page,
    live_server,
    alice,
    lived_case,  # noqa: F811
    shot,
    artifacts_dir,
):
    case = lived_case.case
    enrol_totp(alice)
    page.set_viewport_size(PHONE)
    sign_in_by_session(page, live_server, alice)

    # One short line: the brand, the menu button and the lock.
    assert _header_height_share(page) < 0.2
    expect(page.get_by_role("button", name="Lock now")).to_be_visible()
    expect(page.get_by_role("link", name="Cases", exact=True)).to_be_hidden()
    # From the keyboard alone: the skip link, the brand, then the menu, opened with Enter.
    for _ in range(3):
        page.keyboard.press("Tab")
    expect(page.locator(".site-menu > summary")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Dashboard", exact=True)).to_be_focused()
    shot(page, "01-menu-open-390")
    click_to_open(page.get_by_role("link", name="Cases", exact=True))

    # The case list, the case page and the audit trail: cards, each value beside its column.
    cell = page.locator("table.cases td[data-label]").first
    expect(cell).to_be_visible()
    assert cell.evaluate("td => getComputedStyle(td, '::before').content") == '"Principal"'
    _at_both_widths(page, shot, "02-case-list")
    click_to_open(page.get_by_role("link", name=case.reference))
    _at_both_widths(page, shot, "03-case")

    # The summary, with pseudonyms: no name, and the page prints without its menu and form.
    page.get_by_role("link", name="Print a summary of this case").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Summary of case {case.reference}")
    expect(page.get_by_role("button", name="Print")).to_be_visible()  # the script ran
    assert MOTHER not in page.content()
    _at_both_widths(page, shot, "04-summary-pseudonyms")
    page.get_by_label("Names").select_option(Redaction.NAMED_WITH_CONSENT)
    page.get_by_role("button", name="Show").click()
    # Names are decided for the family (casework.redaction): one member of this household has
    # not agreed to be named, so nobody is, and the rows show pseudonyms.
    expect(page.locator("th[scope=row]").first).to_be_visible()
    assert MOTHER not in page.content()
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator("form.summary-options")).to_be_hidden()
    expect(page.locator("th[scope=row]").first).to_be_visible()
    pdf = page.pdf(path=str(artifacts_dir / "05-summary-named.pdf"), format="A4")
    assert pdf.startswith(b"%PDF")

    # The same in Korean, on the same phone (one sign-in and one lived case for both walks).
    page.emulate_media(media="screen")
    page.goto("/")
    _the_header_and_the_summary_in_korean_on_a_phone(page, shot, case)


def _the_header_and_the_summary_in_korean_on_a_phone(page, shot, case) -> None:
    choose_language(page, "ko")

    assert _header_height_share(page) < 0.2
    expect(page.get_by_role("button", name="지금 잠그기")).to_be_visible()
    page.get_by_text("메뉴", exact=True).click()
    expect(page.get_by_role("link", name="사례", exact=True)).to_be_visible()
    shot(page, "01-menu-open-ko-390")
    _at_both_widths(page, shot, "02-dashboard-ko")

    page.goto(f"/cases/{case.reference}/summary/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.reference)
    _at_both_widths(page, shot, "03-summary-ko")
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator("form.summary-options")).to_be_hidden()
