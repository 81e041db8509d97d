import casework.dates
from django.conf import settings
from django.db import migrations, models
from django.db.models.functions import TruncDate


def date_existing_notes(apps, schema_editor):
    """
    Notes written before notes had a kind or a date of contact: their kind is unknown ("other"),
    and the best date of contact known is the day they were written, where the team works.
    """
    from zoneinfo import ZoneInfo

    CaseNote = apps.get_model("casework", "CaseNote")
    zone = ZoneInfo(settings.SHIMTEO_DEFAULT_TIME_ZONE)
    CaseNote.objects.filter(contacted_on__isnull=True).update(
        kind="other", contacted_on=TruncDate("created_at", tzinfo=zone)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0009_corrections_and_voids"),
    ]

    operations = [
        migrations.AddField(
            model_name="casenote",
            name="kind",
            field=models.CharField(
                choices=[
                    ("visit", "Visit"),
                    ("call", "Phone call"),
                    ("message", "Message"),
                    ("office", "Meeting at the office"),
                    ("file_note", "File note (no contact)"),
                    ("other", "Other"),
                ],
                default="other",
                max_length=10,
                verbose_name="kind of contact",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="casenote",
            name="contacted_on",
            field=models.DateField(null=True, verbose_name="date of contact"),
        ),
        migrations.RunPython(date_existing_notes, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="casenote",
            name="contacted_on",
            field=models.DateField(
                default=casework.dates.today, verbose_name="date of contact"
            ),
        ),
        migrations.AlterModelOptions(
            name="casenote",
            options={
                "ordering": ["-contacted_on", "-created_at"],
                "verbose_name": "case note",
                "verbose_name_plural": "case notes",
            },
        ),
    ]
