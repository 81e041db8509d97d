"""
The cases' copies of their members' name keys (0023) also hold the case's team and the member's
role: a search's walk along a digest's entries passes over the cases of teams the reader has
nothing to do with inside the index, where it probed each such case's row for visibility (half
the cases a caseworker's walk for a family name probed), and naming who matched reads the role
beside the key, where it probed the member of each entry (~4 buffers an entry).

The triggers' functions are replaced by ones that write the two columns (and move the team
with the case, as they moved its risk), and the entries are written again from the tables.
"""

import importlib

import django.db.models.deletion
from django.db import migrations, models

# The entries of name keys and members joined, as in 0023, with the case's team and the
# member's role.
ENTRY_COLUMNS = "case_id, person_id, key_id, alias_id, kind, digest, risk_rank, reference, team_id, role"
ENTRY_VALUES = (
    "m.case_id, k.person_id, k.id, k.alias_id, k.kind, k.digest, c.risk_rank, c.reference,"
    " c.team_id, m.role"
)

REBUILD = f"""
CREATE OR REPLACE FUNCTION casework_case_name_keys_rebuild() RETURNS void LANGUAGE sql AS $$
    -- Writers wait for the rebuild to commit, then add their changes to it.
    LOCK TABLE casework_casenamekey IN SHARE ROW EXCLUSIVE MODE;
    DELETE FROM casework_casenamekey;
    INSERT INTO casework_casenamekey ({ENTRY_COLUMNS})
    SELECT {ENTRY_VALUES}
    FROM casework_namekey k
    JOIN casework_casemember m ON m.person_id = k.person_id
    JOIN casework_case c ON c.id = m.case_id;
$$;
"""  # noqa: S608 (the column lists above, no input)

# The functions of 0023 that write entries, writing the two columns too (its locking notes
# hold unchanged). A member's change of role is an UPDATE of the member: its entries are
# deleted and written again, as for any other change of a member.
TRIGGER_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION casework_case_name_keys_keys_added() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO casework_casenamekey ({ENTRY_COLUMNS})
    SELECT {ENTRY_VALUES}
    FROM added k
    JOIN casework_casemember m ON m.person_id = k.person_id
    JOIN casework_case c ON c.id = m.case_id;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION casework_case_name_keys_keys_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM casework_casenamekey e USING removed o WHERE e.key_id = o.id;
    INSERT INTO casework_casenamekey ({ENTRY_COLUMNS})
    SELECT {ENTRY_VALUES}
    FROM added k
    JOIN casework_casemember m ON m.person_id = k.person_id
    JOIN casework_case c ON c.id = m.case_id;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION casework_case_name_keys_members_added() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM casework_case c WHERE c.id IN (SELECT case_id FROM added)
        ORDER BY c.id FOR NO KEY UPDATE;
    INSERT INTO casework_casenamekey ({ENTRY_COLUMNS})
    SELECT {ENTRY_VALUES}
    FROM added m
    JOIN casework_namekey k ON k.person_id = m.person_id
    JOIN casework_case c ON c.id = m.case_id;
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
    SELECT {ENTRY_VALUES}
    FROM added m
    JOIN casework_namekey k ON k.person_id = m.person_id
    JOIN casework_case c ON c.id = m.case_id;
    RETURN NULL;
END $$;

-- A change of risk, reference or team (a transfer) moves a case's entries; every other save
-- of a case costs one comparison of the rows it wrote.
CREATE OR REPLACE FUNCTION casework_case_name_keys_cases_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE casework_casenamekey e
    SET risk_rank = n.risk_rank, reference = n.reference, team_id = n.team_id
    FROM added n JOIN removed o ON o.id = n.id
    WHERE e.case_id = n.id
      AND (n.risk_rank, n.reference, n.team_id)
          IS DISTINCT FROM (o.risk_rank, o.reference, o.team_id);
    RETURN NULL;
END $$;
"""  # noqa: S608 (the column lists above, no input)


def _previous():
    return importlib.import_module("casework.migrations.0023_case_name_keys_in_list_order")


def empty_entries(apps, schema_editor):
    """
    Before the columns without defaults are added (`write_entries` writes every entry again):
    a TRUNCATE, since a DELETE of 1.5 million entries left the table and its indexes twice
    their size, until a VACUUM FULL.
    """
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("TRUNCATE casework_casenamekey")


def write_entries(apps, schema_editor):
    """The new functions, and every entry written by them (before the walk's index is built)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(REBUILD)
    schema_editor.execute(TRIGGER_FUNCTIONS)
    schema_editor.execute("SELECT casework_case_name_keys_rebuild()")


def functions_as_before(apps, schema_editor):
    """Backwards: 0023's functions, before the two columns are dropped; `rebuild` writes."""
    if schema_editor.connection.vendor != "postgresql":
        return
    previous = _previous()
    replaced = "CREATE OR REPLACE FUNCTION"
    schema_editor.execute("TRUNCATE casework_casenamekey")
    schema_editor.execute(previous.REBUILD.replace("CREATE FUNCTION", replaced))
    schema_editor.execute(previous.TRIGGER_FUNCTIONS.replace("CREATE FUNCTION", replaced))


def rebuild(apps, schema_editor):
    """Backwards: the entries as 0023's functions write them, once its index is back."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SELECT casework_case_name_keys_rebuild()")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("casework", "0024_follow_ups_by_case_reference"),
    ]

    # The walk's index is dropped before the entries are written and built after, in one pass
    # over them, where writing 1.5 million entries into it one at a time left it half empty.
    operations = [
        migrations.RemoveIndex(
            model_name="casenamekey",
            name="casework_casenamekey_walk",
        ),
        migrations.RunPython(empty_entries, rebuild),
        migrations.AddField(
            model_name="casenamekey",
            name="team",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                default=0,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="accounts.team",
                verbose_name="team",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="casenamekey",
            name="role",
            field=models.CharField(
                choices=[
                    ("principal", "Principal"),
                    ("child", "Child"),
                    ("partner", "Partner"),
                    ("relative", "Relative"),
                    ("other", "Other"),
                ],
                default="",
                max_length=10,
                verbose_name="role in case",
            ),
            preserve_default=False,
        ),
        migrations.RunPython(write_entries, functions_as_before),
        migrations.AddIndex(
            model_name="casenamekey",
            index=models.Index(
                fields=["digest", "risk_rank", "reference", "case"],
                include=("kind", "alias", "team"),
                name="casework_casenamekey_walk",
            ),
        ),
    ]
