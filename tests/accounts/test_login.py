"""Signing in takes a password and a second factor; failures lock; sessions end when asked."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp

from accounts.models import BackupCode, TOTPDevice
from accounts.signin import username_digest
from tests.conftest import sign_in
from tests.factories import DEFAULT_PASSWORD

LOGIN = "/accounts/login/"


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def post_password(client, username, password=DEFAULT_PASSWORD):
    return client.post(LOGIN, {"username": username, "password": password})


@pytest.fixture
def enrolled(alice):
    return TOTPDevice.objects.create(user=alice, name="authenticator", confirmed=True)


def test_a_password_alone_opens_nothing(client, enrolled):
    """After the password, every page sends the user to the code step."""
    post_password(client, "alice")
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:verify"))
    assert client.get("/admin/").status_code == 302


def test_the_right_code_opens_the_app(client, enrolled):
    """A valid code from the authenticator completes the sign-in and returns to the page asked for."""
    post_password(client, "alice")
    response = client.post(
        reverse("accounts:verify") + "?next=/", {"token": current_code(enrolled)}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_a_wrong_code_is_refused_with_a_clear_message(client, enrolled):
    """A wrong code keeps the user on the code step and says what to check."""
    post_password(client, "alice")
    response = client.post(reverse("accounts:verify"), {"token": "000000"})
    assert response.status_code == 200
    assert "not valid" in response.content.decode()
    assert client.get("/").status_code == 302


def test_first_sign_in_enrols_an_authenticator_and_shows_backup_codes(client, alice):
    """A user without a device is taken through enrolment: QR code, one code, then backup codes."""
    post_password(client, "alice")
    response = client.get("/")
    assert response["Location"].startswith(reverse("accounts:setup"))
    page = client.get(reverse("accounts:setup"))
    assert page.status_code == 200
    qr = client.get(reverse("accounts:setup_qr"))
    assert qr["Content-Type"] == "image/svg+xml"
    assert b"<svg" in qr.content
    device = TOTPDevice.objects.get(user=alice, confirmed=False)
    done = client.post(reverse("accounts:setup"), {"token": current_code(device)})
    assert done.status_code == 200
    codes = re.findall(r"<code>(\w+)</code>", done.content.decode())
    assert len(codes) == 10
    device.refresh_from_db()
    assert device.confirmed is True
    assert client.get("/").status_code == 200


def test_a_backup_code_works_once(client, alice, enrolled):
    """A backup code replaces the phone once, and only once."""
    from accounts.services import backup_codes_issue

    code = backup_codes_issue(user=alice)[0]
    post_password(client, "alice")
    assert client.post(reverse("accounts:verify"), {"token": code}).status_code == 302
    assert BackupCode.objects.filter(device__user=alice).count() == 9
    client.post(reverse("accounts:logout"))
    post_password(client, "alice")
    assert client.post(reverse("accounts:verify"), {"token": code}).status_code == 200


def test_repeated_failures_lock_the_account_with_a_clear_message(client, enrolled, settings):
    """After the configured number of failures even the right password is refused for a while."""
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_password(client, "alice", "wrong password")
    response = post_password(client, "alice")
    assert response.status_code == 429
    assert "Too many failed attempts" in response.content.decode()
    assert client.get("/").status_code == 302


def test_lock_now_ends_the_session(client, alice):
    """The 'Lock now' button signs the user out at once."""
    sign_in(client, alice)
    assert client.get("/").status_code == 200
    client.post(reverse("accounts:logout"))
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_logout_everywhere_ends_every_session(client, alice, django_user_model):
    """Signing out everywhere also ends the sessions on other devices."""
    from django.test import Client

    other_device = sign_in(Client(), alice)
    sign_in(client, alice)
    client.post(reverse("accounts:logout_everywhere"))
    assert other_device.get("/").status_code == 302
    assert client.get("/").status_code == 302


def test_sessions_expire_after_idle_time(client, alice, settings):
    """
    A session lasts the idle timeout (30 minutes by default) after it was last used: its expiry
    moves on when it is used a minute or more after the last move, and is not rewritten sooner.
    """
    from django.contrib.sessions.models import Session

    sign_in(client, alice)
    assert client.session.get_expiry_age() <= 30 * 60
    key = client.session.session_key

    def stored_expiry():
        return Session.objects.get(session_key=key).expire_date

    assert client.get("/").status_code == 200
    moved = stored_expiry()
    assert client.get("/").status_code == 200
    assert stored_expiry() == moved, "rewritten within the minute"

    session = client.session
    session["_refreshed_at"] -= 61
    session.save()
    before = stored_expiry()
    assert client.get("/").status_code == 200
    assert stored_expiry() > before
    assert stored_expiry() - timezone.now() > datetime.timedelta(minutes=29)


def test_a_session_idle_past_the_timeout_is_signed_out(client, alice):
    from django.contrib.sessions.models import Session

    sign_in(client, alice)
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert client.get("/").status_code == 302


def test_the_admin_login_is_the_two_factor_login(client, db):
    """The admin has no password-only door."""
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_pages_forbid_third_party_and_inline_script(client, alice):
    """Every page carries a policy that loads nothing from another host and runs no inline script."""
    sign_in(client, alice)
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "http" not in policy
    assert "<script>" not in response.content.decode()


def test_signed_in_pages_are_never_cached(client, alice):
    """A page seen while signed in is not kept by the browser or a proxy."""
    sign_in(client, alice)
    response = client.get("/")
    assert "no-store" in response["Cache-Control"]


def test_responses_carry_the_hardening_headers(client, db):
    """Every response forbids framing, sniffing and sending the address to another host."""
    response = client.get(LOGIN)
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_sign_in_events_are_audited(client, enrolled, settings):
    """Failed passwords, wrong codes, sign-ins and sign-outs all land in the audit trail."""
    from audit.models import AuditEvent

    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # a wrong code otherwise delays the next try

    post_password(client, "alice", "wrong password")
    post_password(client, "alice")
    client.post(reverse("accounts:verify"), {"token": "000000"})
    client.post(reverse("accounts:verify"), {"token": current_code(enrolled)})
    client.post(reverse("accounts:logout"))
    actions = list(AuditEvent.objects.order_by("sequence").values_list("action", "detail"))
    assert actions == [
        ("login_failed", {"login_digest": username_digest("alice")}),
        ("login", {"step": "password"}),
        ("login_failed", {"step": "second_factor"}),
        ("login", {"step": "second_factor"}),
        ("logout", {}),
    ]
    assert "wrong password" not in str(list(AuditEvent.objects.values()))


def test_a_lockout_is_audited(client, enrolled, settings):
    """The lockout itself is an audit event."""
    from audit.models import AuditEvent

    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        post_password(client, "alice", "wrong password")
    assert AuditEvent.objects.filter(action="lockout").exists()


def test_a_made_up_session_cookie_makes_no_session(client, db):
    """Only a signed-in session is extended: a stale or invented cookie leaves no row behind."""
    from django.conf import settings
    from django.contrib.sessions.models import Session

    client.cookies[settings.SESSION_COOKIE_NAME] = "x" * 32
    assert client.get("/").status_code == 302
    assert not Session.objects.exists()
