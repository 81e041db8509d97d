"""
The triggers that copy name keys beside cases (0023, 0025) probe the other table once per added
row, by its index, whatever the planner believes of the tables' sizes.

The join of a statement's added rows (a transition table, which has no statistics) to the name
keys or the members was planned as a merge join over the *whole* other table whenever its
statistics were missing or stale, as they are all through a bulk load: each batch of 1,000
members read every name key (3.2 million at 215,000 people, 1.3 s a batch, growing with the
table), so `seed_demo --people 1000000` slowed from 900 to under 400 people a second and would
have taken about 40 minutes. A LATERAL subquery with `OFFSET 0` (which the planner does not pull
up into the join) reads a member's ~15 keys by the index: 30 ms a batch at any size. The same
holds for an import's batches and a merge.

Also drops three indexes nothing reads (the entries' case, person and alias foreign keys: the
case's is repeated by `casework_casenamekey_case`; the others are never looked up), each of which
cost a write for every entry.
"""

import importlib

import django.db.models.deletion
from django.db import migrations, models

# The entries' columns and values, as 0025 writes them.
ENTRY_COLUMNS = (
    "case_id, person_id, key_id, alias_id, kind, digest, risk_rank, reference, team_id, role"
)
ENTRY_VALUES = (
    "m.case_id, k.person_id, k.id, k.alias_id, k.kind, k.digest, c.risk_rank, c.reference,"
    " c.team_id, m.role"
)

# Added keys: each key's person's memberships, by `casework_casemember`'s person index.
FROM_ADDED_KEYS = """
    FROM added k
    CROSS JOIN LATERAL (
        SELECT member.case_id, member.role FROM casework_casemember member
        WHERE member.person_id = k.person_id OFFSET 0
    ) m
    JOIN casework_case c ON c.id = m.case_id"""

# Added members: each member's keys, by `casework_namekey_person`.
FROM_ADDED_MEMBERS = """
    FROM added m
    CROSS JOIN LATERAL (
        SELECT key.id, key.person_id, key.alias_id, key.kind, key.digest
        FROM casework_namekey key WHERE key.person_id = m.person_id OFFSET 0
    ) k
    JOIN casework_case c ON c.id = m.case_id"""

TRIGGER_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION casework_case_name_keys_keys_added() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO casework_casenamekey ({ENTRY_COLUMNS})
    SELECT {ENTRY_VALUES} {FROM_ADDED_KEYS};
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION casework_case_name_keys_keys_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM casework_casenamekey e USING removed o WHERE e.key_id = o.id;
    INSERT INTO casework_casenamekey ({ENTRY_COLUMNS})
    SELECT {ENTRY_VALUES} {FROM_ADDED_KEYS};
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION casework_case_name_keys_members_added() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM casework_case c WHERE c.id IN (SELECT case_id FROM added)
        ORDER BY c.id FOR NO KEY UPDATE;
    INSERT INTO casework_casenamekey ({ENTRY_COLUMNS})
    SELECT {ENTRY_VALUES} {FROM_ADDED_MEMBERS};
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION casework_case_name_keys_members_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM casework_casenamekey e USING removed o
    WHERE e.case_id = o.case_id AND e.person_id = o.person_id;
    PERFORM 1 FROM casework_case c WHERE c.id IN (SELECT case_id FROM added)
        ORDER BY c.id FOR NO KEY UPDATE;
    INSERT INTO casework_casenamekey ({ENTRY_COLUMNS})
    SELECT {ENTRY_VALUES} {FROM_ADDED_MEMBERS};
    RETURN NULL;
END $$;
"""  # noqa: S608 (the column lists above, no input)


def probe_per_row(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER_FUNCTIONS)


def join_as_before(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        previous = importlib.import_module("casework.migrations.0025_case_name_keys_team_and_role")
        schema_editor.execute(previous.TRIGGER_FUNCTIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0025_case_name_keys_team_and_role"),
    ]

    operations = [
        migrations.RunPython(probe_per_row, join_as_before),
        migrations.AlterField(
            model_name="casenamekey",
            name="alias",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="casework.personalias",
                verbose_name="alias",
            ),
        ),
        migrations.AlterField(
            model_name="casenamekey",
            name="case",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="casework.case",
                verbose_name="case",
            ),
        ),
        migrations.AlterField(
            model_name="casenamekey",
            name="person",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="casework.person",
                verbose_name="person",
            ),
        ),
    ]
