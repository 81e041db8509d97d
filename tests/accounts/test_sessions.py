"""
A session id is not kept across the second factor, and a session ends a fixed time after sign-in
however busy it is, beside the idle timeout (tests/accounts/test_login.py).
"""

import time

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from accounts.middleware import AbsoluteSessionLifetimeMiddleware
from accounts.models import TOTPDevice
from audit.models import AuditEvent
from tests.conftest import sign_in

from .test_login import current_code, post_password

SIGNED_IN_AT = AbsoluteSessionLifetimeMiddleware.SIGNED_IN_AT


@pytest.fixture
def enrolled(alice):
    return TOTPDevice.objects.create(user=alice, name="authenticator", confirmed=True)


def test_the_session_id_changes_when_the_second_factor_is_proven(client, enrolled):
    """An id known after the password alone (seen, or planted) is worth nothing afterwards."""
    post_password(client, "alice")
    half_signed_in = client.session.session_key
    response = client.post(reverse("accounts:verify"), {"token": current_code(enrolled)})
    assert response.status_code == 302
    assert client.session.session_key != half_signed_in
    assert not Session.objects.filter(session_key=half_signed_in).exists()
    assert client.get("/").status_code == 200

    # The old cookie opens nothing.
    other = Client()
    other.cookies["sessionid"] = half_signed_in
    assert other.get("/").status_code == 302


def test_the_session_id_changes_when_an_authenticator_is_enrolled(client, alice):
    post_password(client, "alice")
    client.get(reverse("accounts:setup"))
    half_signed_in = client.session.session_key
    device = TOTPDevice.objects.get(user=alice, confirmed=False)
    assert (
        client.post(reverse("accounts:setup"), {"token": current_code(device)}).status_code == 200
    )
    assert client.session.session_key != half_signed_in
    assert client.get("/").status_code == 200


def _age_session(client, seconds: int):
    session = client.session
    session[SIGNED_IN_AT] -= seconds
    session.save()


def test_a_busy_session_ends_twelve_hours_after_sign_in(client, alice, settings):
    assert settings.SHIMTEO_SESSION_ABSOLUTE_SECONDS == 12 * 3600
    sign_in(client, alice)
    _age_session(client, 12 * 3600 - 60)
    assert client.get("/").status_code == 200
    _age_session(client, 61)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert client.get("/").status_code == 302, "the session stays ended"
    assert AuditEvent.objects.filter(action="logout", actor=alice).exists()


def test_the_absolute_lifetime_is_configurable(client, alice, settings):
    settings.SHIMTEO_SESSION_ABSOLUTE_SECONDS = 60
    sign_in(client, alice)
    assert client.get("/").status_code == 200
    _age_session(client, 61)
    assert client.get("/").status_code == 302


def test_the_absolute_lifetime_ends_an_api_session_too(client, alice):
    sign_in(client, alice)
    assert client.get("/api/v1/").status_code == 200
    _age_session(client, 12 * 3600)
    assert client.get("/api/v1/").status_code in {401, 403}


def test_a_signed_in_session_without_a_sign_in_time_ends(client, alice):
    """Sessions from before the rule (or forged without one) have no age to trust."""
    sign_in(client, alice)
    session = client.session
    del session[SIGNED_IN_AT]
    session.save()
    assert client.get("/").status_code == 302


def test_sign_in_stamps_the_time(client, enrolled):
    before = int(time.time())
    post_password(client, "alice")
    assert before <= client.session[SIGNED_IN_AT] <= int(time.time())
