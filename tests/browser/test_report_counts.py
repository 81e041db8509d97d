"""
A supervisor's reports counted by a worker (`reports.services`), on a phone: the page says when
its figures were counted, and "Count again", reached from the keyboard, counts a record saved
since. (Celery runs eagerly here: the count is made as the button is pressed.)
"""

import pytest
from playwright.sync_api import expect

from casework import querysets
from reports.models import ReportRun
from tests.reports.conftest import PERIOD
from tests.reports.conftest import _build as build_known_caseload

from ..scenarios import consenting
from .conftest import enrol_totp, sign_in_by_session
from .test_week_fixes import PHONE, SIDEWAYS

pytestmark = pytest.mark.browser

REPORTS = f"/reports/?date_from={PERIOD.date_from.isoformat()}&date_to={PERIOD.date_to.isoformat()}"


def test_a_supervisor_counts_her_reports_again_from_the_keyboard(
    page, live_server, sue, shot, monkeypatch, settings
):
    monkeypatch.setattr(querysets, "FEW_CASES", 0)  # sue reads as the supervisor of a big team
    settings.SHIMTEO_SMALL_COUNT_THRESHOLD = 1
    caseload = build_known_caseload()
    enrol_totp(sue)
    page.set_viewport_size(PHONE)
    sign_in_by_session(page, live_server, sue, opening=REPORTS, language="en")

    counted = page.locator(".report-run p")
    expect(counted).to_contain_text("Counted on")
    still_detained = page.locator("#detentions tbody tr", has_text="Still detained").locator("td")
    expect(still_detained.first).to_have_text("1")
    assert page.evaluate(SIDEWAYS) == [], "the reports scroll sideways at 390 px"
    shot(page, "reports-counted-390")

    consenting(caseload.p4)  # his consent, recorded after the count: his detention is not shown
    page.reload()
    expect(still_detained.first).to_have_text("1")

    page.get_by_role("button", name="Count again").focus()
    page.keyboard.press("Enter")
    expect(still_detained.first).to_have_text("2")
    expect(counted).to_contain_text("Counted on")
    assert ReportRun.objects.filter(requested_by=sue).count() == 2
