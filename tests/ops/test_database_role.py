"""
Production runs the app as a PostgreSQL role that owns no table (ops/deploy/postgres/app-role.sql):
it reads and appends the audit trail, but cannot switch off the append-only trigger, truncate the
table or change its rows, as the table's owner could.
"""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from audit import record
from audit.chain import verify_chain
from audit.models import AuditEvent

from .conftest import database_url

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "ops" / "deploy" / "postgres" / "app-role.sql"


def owner_environment() -> dict:
    settings = connection.settings_dict
    environment = {**os.environ, "PGHOST": settings.get("HOST") or "127.0.0.1"}
    environment["PGPORT"] = str(settings.get("PORT") or 5432)
    environment["PGUSER"] = settings.get("USER") or "postgres"
    if settings.get("PASSWORD"):
        environment["PGPASSWORD"] = settings["PASSWORD"]
    environment.pop("PGOPTIONS", None)
    return environment


@pytest.fixture
def app_role(transactional_db):
    """The deployment's script run against the test database for a role of this test's own."""
    name = f"shimteo_app_test_{uuid.uuid4().hex[:8]}"
    password = uuid.uuid4().hex
    environment = owner_environment()
    database = connection.settings_dict["NAME"]
    variables = {"app_role": name, "app_password": password, "owner": environment["PGUSER"]}
    arguments = [f"--set={key}={value}" for key, value in {**variables, "dbname": database}.items()]
    psql = ["psql", "--no-psqlrc", "--quiet", "--dbname", database]
    try:
        for _ in range(2):  # a second run changes nothing: the script is safe to run again
            subprocess.run(
                [*psql, *arguments, "--file", str(SCRIPT)],
                env=environment,
                check=True,
                capture_output=True,
                timeout=60,
            )
        yield {"name": name, "password": password}
    finally:
        # Roles belong to the whole cluster, which other databases share: never leave one behind.
        subprocess.run(
            [*psql, "-c", f'DROP OWNED BY "{name}"', "-c", f'DROP ROLE IF EXISTS "{name}"'],
            env=environment,
            check=True,
            capture_output=True,
            timeout=60,
        )


def connect_as(role) -> psycopg.Connection:
    settings = connection.settings_dict
    return psycopg.connect(
        host=settings.get("HOST") or "127.0.0.1",
        port=settings.get("PORT") or 5432,
        dbname=settings["NAME"],
        user=role["name"],
        password=role["password"],
        autocommit=True,
    )


def refused(role, sql: str) -> str:
    """The database's error for `sql` sent as the app role, or "" when it was accepted."""
    with connect_as(role) as app, app.cursor() as cursor:
        try:
            cursor.execute(sql)
        except psycopg.Error as error:
            return str(error)
    return ""


def test_the_app_role_owns_no_table(app_role):
    """Every table belongs to the owner that ran the migrations; the app role has none."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = %s",
            [app_role["name"]],
        )
        assert cursor.fetchone()[0] == 0


# What the table's owner could do to remove events or their guard, and what stops the app role.
OWNER_ONLY = [
    (
        "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_no_update_or_delete",
        "must be owner",
    ),
    ("ALTER TABLE audit_auditevent DISABLE TRIGGER ALL", "must be owner"),
    ("DROP TRIGGER audit_event_no_truncate ON audit_auditevent", "must be owner"),
    ("DROP TABLE audit_auditevent", "must be owner"),
    ("SET session_replication_role = replica", "permission denied"),
    ("TRUNCATE audit_auditevent", "permission denied"),
    ("UPDATE audit_auditevent SET actor_username = 'mallory'", "append-only"),
    ("DELETE FROM audit_auditevent", "append-only"),
    (
        "CREATE FUNCTION public.shimteo_probe() RETURNS int LANGUAGE sql AS 'SELECT 1'",
        "permission denied for schema public",
    ),
]


def test_the_app_role_cannot_touch_the_trail(app_role, alice):
    """
    Switching the append-only trigger off, dropping it, truncating, updating or deleting events:
    each is refused to the app role, and the trail stays whole. (One role for all statements: a
    role costs two runs of the script.)
    """
    kept = record(alice, "view")

    errors = {sql: refused(app_role, sql) for sql, _ in OWNER_ONLY}

    for sql, error in OWNER_ONLY:
        assert error in errors[sql], (sql, errors[sql])
    assert AuditEvent.objects.filter(pk=kept.pk, actor_username="alice").exists()
    assert verify_chain().intact


def test_the_app_works_as_the_app_role(app_role, alice, tmp_path):
    """The app appends events, verifies the chain and signs a checkpoint, connected as the app role."""
    record(alice, "login")
    url = database_url(connection.settings_dict).replace(
        "postgres://postgres@", f"postgres://{app_role['name']}:{app_role['password']}@"
    )
    assert app_role["name"] in url
    code = (
        "from audit import record; from audit.chain import verify_chain; "
        "from audit.checkpoint import take_checkpoint; "
        "from casework.models import Case; "
        "event = record(None, 'login_failed', attempted='probe'); "
        "print('cases', Case.objects.count()); "
        "print('event', event.pk, verify_chain().intact, take_checkpoint().sequence)"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": url,
            "SHIMTEO_ENV": "development",
            "SHIMTEO_MEDIA_ROOT": str(tmp_path / "media"),
            "SHIMTEO_LOG_FORMAT": "plain",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    latest = AuditEvent.objects.order_by("-sequence").first()
    assert f"event {latest.pk} True {latest.pk}" in result.stdout
    assert latest.action == "login_failed" and AuditEvent.objects.count() == 2
    assert verify_chain().intact
