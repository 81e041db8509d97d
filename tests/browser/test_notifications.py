"""
Issue 20 point 4: on a phone (390 px) a caseworker sees "1 new" in the header, opens her
notifications from it, and taps the one about the case handed to her: it opens the case and the
count is gone.
"""

import pytest
from playwright.sync_api import expect

from casework import services
from casework.choices import AssignmentRole
from tests.factories import DEFAULT_PASSWORD

from .conftest import enrol_totp, login_with_totp

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_notifications_open_from_the_header_count_on_a_phone(
    page, live_server, north_case, bob, sue, shot
):
    services.case_assign(case=north_case, user=bob, role=AssignmentRole.CASEWORKER, actor=sue)
    enrol_totp(bob)
    page.set_viewport_size(PHONE)
    login_with_totp(page, live_server, bob, DEFAULT_PASSWORD)  # which ends on the dashboard
    count = page.locator(".site-header a.unread-count")
    expect(count).to_have_text("1 new notification")
    box = count.bounding_box()
    assert box and box["x"] + box["width"] <= PHONE["width"]
    # Brand, menu, count and the lock stay on one line.
    lock = page.get_by_role("button", name="Lock now").bounding_box()
    assert abs(lock["y"] - box["y"]) < box["height"]
    shot(page, "01-header-count-390")
    count.click()
    item = page.locator("ul.notifications li")
    expect(item).to_contain_text("A case was assigned to you")
    expect(item).to_contain_text(north_case.reference)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "02-notifications-390")
    item.get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(north_case.reference)
    expect(page.locator(".site-header a.has-unread")).to_have_count(0)
    # Nothing unread: a drawn bell, named for screen readers; not an emoji, which a device without
    # a colour-emoji font shows as an empty box.
    expect(count).to_have_accessible_name("Notifications")
    expect(count.locator("svg.bell")).to_be_visible()
    assert "\U0001f514" not in count.inner_text()
    shot(page, "03-case-opened-390")
