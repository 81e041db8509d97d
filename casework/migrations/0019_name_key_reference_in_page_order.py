# The person's reference copied onto each name key, and the keys indexed in a page's order, so
# that a name search stops when its page is full (issue 22; see casework.selectors.search).

import django.db.models.deletion
from django.db import migrations, models

# A person's reference never changes: copied once here, and by every writer of keys afterwards.
BACKFILL = """
UPDATE casework_namekey AS key SET reference = person.reference
FROM casework_person AS person
WHERE person.id = key.person_id AND key.reference <> person.reference
"""


class Migration(migrations.Migration):

    dependencies = [
        ("casework", "0018_case_plans_and_closures"),
    ]

    operations = [
        migrations.AddField(
            model_name="namekey",
            name="reference",
            field=models.CharField(default="", max_length=12, verbose_name="reference"),
            preserve_default=False,
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop, elidable=True),
        migrations.RemoveIndex(model_name="namekey", name="casework_namekey_digest"),
        migrations.AlterField(
            model_name="namekey",
            name="person",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="name_keys",
                to="casework.person",
                verbose_name="person",
            ),
        ),
        migrations.AddIndex(
            model_name="namekey",
            index=models.Index(
                fields=["digest", "reference"],
                include=("person", "alias", "kind"),
                name="casework_namekey_digest_ref",
            ),
        ),
        migrations.AddIndex(
            model_name="namekey",
            index=models.Index(fields=["person", "digest"], name="casework_namekey_person"),
        ),
    ]
