"""
The migration that moves second factors out of django-otp's plaintext plugin tables: existing
authenticators keep working with their secret now sealed, backup codes keep working once each,
and the plaintext tables are gone.
"""

import importlib
from types import SimpleNamespace

import django_otp
from django.apps import apps
from django.db import connection
from django_otp.oath import totp

from accounts.models import BackupCode, TOTPDevice

move = importlib.import_module(
    "accounts.migrations.0007_move_second_factors_from_django_otp_plugins"
)
SECRET = "3132333435363738393031323334353637383930"


def test_old_plaintext_devices_are_moved_sealed_and_the_tables_dropped(alice, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE otp_totp_totpdevice (id integer PRIMARY KEY, user_id integer, "
            "name varchar(64), confirmed boolean, key varchar(80), step integer, t0 bigint, "
            "digits integer, tolerance integer, drift integer, last_t bigint)"
        )
        cursor.execute(
            "INSERT INTO otp_totp_totpdevice VALUES (7, %s, 'phone', true, %s, 30, 0, 6, 1, 0, -1)",
            [alice.pk, SECRET],
        )
        cursor.execute(
            "CREATE TABLE otp_static_staticdevice (id integer PRIMARY KEY, user_id integer, "
            "name varchar(64), confirmed boolean)"
        )
        cursor.execute(
            "INSERT INTO otp_static_staticdevice VALUES (3, %s, 'backup', true)", [alice.pk]
        )
        cursor.execute(
            "CREATE TABLE otp_static_statictoken (id integer PRIMARY KEY, device_id integer, "
            "token varchar(16))"
        )
        cursor.execute("INSERT INTO otp_static_statictoken VALUES (1, 3, 'abcd2345')")

    move.move_second_factors(apps, SimpleNamespace(connection=connection))

    device = TOTPDevice.objects.get(user=alice)
    assert device.key == SECRET
    assert device.confirmed
    with connection.cursor() as cursor:
        cursor.execute("SELECT key FROM accounts_totpdevice")
        assert SECRET not in cursor.fetchone()[0]
    assert BackupCode.objects.filter(device__user=alice).count() == 1
    tables = connection.introspection.table_names()
    assert not [name for name in tables if name.startswith(("otp_totp", "otp_static"))]
    code = f"{totp(bytes.fromhex(SECRET)):06d}"
    assert django_otp.match_token(alice, code) == device
    assert django_otp.match_token(alice, "abcd2345") is not None
    assert django_otp.match_token(alice, "abcd2345") is None
