"""
Issue 20: on a phone (390 px), a caseworker sees the missed check-in of the mother of her case
first on her dashboard and records "safe" with one tap; the miss leaves the dashboard.
"""

import datetime

import pytest
from playwright.sync_api import expect

from casework import dates, services
from casework.models import CheckIn, CheckInSchedule

from .conftest import enrol_totp, sign_in_by_session

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_a_caseworker_records_a_missed_check_in_on_a_phone(
    page, live_server, north_case, alice, shot
):
    services.check_in_schedule_set(
        person=north_case.people.get(),
        case=north_case,
        actor=alice,
        every_days=2,
        starts_on=dates.today(team=north_case.team) - datetime.timedelta(days=4),
        channel=CheckInSchedule.Channel.MESSENGER,
    )
    enrol_totp(alice)
    page.set_viewport_size(PHONE)
    sign_in_by_session(page, live_server, alice)  # on the dashboard
    section = page.locator("section", has=page.get_by_role("heading", name="Check-ins due"))
    expect(section).to_contain_text("missed")
    safe = section.get_by_role("button", name="Safe", exact=True)
    expect(safe).to_be_visible()
    box = safe.bounding_box()
    assert box and box["x"] + box["width"] <= PHONE["width"]
    shot(page, "01-check-in-due-390")
    safe.click()
    expect(page.get_by_text("The check-in was recorded.")).to_be_visible()
    expect(page.get_by_role("heading", name="Check-ins due")).to_have_count(0)
    shot(page, "02-check-in-recorded-390")
    assert CheckIn.objects.get().outcome == CheckIn.Outcome.SAFE
