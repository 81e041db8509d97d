"""
The dashboard's "detained longer than N days" list, found by benchmarks/ at 100,000 people: it
asks for current "detained in China" records (status detained_cn, effective_to IS NULL, not
voided) oldest first, and PostgreSQL walked the recent-changes index over every status record
(110,000 rows filtered away, 0.6 s on a loaded 2-core machine) to find the few hundred. A partial
index over exactly those rows, in the list's order, lets it read them alone (see
casework.selectors.dashboard.detained_longer_than). Plain SQL kept out of Meta.indexes, as in 0005.
"""

from django.db import migrations

NAME = "casework_lsr_detained_now_idx"


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0016_name_key_covering_index"),
    ]

    operations = [
        migrations.RunSQL(
            sql=(
                f"CREATE INDEX IF NOT EXISTS {NAME} ON casework_legalstatusrecord "
                "(effective_from, id) WHERE status = 'detained_cn' AND effective_to IS NULL "
                "AND voided_at IS NULL"
            ),
            reverse_sql=f"DROP INDEX IF EXISTS {NAME}",
        )
    ]
