"""
PostgreSQL's extra `_like` indexes on blind-index columns go: no digest is ever looked up with
LIKE (see vault.fields.BlindIndexField.db_type, which keeps new databases from making them).

The fields' deconstruction did not change, so the autodetector sees nothing; databases made
before this migration are changed here, and new ones never had the indexes.
"""

from django.db import migrations

BLIND_INDEXES = (
    ("person", "full_name_index"),
    ("person", "contact_index"),
    ("personalias", "name_index"),
)


def drop_like_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # Only PostgreSQL makes them.
    quote = schema_editor.quote_name
    for model_name, column in BLIND_INDEXES:
        table = apps.get_model("casework", model_name)._meta.db_table
        like = schema_editor._create_index_name(table, [column], suffix="_like")
        schema_editor.execute(f"DROP INDEX IF EXISTS {quote(like)}")


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0006_case_risk_rank"),
    ]

    operations = [migrations.RunPython(drop_like_indexes, migrations.RunPython.noop)]
