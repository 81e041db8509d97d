"""
Indexes for the dashboard's lists, found by benchmarks/ at 100,000 people. Each matches the
ORDER BY of a selector that cuts its list short (LIMIT), so PostgreSQL walks the index and stops
after a page instead of sorting every visible row:

- recent status changes: ORDER BY effective_from DESC, recorded_at DESC, id;
- recent incidents: ORDER BY occurred_on DESC, recorded_at DESC, id;
- follow-ups due: open tasks (completed_at IS NULL) by due_on.

Plain SQL that PostgreSQL and SQLite both accept; kept out of the models' Meta.indexes because
a descending, partial index is an access path for these queries, not part of the data model.
"""

from django.db import migrations

INDEXES = {
    "casework_lsr_recent_idx": (
        "casework_legalstatusrecord",
        "(effective_from DESC, recorded_at DESC, id)",
        "",
    ),
    "casework_incident_recent_idx": (
        "casework_incident",
        "(occurred_on DESC, recorded_at DESC, id)",
        "",
    ),
    "casework_task_open_due_idx": (
        "casework_task",
        "(due_on, id)",
        " WHERE completed_at IS NULL",
    ),
}


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0004_field_labels"),
    ]

    operations = [
        migrations.RunSQL(
            sql=f"CREATE INDEX IF NOT EXISTS {name} ON {table} {columns}{where}",
            reverse_sql=f"DROP INDEX IF EXISTS {name}",
        )
        for name, (table, columns, where) in INDEXES.items()
    ]
