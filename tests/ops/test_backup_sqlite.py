"""Backups need PostgreSQL: on SQLite the commands say so instead of failing obscurely."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(tmp_path, *args) -> subprocess.CompletedProcess:
    # A process of its own on a SQLite file, whatever database the suite itself runs on.
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        # Against a hang only: every migration on SQLite takes 15 s on an idle 2-core machine and
        # over 120 s on one shared by several test runs.
        timeout=600,
    )


def test_backup_on_sqlite_says_it_needs_postgresql(tmp_path):
    """On SQLite, `backup` and `restore` stop with a message naming PostgreSQL."""
    backup = run(tmp_path, "backup", "--output", str(tmp_path / "x.backup"))
    assert backup.returncode != 0
    assert "PostgreSQL only" in backup.stderr
    restore = run(tmp_path, "restore", str(tmp_path / "x.backup"))
    assert restore.returncode != 0
    assert "PostgreSQL only" in restore.stderr
