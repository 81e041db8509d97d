"""
Move authenticators and backup codes out of django-otp's TOTP and static plugins, which kept them
in clear, into accounts' own devices: each secret sealed by the vault, each backup code replaced
by its keyed digest. The plugins' tables are then dropped, so no plaintext copy stays behind.
Read with SQL, since the plugins are no longer installed apps.
"""

from django.db import migrations

OLD_TOTP = "otp_totp_totpdevice"
OLD_STATIC_DEVICE = "otp_static_staticdevice"
OLD_STATIC_TOKEN = "otp_static_statictoken"


def _rows(cursor, sql):
    cursor.execute(sql)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def move_second_factors(apps, schema_editor):
    from accounts.models import backup_code_digest

    TOTPDevice = apps.get_model("accounts", "TOTPDevice")
    BackupCodeDevice = apps.get_model("accounts", "BackupCodeDevice")
    BackupCode = apps.get_model("accounts", "BackupCode")
    connection = schema_editor.connection
    tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        if OLD_TOTP in tables:
            for row in _rows(cursor, f"SELECT * FROM {OLD_TOTP}"):
                # Inserted without the secret first: the vault binds it to the new row's id.
                device = TOTPDevice.objects.create(
                    user_id=row["user_id"],
                    name=row["name"],
                    confirmed=row["confirmed"],
                    key=None,
                    step=row["step"],
                    t0=row["t0"],
                    digits=row["digits"],
                    tolerance=row["tolerance"],
                    drift=row["drift"],
                    last_t=row["last_t"],
                )
                device.key = row["key"]
                device.save(update_fields=["key"])
        if OLD_STATIC_DEVICE in tables and OLD_STATIC_TOKEN in tables:
            for row in _rows(cursor, f"SELECT id, user_id, name, confirmed FROM {OLD_STATIC_DEVICE}"):
                device = BackupCodeDevice.objects.create(
                    user_id=row["user_id"], name=row["name"], confirmed=row["confirmed"]
                )
                tokens = _rows(
                    cursor,
                    f"SELECT token FROM {OLD_STATIC_TOKEN} WHERE device_id = {int(row['id'])}",
                )
                BackupCode.objects.bulk_create(
                    BackupCode(device=device, digest=backup_code_digest(token["token"]))
                    for token in tokens
                )
        for table in (OLD_STATIC_TOKEN, OLD_STATIC_DEVICE, OLD_TOTP):
            if table in tables:
                cursor.execute(f"DROP TABLE {table}")
        if "django_migrations" in tables:
            cursor.execute(
                "DELETE FROM django_migrations WHERE app IN ('otp_totp', 'otp_static')"
            )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_second_factors_sealed_and_role_change_requests"),
    ]

    operations = [
        migrations.RunPython(move_second_factors, migrations.RunPython.noop, elidable=False),
    ]
