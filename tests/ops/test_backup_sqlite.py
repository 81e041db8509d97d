"""Backups need PostgreSQL: on SQLite the commands say so instead of failing obscurely."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection


def test_backup_on_sqlite_says_it_needs_postgresql(db, tmp_path):
    """On SQLite, `backup` stops with a message naming PostgreSQL."""
    if connection.vendor != "sqlite":
        pytest.skip("runs on the SQLite configuration")
    with pytest.raises(CommandError, match="PostgreSQL only"):
        call_command("backup", output=str(tmp_path / "x.backup"))
    with pytest.raises(CommandError, match="PostgreSQL only"):
        call_command("restore", str(tmp_path / "x.backup"))
