"""The cases newest first, as the API lists them: a page walks this index (see `Case.Meta`)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0026_case_name_keys_probe_per_member"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["-opened_on", "reference"], name="casework_case_newest_idx"),
        ),
    ]
