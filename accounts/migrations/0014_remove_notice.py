from django.db import migrations


class Migration(migrations.Migration):
    """The dashboard notices have become notifications (legal_aid 0007 moved the rows)."""

    dependencies = [
        ("accounts", "0013_notifications"),
        ("legal_aid", "0008_notices_become_notifications"),
    ]

    operations = [
        migrations.DeleteModel(name="Notice"),
    ]
