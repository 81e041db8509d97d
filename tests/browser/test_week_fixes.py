"""
Issue 16, the last of a caseworker's first week, in chromium at 390 and 1280 px, in English and
in Korean: the reports' tables and the consent history become cards on a phone, so nothing on
the page scrolls sideways; printed, a table's header is never left alone at the foot of a page.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from consent.models import Consent
from tests.casework.test_views_browse import family  # noqa: F401 (the fixture, reused)
from tests.reports.conftest import PERIOD
from tests.reports.conftest import _build as build_known_caseload

from .conftest import enrol_totp, open_menu, sign_in_by_session

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
    """To `code` from English, on the page shown, which the switcher brings back in `code`
    (with its query: the form's `next` is the whole path)."""
    if code == "en":
        return
    open_menu(page)
    page.locator("#language-select").select_option(code)
    page.locator("form.language").get_by_role("button", name=SWITCH_BUTTON["en"]).click()
    expect(page.locator("html")).to_have_attribute("lang", code)


@pytest.fixture
def caseload(sue):
    """The reports' known caseload, written for the live server to read (not built once: the
    reports' module fixture lives in a transaction the server's thread cannot see)."""
    return build_known_caseload()


def test_the_reports_tables_are_cards_on_a_phone(page, live_server, sue, caseload, shot):
    """In English, then in Korean (one sign-in for both), on the reports she signs in on."""
    enrol_totp(sue)
    reports = (
        f"/reports/?date_from={PERIOD.date_from.isoformat()}&date_to={PERIOD.date_to.isoformat()}"
    )
    sign_in_by_session(page, live_server, sue, opening=reports)
    for code in ("en", "ko"):
        _reports_are_cards_on_a_phone(page, shot, code)


def _reports_are_cards_on_a_phone(page, shot, code: str) -> None:
    page.set_viewport_size(PHONE)
    _switch_language(page, code)
    cell = page.locator("table.report-table td[data-label]").first
    expect(cell).to_be_visible()
    # Each figure beside the name of its column.
    label = cell.get_attribute("data-label")
    assert cell.evaluate("td => getComputedStyle(td, '::before').content") == f'"{label}"'
    assert page.evaluate(SIDEWAYS) == [], "the reports scroll sideways at 390 px"
    # The totals are a card as wide as the rows' cards, not a table row left at its content's width.
    table = page.locator("table.report-table:has(tfoot)").first
    row_width = table.locator("tbody tr").first.evaluate("tr => tr.getBoundingClientRect().width")
    totals_width = table.locator("tfoot tr").evaluate("tr => tr.getBoundingClientRect().width")
    assert totals_width == row_width
    shot(page, f"reports-{code}-390")
    # On a wide screen the tables keep their columns, and the page stays as wide as the window.
    page.set_viewport_size(DESKTOP)
    expect(page.locator("table.report-table thead th").first).to_be_visible()
    assert page.evaluate(PAGE_WIDER_THAN_WINDOW) is False
    shot(page, f"reports-{code}-1280")


def test_the_consent_history_is_cards_on_a_phone_and_prints_whole(
    page,
    live_server,
    alice,
    family,  # noqa: F811
    shot,
):
    """In English, then in Korean (one sign-in for both), on the mother's page she signs in on."""
    mother = family.mother
    for method in ("oral", "written"):
        Consent.objects.create(person=mother, method=method, store_data=True, statistics=True)
    enrol_totp(alice)
    person_page = reverse("casework:person_detail", args=[mother.reference])
    sign_in_by_session(page, live_server, alice, opening=person_page)
    for code in ("en", "ko"):
        _consent_history_is_cards_and_prints_whole(page, shot, code)


def _consent_history_is_cards_and_prints_whole(page, shot, code: str) -> None:
    """On the person page shown."""
    page.emulate_media(media="screen")
    page.set_viewport_size(PHONE)
    _switch_language(page, code)
    cell = page.locator("table.consent-history td[data-label]").first
    expect(cell).to_be_visible()
    label = cell.get_attribute("data-label")
    assert cell.evaluate("td => getComputedStyle(td, '::before').content") == f'"{label}"'
    assert page.evaluate(SIDEWAYS) == [], "the person page scrolls sideways at 390 px"
    shot(page, f"consent-{code}-390")
    page.set_viewport_size(DESKTOP)
    assert page.evaluate(PAGE_WIDER_THAN_WINDOW) is False
    shot(page, f"consent-{code}-1280")
    # Printed: the header row repeats on each page and a row is never cut across two.
    page.emulate_media(media="print")
    head = page.locator("table.consent-history thead")
    assert head.evaluate("el => getComputedStyle(el).display") == "table-header-group"
    row = page.locator("table.consent-history tbody tr").first
    assert row.evaluate("el => getComputedStyle(el).breakInside") == "avoid"
    heading = page.locator("#consent-heading")
    assert heading.evaluate("el => getComputedStyle(el).breakAfter") == "avoid"
