"""
The README's run command uses SQLite: every migration must apply there, the demo seed must load,
and the pages a caseworker opens first must work on it, whatever database the suite itself runs
on (a PostgreSQL-only field once broke the migrations unnoticed; a timeline read by hand-written
SQL once showed every case as empty there). Backups need PostgreSQL: on SQLite the commands say
so instead of failing obscurely.
"""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# One process on the SQLite file does what `make run` does in three (migrate, seed_demo, then the
# server), and tries `backup` and `restore` there too: each process of its own would cost a Django
# start-up more (two for the backup commands, a third of this module's time). Each step prints one
# JSON line, the refusals first, so that a failed migration does not hide them.
REFUSALS_SETUP_AND_WALK = """
import json
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, override_settings
from accounts.models import User
from casework.models import Case
from casework.selectors.timeline import case_timeline
from tests.conftest import FAST_HASHERS, sign_in


def refusal(*arguments):
    # What manage.py prints after "CommandError:" (its exit status 1), or None if it ran.
    try:
        call_command(*arguments)
    except CommandError as error:
        return str(error)
    return None


print(json.dumps({
    "backup": refusal("backup", "--output", BACKUP),
    "restore": refusal("restore", BACKUP),
}))

call_command("migrate", interactive=False, verbosity=0)
# A small caseload walks the same code as the README's default of 60 people, in half the time.
# The suite's fast hasher: the staff's one password, hashed by PBKDF2, was a tenth of the seed's
# CPU, and tests/demo checks the seed's accounts.
with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
    call_command("seed_demo", "--people", "20")

user = User.objects.get(username="yanbian.caseworker1")
client = sign_in(Client(SERVER_NAME="127.0.0.1"), user)
case = max(Case.objects.visible_to(user), key=lambda case: len(case_timeline(case)))
person = case.members.first().person
pages = {
    "dashboard": "/",
    "case list": "/cases/",
    "case page": f"/cases/{case.reference}/",
    "person page": f"/people/{person.reference}/",
}
answers = {name: client.get(url) for name, url in pages.items()}
print(json.dumps({
    "status": {name: answer.status_code for name, answer in answers.items()},
    "timeline": len(case_timeline(case)),
    "empty": "Nothing has been recorded in this case yet." in answers["case page"].content.decode(),
}))
"""


@pytest.fixture(scope="module")
def development_database(tmp_path_factory):
    """The SQLite file and the process's JSON lines: (path, refusals, walk or None, stderr)."""
    folder = tmp_path_factory.mktemp("development-database")
    database = folder / "db.sqlite3"
    # A process of its own on a SQLite file, whatever database the suite itself runs on.
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}
    code = f"BACKUP = {str(folder / 'x.backup')!r}\n{REFUSALS_SETUP_AND_WALK}"
    process = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        # Against a hang only: every migration on SQLite takes 15 s on an idle 2-core machine and
        # over 120 s on one shared by several test runs.
        timeout=600,
    )
    lines = [json.loads(line) for line in process.stdout.splitlines() if line.startswith("{")]
    refusals = lines[0] if lines else None
    walk = lines[1] if process.returncode == 0 and len(lines) > 1 else None
    return database, refusals, walk, process.stderr


def test_backup_on_sqlite_says_it_needs_postgresql(development_database):
    """On SQLite, `backup` and `restore` stop with a message naming PostgreSQL."""
    _database, refusals, _walk, stderr = development_database
    assert refusals is not None, stderr[-3000:]
    assert refusals["backup"] is not None
    assert "PostgreSQL only" in refusals["backup"]
    assert refusals["restore"] is not None
    assert "PostgreSQL only" in refusals["restore"]


def test_the_development_database_migrates_and_takes_the_demo_data(development_database):
    database, _refusals, walk, stderr = development_database
    assert walk is not None, stderr[-3000:]
    with sqlite3.connect(database) as connection:
        (cases,) = connection.execute("SELECT count(*) FROM casework_case").fetchone()
    assert cases > 0, "seed_demo made no case"

    assert walk["status"] == {
        "dashboard": 200,
        "case list": 200,
        "case page": 200,
        "person page": 200,
    }
    # The demo case with the most history shows it.
    assert walk["timeline"] > 0
    assert not walk["empty"]
