"""
Second factors at rest and their replacement. A copy of the database alone must not produce a
valid code: the authenticator's secret is vault ciphertext and backup codes are keyed digests.
Replacing the authenticator or the backup codes takes the password and a current code, and is
audited. No admin page shows any of it.
"""

import base64
import re

import django_otp
import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django_otp.oath import totp

from accounts.models import BackupCode, TOTPDevice
from accounts.services import backup_codes_issue
from audit.models import AuditEvent

from ..conftest import sign_in
from ..factories import DEFAULT_PASSWORD


def code_of(device: TOTPDevice, drift: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=6, drift=drift):06d}"


@pytest.fixture
def no_throttle(settings):
    # A wrong code otherwise makes the device wait before the next try, right or wrong.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


@pytest.fixture
def enrolled(alice):
    return TOTPDevice.objects.create(user=alice, name="authenticator", confirmed=True)


def stored(table: str, column: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table}")  # noqa: S608 - names are literals here
        return [row[0] for row in cursor.fetchall()]


def test_the_authenticator_secret_is_ciphertext_in_the_database(enrolled):
    key = TOTPDevice.objects.get(pk=enrolled.pk).key
    [column] = stored("accounts_totpdevice", "key")

    assert re.fullmatch(r"[0-9a-f]{40}", key)
    assert key not in column
    assert base64.b32encode(bytes.fromhex(key)).decode() not in column
    assert column.startswith("v1:")


def test_django_otps_plaintext_device_tables_are_gone(db):
    tables = connection.introspection.table_names()
    assert not [table for table in tables if table.startswith(("otp_totp", "otp_static"))]


def test_backup_codes_are_kept_as_keyed_digests_that_are_not_codes(alice, enrolled, no_throttle):
    codes = backup_codes_issue(user=alice)
    digests = stored("accounts_backupcode", "digest")

    assert len(digests) == len(codes) == 10
    assert not set(codes) & set(digests)
    assert not any(code in digest for code in codes for digest in digests)
    # What a stolen copy of the table holds does not sign anyone in...
    assert django_otp.match_token(alice, digests[0]) is None
    assert django_otp.match_token(alice, digests[0][:8]) is None
    # ...the code itself does, once.
    assert django_otp.match_token(alice, codes[0]) is not None
    assert django_otp.match_token(alice, codes[0]) is None


def test_demo_code_prints_a_code_the_sealed_demo_authenticator_accepts(db, capsys):
    from demo.staff import STAFF, demo_authenticator
    from tests.factories import UserFactory

    user = UserFactory(username=STAFF[0].username)
    device = demo_authenticator(user)
    call_command("demo_code", user.username)
    code = capsys.readouterr().out.strip()

    assert code == code_of(device)
    assert django_otp.match_token(user, code) is not None


def test_replacing_the_authenticator_without_the_password_is_refused(client, alice, enrolled):
    sign_in(client, alice)
    page = client.get(reverse("accounts:setup"))
    assert 'name="password"' in page.content.decode()
    new = TOTPDevice.objects.get(user=alice, confirmed=False)

    response = client.post(reverse("accounts:setup"), {"token": code_of(new)})
    wrong_password = client.post(
        reverse("accounts:setup"),
        {"token": code_of(new), "password": "guess", "current_code": code_of(enrolled)},
    )

    assert response.status_code == 200
    assert wrong_password.status_code == 200
    assert TOTPDevice.objects.get(user=alice, confirmed=True).pk == enrolled.pk
    assert not AuditEvent.objects.filter(detail__second_factor="authenticator_replaced")


def test_replacing_the_authenticator_with_password_and_code_is_audited(client, alice, enrolled):
    sign_in(client, alice)
    client.get(reverse("accounts:setup"))
    new = TOTPDevice.objects.get(user=alice, confirmed=False)

    response = client.post(
        reverse("accounts:setup"),
        {"token": code_of(new), "password": DEFAULT_PASSWORD, "current_code": code_of(enrolled)},
    )

    assert response.status_code == 200
    assert len(re.findall(r"<code>(\w+)</code>", response.content.decode())) == 10
    assert list(TOTPDevice.objects.filter(user=alice).values_list("pk", flat=True)) == [new.pk]
    event = AuditEvent.objects.get(detail__second_factor="authenticator_replaced")
    assert (event.actor, event.target_id) == (alice, str(alice.pk))


def test_new_backup_codes_need_the_password_and_a_current_code(
    client, alice, enrolled, no_throttle
):
    old = backup_codes_issue(user=alice)
    sign_in(client, alice)
    url = reverse("accounts:backup_codes")
    assert client.get(url).status_code == 200

    refused = client.post(url, {"password": "guess", "current_code": code_of(enrolled)})
    assert refused.status_code == 200
    assert re.findall(r"<code>(\w+)</code>", refused.content.decode()) == []
    assert AuditEvent.objects.filter(action="denied", detail__second_factor="backup_codes")

    done = client.post(url, {"password": DEFAULT_PASSWORD, "current_code": old[0]})
    codes = re.findall(r"<code>(\w+)</code>", done.content.decode())
    assert len(codes) == 10
    assert django_otp.match_token(alice, old[1]) is None
    assert django_otp.match_token(alice, codes[0]) is not None
    assert AuditEvent.objects.filter(
        action="update", actor=alice, detail__second_factor="backup_codes_regenerated"
    )


def test_a_session_without_sign_in_gets_no_backup_codes(client, alice):
    response = client.get(reverse("accounts:backup_codes"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("persona", ["admin_user", "ada"])
def test_no_admin_page_shows_a_second_factor_secret(client, persona, request, alice, enrolled):
    """The admin has no page for devices, and no page it has shows a key or a backup code."""
    from .test_admin_four_eyes import administrator

    user = administrator("ada") if persona == "ada" else request.getfixturevalue(persona)
    codes = backup_codes_issue(user=alice)
    key = TOTPDevice.objects.get(pk=enrolled.pk).key
    secrets = [key, base64.b32encode(bytes.fromhex(key)).decode(), *codes]
    secrets += stored("accounts_backupcode", "digest") + stored("accounts_totpdevice", "key")
    signed_in = sign_in(client, user)

    for url in ["/admin/otp_totp/totpdevice/", "/admin/otp_static/staticdevice/"]:
        assert signed_in.get(url).status_code == 404
    index = signed_in.get("/admin/")
    assert index.status_code == 200
    pages = [
        "/admin/",
        reverse("admin:accounts_user_changelist"),
        reverse("admin:accounts_user_change", args=[alice.pk]),
        reverse("admin:accounts_rolechangerequest_add"),
    ]
    for app in index.context["app_list"]:
        pages += [model["admin_url"] for model in app["models"] if model.get("admin_url")]
    for url in pages:
        content = signed_in.get(url).content.decode()
        for secret in secrets:
            assert secret not in content, (url, "a second-factor secret")
    assert BackupCode.objects.count() == 10


def test_password_guesses_on_the_backup_codes_page_count_towards_the_lockout(
    client, alice, enrolled, settings
):
    """An open browser is no place to try passwords: the guesses lock the account as at login."""
    sign_in(client, alice)
    url = reverse("accounts:backup_codes")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"password": "guess", "current_code": code_of(enrolled)})

    assert AuditEvent.objects.filter(action="login_failed").count() >= settings.AXES_FAILURE_LIMIT
    locked = client.post(url, {"password": DEFAULT_PASSWORD, "current_code": code_of(enrolled)})
    assert re.findall(r"<code>(\w+)</code>", locked.content.decode()) == []
