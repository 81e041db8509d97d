"""
Events carry the version of their link. Every event already written is version 1 (unkeyed
SHA-256) and stays so: the append-only chain is never re-linked, and verification checks each
event under the version it carries. Events written from now on are version 2 (HMAC under
SHIMTEO_AUDIT_KEY); see audit/chain.py.

On PostgreSQL 11+ adding a column with a default is a catalogue change: no row is updated, so the
append-only trigger is not involved.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_trigger")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="hash_version",
            field=models.PositiveSmallIntegerField(default=1, verbose_name="hash version"),
            preserve_default=False,
        ),
    ]
