"""
The dashboard's follow-ups due are listed by due day, then case reference. The index it walked
(0005, open follow-ups by due day) held no reference, so PostgreSQL read every open follow-up of
the oldest due day, probed each against the reader's cases and sorted them by their case's
reference to show fifty: 350 rows at 100,000 people, ten times as many at a million, where the
other lists of the page read the same few rows at both sizes.

Each follow-up now carries its case's reference (`Task.case_reference`), written by a trigger
on every insert and update of a follow-up, so that every writer keeps it: the services, the
import's bulk inserts, the seed's COPY, the admin. A case's reference never changes (it is not
editable), so nothing on the cases' side needs a trigger. The index of open follow-ups by (due
day, case reference, id) is the list's order: the walk stops at its page. It replaces 0005's
index of open follow-ups by due day, which only the dashboard walked (the reminder sweep reads
the model's own `casework_task_open_due`).

SQLite (`make run`) gets the same copy by triggers of its own; it has no planner to help, but
the list's order is the same there.
"""

from django.db import migrations, models

INDEX = "casework_task_open_due_ref_idx"
OLD_INDEX = "casework_task_open_due_idx"

POSTGRES = """
CREATE FUNCTION casework_task_case_reference() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.case_reference := (SELECT c.reference FROM casework_case c WHERE c.id = NEW.case_id);
    RETURN NEW;
END $$;
CREATE TRIGGER casework_task_case_reference BEFORE INSERT OR UPDATE ON casework_task
    FOR EACH ROW EXECUTE FUNCTION casework_task_case_reference();
"""

# SQLite has no BEFORE trigger that can change the row: the row is written, then corrected
# (recursive triggers are off, so the correction fires nothing).
SQLITE = [
    """
    CREATE TRIGGER casework_task_case_reference_inserted AFTER INSERT ON casework_task
    BEGIN
        UPDATE casework_task SET case_reference =
            (SELECT c.reference FROM casework_case c WHERE c.id = NEW.case_id)
        WHERE id = NEW.id;
    END
    """,
    """
    CREATE TRIGGER casework_task_case_reference_updated AFTER UPDATE ON casework_task
    WHEN NEW.case_reference IS NOT
        (SELECT c.reference FROM casework_case c WHERE c.id = NEW.case_id)
    BEGIN
        UPDATE casework_task SET case_reference =
            (SELECT c.reference FROM casework_case c WHERE c.id = NEW.case_id)
        WHERE id = NEW.id;
    END
    """,
]


def copy_references(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            "UPDATE casework_task t SET case_reference = c.reference"
            " FROM casework_case c WHERE c.id = t.case_id"
        )
        schema_editor.execute(POSTGRES)
    else:
        schema_editor.execute(
            "UPDATE casework_task SET case_reference ="
            " (SELECT c.reference FROM casework_case c WHERE c.id = casework_task.case_id)"
        )
        for sql in SQLITE:
            schema_editor.execute(sql)
    schema_editor.execute(f"DROP INDEX IF EXISTS {OLD_INDEX}")
    schema_editor.execute(
        f"CREATE INDEX {INDEX} ON casework_task (due_on, case_reference, id)"
        " WHERE completed_at IS NULL"
    )


def drop_copy(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {OLD_INDEX} ON casework_task (due_on, id)"
        " WHERE completed_at IS NULL"
    )
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS casework_task_case_reference ON casework_task")
        schema_editor.execute("DROP FUNCTION IF EXISTS casework_task_case_reference()")
    else:
        schema_editor.execute("DROP TRIGGER IF EXISTS casework_task_case_reference_inserted")
        schema_editor.execute("DROP TRIGGER IF EXISTS casework_task_case_reference_updated")


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0023_case_name_keys_in_list_order"),
    ]

    operations = [
        migrations.AddField(
            model_name="task",
            name="case_reference",
            field=models.CharField(
                blank=True,
                default="",
                editable=False,
                max_length=12,
                verbose_name="case reference",
            ),
        ),
        migrations.RunPython(copy_references, drop_copy),
    ]
