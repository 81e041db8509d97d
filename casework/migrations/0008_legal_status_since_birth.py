import datetime

from django.db import migrations, models

BATCH = 500


def store_births_as_since_birth(apps, schema_editor):
    """
    Status periods whose plaintext start (and, in demo data, recorded day) is the person's
    encrypted date of birth: flag them `since_birth` and store the placeholder day instead
    (LegalStatusRecord.birth_placeholder: the last day before the birth year).
    """
    Person = apps.get_model("casework", "Person")
    LegalStatusRecord = apps.get_model("casework", "LegalStatusRecord")
    people = (
        Person.objects.filter(date_of_birth__isnull=False, status_records__isnull=False)
        .distinct()
        .order_by("pk")
        .only("pk", "date_of_birth")
    )
    for person in people.iterator(chunk_size=BATCH):
        born = person.date_of_birth  # decrypted by the vault field
        placeholder = datetime.date(born.year - 1, 12, 31)
        records = LegalStatusRecord.objects.filter(person_id=person.pk, effective_from=born)
        for record in records:
            changes = {"since_birth": True, "effective_from": placeholder}
            if record.recorded_at.date() == born:
                changes["recorded_at"] = record.recorded_at.replace(
                    year=placeholder.year, month=12, day=31
                )
            LegalStatusRecord.objects.filter(pk=record.pk).update(**changes)


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0007_blind_index_like_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="legalstatusrecord",
            name="since_birth",
            field=models.BooleanField(
                default=False,
                help_text="The period began on the day the person was born.",
                verbose_name="since birth",
            ),
        ),
        migrations.RunPython(store_births_as_since_birth, migrations.RunPython.noop),
    ]
