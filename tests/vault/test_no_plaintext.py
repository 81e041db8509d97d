"""
What a stolen database or backup shows: no name, place, contact, note or file name of a person
in any table, column or dump, in text or as UTF-8 hex.
"""

import os
import subprocess

import pytest
from django.db import connection

from .conftest import SECRETS


def needles() -> dict[str, str]:
    """Every secret as text and as lower-case UTF-8 hex (as bytea and some dumps show it)."""
    found = {}
    for label, value in SECRETS.items():
        found[label] = value.lower()
        found[f"{label} (hex)"] = value.encode().hex()
    return found


def leaks(text: str) -> list[str]:
    text = text.lower()
    return [label for label, needle in needles().items() if needle in text]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_no_table_holds_plaintext(recorded_person):
    """Every column of every table, read with raw SQL, holds none of the person's values."""
    tables = connection.introspection.table_names()
    assert "casework_person" in tables
    rows_seen = 0
    with connection.cursor() as cursor:
        for table in tables:
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT row_to_json(t)::text FROM {quoted} AS t")  # noqa: S608
            for (row,) in cursor.fetchall():
                rows_seen += 1
                assert not leaks(row), f"{table} holds {leaks(row)}"
    assert rows_seen > 10


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_pg_dump_holds_no_plaintext(recorded_person):
    """A full pg_dump of the database holds none of the person's values."""
    db = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
    command = ["pg_dump", "--no-owner", "--dbname", db["NAME"]]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            command += [option, str(db[key])]
    dump = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    assert "COPY public.casework_person " in dump
    assert "v1:k1:" in dump
    assert not leaks(dump)


@pytest.mark.django_db
def test_no_casework_column_holds_plaintext_on_any_database(recorded_person):
    """On any database, the stored text of every casework row holds none of the values."""
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if not table.startswith("casework_"):
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                text = " ".join(
                    value.hex() if isinstance(value, bytes | memoryview) else str(value)
                    for value in row
                    if value is not None
                )
                assert not leaks(text), f"{table} holds {leaks(text)}"
