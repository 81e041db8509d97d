"""The audit key: required in production, well-formed, and distinct from every other key."""

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from audit.keys import load_audit_key
from vault.keyring import generate_key, get_keyring

from ..signing_keys import signing_environment

ROOT = Path(__file__).resolve().parents[2]


def start_production(tmp_path, **env_vars) -> subprocess.CompletedProcess:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("SHIMTEO_", "DJANGO_", "SECRET_KEY"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "SHIMTEO_ENV": "production",
            "SECRET_KEY": "p" * 60,
            "SHIMTEO_DEV_KEY_FILE": str(tmp_path / "dev-keys"),
            "SHIMTEO_FIELD_KEYS": f"k1:{generate_key()}",
            "SHIMTEO_INDEX_KEY": generate_key(),
            **signing_environment(tmp_path),
            **env_vars,
        }
    )
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_without_an_audit_key_does_not_start(tmp_path):
    """No SHIMTEO_AUDIT_KEY: the process exits naming it, and generates nothing."""
    result = start_production(tmp_path)
    assert result.returncode != 0
    assert "SHIMTEO_AUDIT_KEY" in result.stderr
    assert "started" not in result.stdout
    assert not (tmp_path / "dev-keys").exists()


def test_production_refuses_an_audit_key_equal_to_another_key(tmp_path):
    """The index key reused as the audit key is refused."""
    shared = generate_key()
    result = start_production(tmp_path, SHIMTEO_INDEX_KEY=shared, SHIMTEO_AUDIT_KEY=shared)
    assert result.returncode != 0
    assert "SHIMTEO_AUDIT_KEY must differ" in result.stderr


def test_production_starts_with_its_own_audit_key(tmp_path):
    """A well-formed audit key of its own lets production start."""
    result = start_production(tmp_path, SHIMTEO_AUDIT_KEY=generate_key())
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


@pytest.mark.parametrize(
    "value, message", [("not-base64!", "not valid base64"), ("c2hvcnQ=", "must decode to 32")]
)
def test_a_malformed_audit_key_is_refused(settings, value, message):
    """A key that is not base64 of 32 bytes is refused, naming what is wrong."""
    settings.SHIMTEO_AUDIT_KEY = value
    with pytest.raises(ImproperlyConfigured, match=message):
        load_audit_key()


def test_the_audit_key_must_differ_from_field_and_backup_keys(settings):
    """Reusing a field key or the backup key as the audit key is refused."""
    keyring = get_keyring()
    settings.SHIMTEO_AUDIT_KEY = base64.b64encode(keyring.primary_key).decode()
    with pytest.raises(ImproperlyConfigured, match="must differ"):
        load_audit_key()
    backup = generate_key()
    settings.SHIMTEO_BACKUP_KEY = backup
    settings.SHIMTEO_AUDIT_KEY = backup
    with pytest.raises(ImproperlyConfigured, match="must differ"):
        load_audit_key()


def test_development_generates_one_audit_key_into_the_key_file(settings, tmp_path):
    """Development adds the audit key to the key file once, next to the field keys, and reuses it."""
    settings.SHIMTEO_DEV_KEY_FILE = tmp_path / "keys"
    settings.SHIMTEO_FIELD_KEYS = ""
    settings.SHIMTEO_INDEX_KEY = ""
    settings.SHIMTEO_AUDIT_KEY = ""
    first = load_audit_key()
    text = settings.SHIMTEO_DEV_KEY_FILE.read_text()

    assert load_audit_key() == first
    assert text.count("SHIMTEO_AUDIT_KEY=") == 1
    assert "SHIMTEO_FIELD_KEYS=" in text
    assert oct(settings.SHIMTEO_DEV_KEY_FILE.stat().st_mode & 0o777) == "0o600"


def test_the_development_key_starts_a_line_of_its_own(settings, tmp_path):
    """A key file without a final newline still gets the audit key on a line of its own."""
    keys = tmp_path / "keys"
    keys.write_text(f"SHIMTEO_FIELD_KEYS=dev1:{generate_key()}\nSHIMTEO_INDEX_KEY={generate_key()}")
    settings.SHIMTEO_DEV_KEY_FILE = keys
    settings.SHIMTEO_FIELD_KEYS = settings.SHIMTEO_INDEX_KEY = settings.SHIMTEO_AUDIT_KEY = ""

    key = load_audit_key()

    lines = keys.read_text().splitlines()
    assert lines[-1] == f"SHIMTEO_AUDIT_KEY={base64.b64encode(key).decode()}"
    assert get_keyring().index_key  # the index key line is intact
