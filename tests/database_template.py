"""
One migrate per run, however many xdist workers (tests/conftest.py `django_db_modify_db_settings`).

Each worker needs a test database of its own. Built by Django, each one runs every migration and
the `post_migrate` handlers: the same work on every worker (benchmarks/RESULTS.md, "Session 14,
branch suite15", has what it costs). Here the first worker to get there builds one database that
way, the template, and every worker's database is a copy of it made by PostgreSQL
(`CREATE DATABASE … TEMPLATE`, as Django's own parallel test runner clones its databases). A
worker holds a file lock in the run's temporary folder, which all the workers of a run share,
while it builds the template; the controller drops the template once every worker has ended.

Only under xdist with more than one worker, on PostgreSQL; `--reuse-db`, `--nomigrations` and a
database to serialize keep Django's own creation.
"""

import fcntl
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections

SUFFIX = "_template"


def _template_name(worker_id: str | None) -> str:
    """The template's name: the test database's, without a worker's suffix, and `_template`."""
    test_database = connections["default"].creation._get_test_db_name()
    return (
        test_database.removesuffix(f"_{worker_id}") + SUFFIX
        if worker_id
        else test_database + SUFFIX
    )


def applies(config: pytest.Config) -> bool:
    """Whether this run's worker databases are copies of one template (asked on either side)."""
    workers = getattr(config, "workerinput", {}).get("workercount") or config.getoption(
        "numprocesses", None
    )
    return (
        settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
        and (workers or 0) > 1
        and not config.getoption("reuse_db")
        and not config.getoption("nomigrations")
    )


def copy_worker_databases(*, run_folder: Path, worker_id: str) -> None:
    """While `django_db_setup` makes this worker's database, make it as a copy of the template."""
    connection = connections["default"]
    creation = connection.creation
    create_test_db = creation.create_test_db
    template = _template_name(worker_id)

    def create_as_copy(verbosity=1, autoclobber=False, serialize=True, keepdb=False):
        if keepdb or serialize:
            return create_test_db(verbosity, autoclobber, serialize, keepdb)
        test_settings = connection.settings_dict["TEST"]
        worker_database = creation._get_test_db_name()
        with (run_folder / "template.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
            built = run_folder / "template.built"
            if not built.exists():
                # Django's own creation, under the template's name: migrate, post_migrate.
                test_settings["NAME"] = template
                try:
                    create_test_db(verbosity, autoclobber=True, serialize=False)
                finally:
                    test_settings["NAME"] = worker_database
                # PostgreSQL copies a database only while no session is connected to it.
                connection.close()
                built.touch()
        quote = connection.ops.quote_name
        with creation._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(worker_database)}")
            cursor.execute(f"CREATE DATABASE {quote(worker_database)} TEMPLATE {quote(template)}")
        # As Django's create_test_db leaves its connection: on the test database.
        settings.DATABASES[connection.alias]["NAME"] = worker_database
        connection.settings_dict["NAME"] = worker_database
        connection.ensure_connection()
        return worker_database

    creation.create_test_db = create_as_copy


def drop_template(config: pytest.Config) -> None:
    """On the controller, once every worker has ended (and dropped its own database)."""
    from pytest_django.plugin import blocking_manager_key

    connection = connections["default"]
    with config.stash[blocking_manager_key].unblock(), connection.creation._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(_template_name(None))}")
