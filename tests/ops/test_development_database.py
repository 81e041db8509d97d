"""
The README's run command uses SQLite: every migration must apply there and the demo seed must
load, whatever the suite itself runs on (a PostgreSQL-only field once broke it unnoticed).
"""

import sqlite3

from .test_backup_sqlite import run


def test_the_development_database_migrates_and_takes_the_demo_data(tmp_path):
    migrated = run(tmp_path, "migrate", "--no-input", "-v", "0")
    assert migrated.returncode == 0, migrated.stderr[-2000:]
    # A small caseload walks the same code as the README's default of 60 people, in half the time.
    seeded = run(tmp_path, "seed_demo", "--people", "20")
    assert seeded.returncode == 0, seeded.stderr[-2000:]
    with sqlite3.connect(tmp_path / "db.sqlite3") as database:
        (cases,) = database.execute("SELECT count(*) FROM casework_case").fetchone()
    assert cases > 0
