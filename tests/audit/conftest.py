"""Audit fixtures: a way to tamper with the trail as an attacker with database access would."""

import pytest
from django.db import connection

DISABLE = "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_no_update_or_delete"
ENABLE = "ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_no_update_or_delete"


@pytest.fixture
def tamper(db):
    """
    Run raw SQL against the audit table around the ORM's refusals. On PostgreSQL the trigger is
    switched off for the statement, as the table's owner could; the test's transaction undoes it.
    """

    def run(sql, params=()):
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(DISABLE)
            cursor.execute(sql, params)
            if connection.vendor == "postgresql":
                cursor.execute(ENABLE)

    return run
