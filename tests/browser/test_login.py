"""Signing in through the real pages in chromium: password, authenticator code, enrolment, lock."""

import base64
import re

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from accounts.models import TOTPDevice
from tests.factories import DEFAULT_PASSWORD

from .conftest import (
    click_to_open,
    current_totp,
    enrol_totp,
    sign_in_by_session,
    submit_password,
)

pytestmark = pytest.mark.browser

LOGIN_PATH = re.compile(r"/accounts/login/")


def _wrong_code(device: TOTPDevice) -> str:
    """A six-digit code the device would refuse, whatever the clock says."""
    valid = {
        f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=6, drift=d):06d}"
        for d in (-2, -1, 0, 1, 2)
    }
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in valid)


def test_a_caseworker_signs_in_with_password_and_code(page, live_server, alice, shot):
    """Alice types her password, then her authenticator's code, and reaches her dashboard."""
    device = enrol_totp(alice)
    page.goto("/")
    expect(page).to_have_url(LOGIN_PATH)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    shot(page, "01-login")

    submit_password(page, "alice", DEFAULT_PASSWORD)
    page.wait_for_url(re.compile(r"/accounts/verify/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    shot(page, "02-verify")

    page.get_by_label("Code").fill(current_totp(device))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_role("main")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("button", name="Lock now")).to_be_visible()
    shot(page, "03-dashboard")

    page.set_viewport_size({"width": 360, "height": 740})
    shot(page, "04-dashboard-360px")


def test_a_wrong_code_shows_an_error(page, live_server, alice, shot):
    """A wrong code keeps Alice on the code step with a message, and opens nothing."""
    device = enrol_totp(alice)
    submit_password(page, "alice", DEFAULT_PASSWORD)
    page.wait_for_url(re.compile(r"/accounts/verify/"))
    page.get_by_label("Code").fill(_wrong_code(device))
    page.get_by_role("button", name="Verify").click()

    expect(page.get_by_text("That code is not valid.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/accounts/verify/"))
    shot(page, "wrong-code")

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/verify/"))


def test_a_wrong_password_shows_an_error(page, live_server, alice):
    """A wrong password is refused on the login page without saying which part was wrong."""
    enrol_totp(alice)
    submit_password(page, "alice", "not the password at all")
    expect(page.get_by_role("alert")).to_contain_text("do not match")
    expect(page).to_have_url(LOGIN_PATH)


def test_lock_now_ends_the_session_at_once(page, live_server, alice, shot):
    """After "Lock now", the dashboard sends the browser back to the login page."""
    enrol_totp(alice)
    # Signing in through the pages is the test above: here the session is made directly.
    sign_in_by_session(page, live_server, alice)

    click_to_open(page.get_by_role("button", name="Lock now"))
    shot(page, "locked")
    expect(page.get_by_role("button", name="Lock now")).to_have_count(0)

    page.goto("/")
    expect(page).to_have_url(LOGIN_PATH)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")


def test_first_sign_in_enrols_an_authenticator(page, live_server, alice, shot):
    """
    Without an authenticator, the first sign-in shows a QR code and the key; a code computed from
    the key shown confirms it, and the backup codes are shown once.
    """
    submit_password(page, "alice", DEFAULT_PASSWORD)
    page.wait_for_url(re.compile(r"/accounts/2fa/setup/"))
    qr = page.get_by_role("img", name="QR code for your authenticator app")
    expect(qr).to_be_visible()
    # The QR code is an image from our own origin that actually loaded.
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    shot(page, "01-setup")

    # What a person would type into their app by hand: the key as shown on the page.
    shown = page.locator("code.secret").inner_text().replace(" ", "")
    key = base64.b32decode(shown + "=" * (-len(shown) % 8))
    assert key == TOTPDevice.objects.get(user=alice, confirmed=False).bin_key
    page.get_by_label("Code from your app").fill(f"{totp(key):06d}")
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your backup codes")
    codes = page.locator("ul.codes code")
    expect(codes).to_have_count(10)
    shot(page, "02-backup-codes")
    assert TOTPDevice.objects.get(user=alice).confirmed is True

    page.get_by_role("link", name="I have written them down").click()
    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_role("main")).to_be_visible()
