"""
django-axes kept usernames as typed: in failed attempts (where a password typed into the wrong
field ends up) and in its access log. From now on it keeps keyed digests only
(accounts.signin), so the verbatim rows go: counters under the old names would never match a
digest again, and every sign-in and sign-out is in the audit trail.
"""

from django.db import migrations


def forget_verbatim_usernames(apps, schema_editor):
    for model in ("AccessAttempt", "AccessLog", "AccessFailureLog"):
        apps.get_model("axes", model).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_field_labels"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [
        migrations.RunPython(forget_verbatim_usernames, migrations.RunPython.noop),
    ]
