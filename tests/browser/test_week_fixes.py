"""
Issue 16, the last of a caseworker's first week, in chromium at 390 and 1280 px, in English and
in Korean: the reports' tables become cards on a phone, so nothing on the page scrolls sideways.
"""

import pytest
from playwright.sync_api import expect

from tests.factories import DEFAULT_PASSWORD
from tests.reports.conftest import PERIOD, caseload  # noqa: F401 (the fixture, reused)

from .conftest import enrol_totp, login_with_totp, open_menu

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SWITCH_BUTTON = {"en": "Change", "ko": "변경"}
# Nothing wider than the window: not the page, and no table in a box of its own.
# What scrolls sideways: the page, or any box of its own (a table in a scrolling box).
SIDEWAYS = """() => [
  ...(document.scrollingElement.scrollWidth > window.innerWidth ? ['the page'] : []),
  ...[...document.querySelectorAll('main *')]
    .filter(el => el.scrollWidth > el.clientWidth + 1
      && !['visible', 'hidden', 'clip'].includes(getComputedStyle(el).overflowX))
    .map(el => el.tagName + '.' + el.className)]"""
PAGE_WIDER_THAN_WINDOW = "() => document.scrollingElement.scrollWidth > window.innerWidth"


def _switch_language(page, code: str) -> None:
    if code == "en":
        return
    open_menu(page)
    page.locator("#language-select").select_option(code)
    page.locator("form.language").get_by_role("button", name=SWITCH_BUTTON["en"]).click()
    expect(page.locator("html")).to_have_attribute("lang", code)


@pytest.mark.parametrize("code", ["en", "ko"])
def test_the_reports_tables_are_cards_on_a_phone(page, live_server, sue, caseload, shot, code):  # noqa: F811
    enrol_totp(sue)
    page.set_viewport_size(PHONE)
    login_with_totp(page, live_server, sue, DEFAULT_PASSWORD)
    _switch_language(page, code)
    page.goto(
        f"/reports/?date_from={PERIOD.date_from.isoformat()}&date_to={PERIOD.date_to.isoformat()}"
    )
    cell = page.locator("table.report-table td[data-label]").first
    expect(cell).to_be_visible()
    # Each figure beside the name of its column.
    label = cell.get_attribute("data-label")
    assert cell.evaluate("td => getComputedStyle(td, '::before').content") == f'"{label}"'
    assert page.evaluate(SIDEWAYS) == [], "the reports scroll sideways at 390 px"
    shot(page, f"reports-{code}-390")
    # On a wide screen the tables keep their columns, and the page stays as wide as the window.
    page.set_viewport_size(DESKTOP)
    expect(page.locator("table.report-table thead th").first).to_be_visible()
    assert page.evaluate(PAGE_WIDER_THAN_WINDOW) is False
    shot(page, f"reports-{code}-1280")
