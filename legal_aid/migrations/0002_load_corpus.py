# The legal library's rows come from legal_aid/data/corpus.json (see legal_aid/corpus.py).

from django.db import migrations

from legal_aid.corpus import load, unload


class Migration(migrations.Migration):

    dependencies = [
        ("legal_aid", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(load, unload),
    ]
