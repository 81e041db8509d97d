"""
The sign-in lockout counts one username from one client address: an office behind one proxy is
not locked out by one person's typos, another account's success does not wipe an attacker's
count, a made-up X-Forwarded-For is not a fresh client, and the page and the API token endpoint
follow the same rules. Supervisors unlock their teams, administrators anyone. What was typed as
a username is kept only as a keyed digest.
"""

import hashlib
import logging

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.api import TokenThrottle
from accounts.models import TeamMembership, TOTPDevice
from accounts.roles import RoleGroup
from accounts.signin import username_digest
from audit.models import AuditEvent
from tests.conftest import sign_in
from tests.factories import DEFAULT_PASSWORD, MembershipFactory, UserFactory

from .test_api_tokens import TOKEN_URL, current_code

LOGIN = "/accounts/login/"
PROXY = "172.18.0.5"  # the compose stack's Caddy, as the app sees it
OFFICE = "203.0.113.10"  # the office's one public address, behind which everyone sits
ELSEWHERE = "198.51.100.77"
WRONG = "not the password"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # The token endpoint's rate limit counts in the process-wide cache; no test inherits another's.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def behind_proxy(settings):
    settings.SHIMTEO_TRUSTED_PROXY_COUNT = 1
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}


def via(client_address: str | None = None, *, remote: str = PROXY, forwarded: str | None = None):
    """Request headers of a browser at `client_address` behind the proxy (or straight at us)."""
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    elif client_address is not None:
        meta["HTTP_X_FORWARDED_FOR"] = client_address
    return meta


def sign_in_password(username, password=DEFAULT_PASSWORD, **meta):
    return Client().post(LOGIN, {"username": username, "password": password}, **meta)


def is_locked(response) -> bool:
    return response.status_code == 429


def accepted(response) -> bool:
    """The password was taken (on to the second factor): a refusal is 200, a lockout 429."""
    return response.status_code == 302


# --- who is counted -----------------------------------------------------------------------------


def test_an_office_behind_the_proxy_is_not_locked_out_by_one_typist(
    behind_proxy, alice, bob, charlie, sue, settings
):
    """
    Five colleagues reach the app through the same proxy from the same office address; one keeps
    mistyping. That one is locked, the other four still sign in.
    """
    dave = UserFactory(username="dave")
    office = via(OFFICE)
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        sign_in_password("bob", WRONG, **office)
    assert is_locked(sign_in_password("bob", **office))
    for colleague in (alice, charlie, sue, dave):
        response = sign_in_password(colleague.username, **office)
        assert accepted(response), f"{colleague} was locked out by bob's typos"


def test_each_client_behind_the_proxy_has_its_own_counter(behind_proxy, alice, settings):
    """Failures from one client do not lock the same account at another client's address."""
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in_password("alice", WRONG, **via(ELSEWHERE))
    assert is_locked(sign_in_password("alice", **via(ELSEWHERE)))
    assert accepted(sign_in_password("alice", **via(OFFICE)))


def test_another_accounts_success_does_not_reset_a_guessers_count(alice, bob, settings):
    """
    Twelve guesses at bob's password from one address, with alice signing in successfully from the
    same address between them: bob is locked after the limit all the same.
    """
    shared = via(remote=OFFICE)
    outcomes = []
    for guess in range(12):
        outcomes.append(sign_in_password("bob", f"guess {guess}", **shared).status_code)
        assert accepted(sign_in_password("alice", **shared))
    assert outcomes[: settings.AXES_FAILURE_LIMIT - 1] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    assert set(outcomes[settings.AXES_FAILURE_LIMIT :]) == {429}
    assert is_locked(sign_in_password("bob", **shared))


def test_a_success_resets_only_its_own_counter(alice, settings):
    """The failures a user's own sign-in clears are theirs, so a typo-prone user starts afresh."""
    shared = via(remote=OFFICE)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in_password("alice", WRONG, **shared)
    assert accepted(sign_in_password("alice", **shared))
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in_password("alice", WRONG, **shared)
    assert accepted(sign_in_password("alice", **shared))


def test_a_made_up_forwarded_for_is_not_a_fresh_client_without_a_trusted_proxy(alice, settings):
    """With no proxy trusted, X-Forwarded-For is the client's own word and is ignored."""
    settings.SHIMTEO_TRUSTED_PROXY_COUNT = 0
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in_password("alice", WRONG, **via(remote=ELSEWHERE, forwarded=f"192.0.2.{attempt}"))
    assert is_locked(sign_in_password("alice", **via(remote=ELSEWHERE, forwarded="192.0.2.200")))


def test_behind_the_proxy_only_its_own_hop_counts(behind_proxy, alice, settings):
    """A client's own X-Forwarded-For entry before the proxy's is not believed either."""
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        forged = f"192.0.2.{attempt}, {ELSEWHERE}"
        sign_in_password("alice", WRONG, **via(forwarded=forged))
    assert is_locked(sign_in_password("alice", **via(forwarded=f"192.0.2.99, {ELSEWHERE}")))


# --- the API token endpoint ---------------------------------------------------------------------


@pytest.fixture
def devices(alice, bob):
    return {
        user.username: TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
        for user in (alice, bob)
    }


def ask_for_token(username, device=None, password=DEFAULT_PASSWORD, **meta):
    code = current_code(device) if device is not None else "000000"
    return APIClient().post(
        TOKEN_URL, {"username": username, "password": password, "code": code}, **meta
    )


def test_token_endpoint_locks_one_client_not_the_office(behind_proxy, devices, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        ask_for_token("bob", password=WRONG, **via(OFFICE))
    assert ask_for_token("bob", devices["bob"], **via(OFFICE)).status_code == 429
    assert ask_for_token("alice", devices["alice"], **via(OFFICE)).status_code == 200
    assert ask_for_token("bob", devices["bob"], **via(ELSEWHERE)).status_code == 200


def test_token_endpoint_another_accounts_success_does_not_reset_a_guess_count(
    devices, settings, monkeypatch
):
    # 25 requests in the minute: the rate limit is not what this test is about.
    monkeypatch.setattr(TokenThrottle, "rate", "100/min")
    shared = via(remote=OFFICE)
    outcomes = []
    for guess in range(12):
        outcomes.append(ask_for_token("bob", password=f"guess {guess}", **shared).status_code)
        # A code is good once: alice's phone shows the same one all through the test.
        TOTPDevice.objects.filter(pk=devices["alice"].pk).update(last_t=-1)
        assert ask_for_token("alice", devices["alice"], **shared).status_code == 200
    assert set(outcomes[settings.AXES_FAILURE_LIMIT :]) == {429}
    assert ask_for_token("bob", devices["bob"], **shared).status_code == 429


def test_token_endpoint_ignores_a_made_up_forwarded_for(devices, settings):
    settings.SHIMTEO_TRUSTED_PROXY_COUNT = 0
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        meta = via(remote=ELSEWHERE, forwarded=f"192.0.2.{attempt}")
        ask_for_token("bob", password=WRONG, **meta)
    meta = via(remote=ELSEWHERE, forwarded="192.0.2.200")
    assert ask_for_token("bob", devices["bob"], **meta).status_code == 429


def test_token_rate_limit_is_not_reset_by_a_new_forwarded_for(db, settings):
    """Twenty requests a minute per client: a new X-Forwarded-For on each does not make more."""
    settings.SHIMTEO_TRUSTED_PROXY_COUNT = 0
    statuses = [
        # A new made-up name each time, so that the lockout never answers first.
        ask_for_token(
            f"nobody{attempt}", **via(remote=ELSEWHERE, forwarded=f"192.0.2.{attempt}")
        ).status_code
        for attempt in range(21)
    ]
    assert statuses[:20] == [400] * 20
    assert statuses[20] == 429


def test_token_rate_limit_counts_the_client_behind_the_proxy(behind_proxy, db):
    """Behind the proxy, one busy client's limit is not everyone's."""
    for attempt in range(20):
        ask_for_token(f"nobody{attempt}", **via(ELSEWHERE))
    assert ask_for_token("nobody", **via(ELSEWHERE)).status_code == 429
    assert ask_for_token("nobody", **via(OFFICE)).status_code == 400


# --- unlocking ----------------------------------------------------------------------------------


@pytest.fixture
def alice_locked(alice, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in_password("alice", WRONG, **via(remote=ELSEWHERE))
    assert is_locked(sign_in_password("alice", **via(remote=ELSEWHERE)))
    return alice


@pytest.fixture
def south_supervisor(team_south):
    user = UserFactory(username="sam")
    MembershipFactory(user=user, team=team_south, role=TeamMembership.Role.SUPERVISOR)
    return user


LOCKED_PAGE = "/accounts/locked/"


def unlock_url(user):
    return reverse("accounts:unlock", args=[user.pk])


def test_the_lockout_page_says_who_can_unlock(alice, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in_password("alice", WRONG)
    page = sign_in_password("alice").content.decode()
    assert "supervisor of your team or an administrator" in page
    assert "Locked accounts" in page
    assert f'href="{LOGIN}"' in page  # and a way back once unlocked


def test_a_supervisor_unlocks_a_member_of_their_team(client, sue, alice_locked):
    sign_in(client, sue)
    page = client.get(LOCKED_PAGE)
    assert page.status_code == 200
    assert "alice" in page.content.decode()
    assert unlock_url(alice_locked) in page.content.decode()
    assert "Unlock your team" in client.get("/").content.decode()

    response = client.post(unlock_url(alice_locked))
    assert response.status_code == 302
    assert accepted(sign_in_password("alice", **via(remote=ELSEWHERE)))
    event = AuditEvent.objects.get(action="update", target_type="accounts.user")
    assert event.actor == sue
    assert event.target_id == str(alice_locked.pk)
    assert event.detail["change"] == "sign_in_unlocked"
    assert event.detail["failures"] >= 5
    after = client.get(LOCKED_PAGE).content.decode()
    assert "alice can sign in again" in after
    assert unlock_url(alice_locked) not in after


def test_a_supervisor_of_another_team_may_not_unlock(client, south_supervisor, alice_locked):
    sign_in(client, south_supervisor)
    page = client.get(LOCKED_PAGE)
    assert page.status_code == 200
    assert "alice" not in page.content.decode()
    assert client.post(unlock_url(alice_locked)).status_code == 404
    assert is_locked(sign_in_password("alice", **via(remote=ELSEWHERE)))
    assert not AuditEvent.objects.filter(action="update").exists()


def test_a_caseworker_may_not_unlock_a_teammate(client, bob, alice_locked):
    sign_in(client, bob)
    assert client.get(LOCKED_PAGE).status_code == 403
    assert client.post(unlock_url(alice_locked)).status_code == 404
    assert is_locked(sign_in_password("alice", **via(remote=ELSEWHERE)))


def test_an_administrator_unlocks_anyone(admin_client, alice_locked, charlie, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in_password("charlie", WRONG)
    page = admin_client.get(LOCKED_PAGE).content.decode()
    assert "alice" in page and "charlie" in page
    assert "Locked accounts" in admin_client.get("/").content.decode()
    assert admin_client.post(unlock_url(alice_locked)).status_code == 302
    assert accepted(sign_in_password("alice", **via(remote=ELSEWHERE)))
    assert is_locked(sign_in_password("charlie"))


def test_unlocking_is_for_signed_in_staff_and_by_post_only(client, sue, alice_locked):
    assert client.get(LOCKED_PAGE).status_code == 302
    assert client.post(unlock_url(alice_locked)).status_code == 302
    assert is_locked(sign_in_password("alice", **via(remote=ELSEWHERE)))
    sign_in(client, sue)
    assert client.get(unlock_url(alice_locked)).status_code == 405
    assert client.post("/accounts/locked/999999/unlock/").status_code == 404


# --- what is kept of a typed username -----------------------------------------------------------

TYPED = "Hunter2-my-real-password"


def test_a_typed_username_is_kept_only_as_a_keyed_digest(client, alice, settings, caplog):
    """A password typed into the username field is found in no axes table, audit event or log."""
    caplog.set_level(logging.DEBUG, logger="axes")
    caplog.set_level(logging.DEBUG, logger="audit")
    caplog.set_level(logging.INFO)
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        sign_in_password(TYPED, "whatever")
    APIClient().post(TOKEN_URL, {"username": TYPED, "password": "x", "code": "000000"})
    assert accepted(sign_in_password("alice"))

    stored = [
        str(list(model.objects.values()))
        for model in (AccessAttempt, AccessLog, AccessFailureLog, AuditEvent)
    ]
    assert AccessAttempt.objects.exists()
    for text in stored:
        assert TYPED not in text and TYPED.lower() not in text
        # Keyed: not a plain hash anyone could compute for a guess.
        assert hashlib.sha256(TYPED.encode()).hexdigest() not in text
        assert hashlib.sha256(TYPED.lower().encode()).hexdigest() not in text
    assert AccessAttempt.objects.filter(username=username_digest(TYPED)).exists()
    assert AuditEvent.objects.filter(detail__login_digest=username_digest(TYPED)).exists()
    assert not AccessLog.objects.exists(), "axes' access log would keep usernames as typed"
    for record in caplog.records:
        assert TYPED not in record.getMessage() and TYPED not in repr(record.args)


@pytest.fixture
def administrator(db):
    """An administrator by role (the group), not a superuser."""
    user = UserFactory(username="ada", is_staff=True)
    user.groups.add(Group.objects.get(name=RoleGroup.ADMINISTRATOR))
    return user


def test_an_administrator_by_role_unlocks_too(client, administrator, alice_locked):
    sign_in(client, administrator)
    assert "alice" in client.get(LOCKED_PAGE).content.decode()
    assert client.post(unlock_url(alice_locked)).status_code == 302
    assert accepted(sign_in_password("alice", **via(remote=ELSEWHERE)))


def test_a_supervisor_does_not_unlock_an_administrator_of_their_team(
    client, sue, administrator, team_north, settings
):
    """More guesses at an administrator's password are for another administrator to allow."""
    MembershipFactory(user=administrator, team=team_north)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in_password("ada", WRONG)
    sign_in(client, sue)
    assert unlock_url(administrator) not in client.get(LOCKED_PAGE).content.decode()
    assert client.post(unlock_url(administrator)).status_code == 404
    assert is_locked(sign_in_password("ada"))
