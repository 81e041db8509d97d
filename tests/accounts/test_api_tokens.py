import datetime

import pytest
from django.utils import timezone
from django_otp.oath import totp
from knox.models import AuthToken
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.test import APIClient

from accounts.models import TOTPDevice
from audit.models import AuditEvent

from ..factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
PROTECTED_URL = "/api/v1/"


@pytest.fixture
def device(alice):
    return TOTPDevice.objects.create(user=alice, name="authenticator", confirmed=True)


def current_code(device) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def ask_for_token(client, **overrides):
    return client.post(TOKEN_URL, {"username": "alice", "password": DEFAULT_PASSWORD, **overrides})


def test_both_factors_get_a_token_that_opens_the_api(device):
    client = APIClient()
    response = ask_for_token(client, code=current_code(device))
    assert response.status_code == 200, response.content
    token = response.json()["token"]

    assert APIClient().get(PROTECTED_URL).status_code in {401, 403}
    authorised = APIClient()
    authorised.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert authorised.get(PROTECTED_URL).status_code == 200
    assert AuditEvent.objects.filter(action="login", detail__step="api_token").count() == 1


def test_a_password_without_the_code_gets_no_token(device):
    response = ask_for_token(APIClient(), code="000000")
    assert response.status_code == 400
    assert "do not match" in response.json()["detail"]
    assert not AuthToken.objects.exists()


def test_a_wrong_password_gets_no_token(device):
    response = ask_for_token(APIClient(), password="guess", code=current_code(device))
    assert response.status_code == 400
    assert not AuthToken.objects.exists()


def test_a_user_without_an_authenticator_gets_no_token(alice):
    response = ask_for_token(APIClient(), code="123456")
    assert response.status_code == 400
    assert not AuthToken.objects.exists()


def test_wrong_codes_lock_the_account_out(device, settings):
    settings.AXES_FAILURE_LIMIT = 3
    client = APIClient()
    statuses = [ask_for_token(client, code="000000").status_code for _ in range(3)]
    assert statuses[:2] == [400, 400]
    locked = ask_for_token(client, code=current_code(device))
    assert locked.status_code == 429
    assert "locked" in locked.json()["detail"]
    assert not AuthToken.objects.exists()
    assert AuditEvent.objects.filter(action="lockout").exists()


def test_the_token_is_stored_hashed(device):
    token = ask_for_token(APIClient(), code=current_code(device)).json()["token"]
    stored = AuthToken.objects.get()
    assert token not in {stored.digest, stored.token_key}
    assert stored.expiry is not None


def test_an_expired_token_is_refused(device):
    token = ask_for_token(APIClient(), code=current_code(device)).json()["token"]
    AuthToken.objects.update(expiry=timezone.now() - datetime.timedelta(seconds=1))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get(PROTECTED_URL).status_code == 401


def test_the_holders_expired_tokens_go_when_a_new_one_is_issued(device):
    """Reading a token no longer sweeps its holder's others: issuing one does."""
    ask_for_token(APIClient(), code=current_code(device))
    AuthToken.objects.update(expiry=timezone.now() - datetime.timedelta(seconds=1))
    # A later time step: the same code is not accepted twice.
    device.refresh_from_db()
    device.last_t = -1
    device.save(update_fields=["last_t"])
    response = ask_for_token(APIClient(), code=current_code(device))
    assert response.status_code == 200, response.content
    assert AuthToken.objects.count() == 1
    assert AuthToken.objects.get().expiry > timezone.now()


def test_logging_out_revokes_the_token(device):
    token = ask_for_token(APIClient(), code=current_code(device)).json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.post("/api/v1/auth/token/logout/").status_code == 204
    assert client.get(PROTECTED_URL).status_code == 401


def test_the_token_check_reads_the_holder_afresh_from_a_query_built_once(
    alice, team_north, monkeypatch
):
    """
    The query of the token, its holder and their team's zone is built once per process
    (accounts.api_auth._tokens_for_key, through accounts.kept_sql); what it reads is read on every request: a new zone
    of the holder's team, a deactivated holder, a revoked token.
    """
    import accounts.api_auth
    import accounts.timezones

    instance, token = AuthToken.objects.create(alice)
    check = accounts.api_auth.LocalTimeTokenAuthentication()
    check.authenticate_credentials(token.encode())
    built = []
    real = accounts.timezones.first_team_zone

    def counted(user):
        built.append(user)
        return real(user)

    monkeypatch.setattr(accounts.api_auth, "first_team_zone", counted)

    alice.time_zone = ""
    alice.save(update_fields=["time_zone"])
    team_north.time_zone = "Asia/Seoul"
    team_north.save(update_fields=["time_zone"])
    holder, _token = check.authenticate_credentials(token.encode())
    assert holder.first_team_zone == "Asia/Seoul"
    team_north.time_zone = "Asia/Bangkok"
    team_north.save(update_fields=["time_zone"])
    holder, _token = check.authenticate_credentials(token.encode())
    assert holder.first_team_zone == "Asia/Bangkok"
    assert built == []

    alice.is_active = False
    alice.save(update_fields=["is_active"])
    with pytest.raises(AuthenticationFailed):
        check.authenticate_credentials(token.encode())
    alice.is_active = True
    alice.save(update_fields=["is_active"])
    instance.delete()
    with pytest.raises(AuthenticationFailed):
        check.authenticate_credentials(token.encode())


def test_the_token_and_holder_from_the_sql_written_once_are_those_the_orm_reads(alice, team_north):
    """Every column of the token and of its holder lands where Django's own query puts it."""
    import accounts.api_auth

    AuthToken.objects.create(alice)
    team_north.time_zone = "Asia/Seoul"
    team_north.save(update_fields=["time_zone"])
    stored = AuthToken.objects.get(user=alice)
    (kept,) = accounts.api_auth._tokens_for_key(stored.token_key)
    (orm,) = accounts.api_auth._tokens_with_holder(stored.token_key)
    for model, mine, theirs in ((AuthToken, kept, orm), (type(alice), kept.user, orm.user)):
        for field in model._meta.concrete_fields:
            assert getattr(mine, field.attname) == getattr(theirs, field.attname), field.name
    assert kept.holder_team_zone == orm.holder_team_zone == "Asia/Seoul"
    assert not kept._state.adding and kept.user.pk == alice.pk
    assert accounts.api_auth._tokens_for_key("nothing-stored") == []
