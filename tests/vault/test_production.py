"""Production refuses to start without well-formed keys, and says which setting to fix."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from vault.keyring import generate_key, parse_keyring

from ..signing_keys import signing_environment

ROOT = Path(__file__).resolve().parents[2]
SETUP = "import django; django.setup(); print('started')"


def start(tmp_path, **env_vars) -> subprocess.CompletedProcess:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("SHIMTEO_", "DJANGO_", "SECRET_KEY"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        SHIMTEO_ENV="production",
        SECRET_KEY="p" * 60,
        SHIMTEO_DEV_KEY_FILE=str(tmp_path / "dev-keys"),
        **signing_environment(tmp_path),
        **env_vars,
    )
    return subprocess.run(
        [sys.executable, "-c", SETUP],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_without_field_keys_does_not_start(tmp_path):
    """No SHIMTEO_FIELD_KEYS: the process exits with an error naming it, and makes no key file."""
    result = start(tmp_path, SHIMTEO_INDEX_KEY=generate_key())
    assert result.returncode != 0
    assert "SHIMTEO_FIELD_KEYS" in result.stderr
    assert "started" not in result.stdout
    assert not (tmp_path / "dev-keys").exists()


def test_production_without_any_key_does_not_start(tmp_path):
    """Neither key set: refused, naming the command that generates them."""
    result = start(tmp_path)
    assert result.returncode != 0
    assert "SHIMTEO_FIELD_KEYS" in result.stderr
    assert "generate_encryption_key" in result.stderr
    assert not (tmp_path / "dev-keys").exists()


MALFORMED_FIELD_KEYS = [
    ("k1:not-base64!", "SHIMTEO_FIELD_KEYS key 'k1' is not valid base64"),
    ("no-colon-" + generate_key(), "Each SHIMTEO_FIELD_KEYS entry must be `id:base64key`"),
    ("k1:" + generate_key()[:24], "SHIMTEO_FIELD_KEYS key 'k1' must decode to 32 bytes"),
    ("bad id:" + generate_key(), "Each SHIMTEO_FIELD_KEYS entry"),
    (f"k1:{generate_key()},k1:{generate_key()}", "names key id 'k1' twice"),
    (" , ", "SHIMTEO_FIELD_KEYS is empty"),
]


@pytest.mark.parametrize(
    ("field_keys", "message"),
    MALFORMED_FIELD_KEYS,
    ids=["not-base64", "no-id", "short-key", "bad-id", "duplicate-id", "empty-entries"],
)
def test_malformed_field_keys_are_refused(field_keys, message):
    """Every kind of malformed key ring is refused with a message naming SHIMTEO_FIELD_KEYS."""
    with pytest.raises(ImproperlyConfigured, match=re.escape(message)):
        parse_keyring(field_keys, generate_key())


def test_production_with_malformed_field_keys_does_not_start(tmp_path):
    """A malformed key ring stops the process at start-up, naming SHIMTEO_FIELD_KEYS."""
    field_keys, message = MALFORMED_FIELD_KEYS[0]
    result = start(tmp_path, SHIMTEO_FIELD_KEYS=field_keys, SHIMTEO_INDEX_KEY=generate_key())
    assert result.returncode != 0
    assert message in result.stderr
    assert "started" not in result.stdout


def test_a_malformed_index_key_is_refused():
    """A short index key is refused, naming SHIMTEO_INDEX_KEY."""
    with pytest.raises(ImproperlyConfigured, match="SHIMTEO_INDEX_KEY must decode to 32 bytes"):
        parse_keyring(f"k1:{generate_key()}", "c2hvcnQ=")


def test_production_with_good_keys_starts(tmp_path):
    """Well-formed keys (two field keys, an index key) let the application start."""
    result = start(
        tmp_path,
        SHIMTEO_FIELD_KEYS=f"k2:{generate_key()},k1:{generate_key()}",
        SHIMTEO_INDEX_KEY=generate_key(),
        SHIMTEO_AUDIT_KEY=generate_key(),
    )
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout
    assert not (tmp_path / "dev-keys").exists()


def test_production_with_a_key_used_twice_does_not_start(tmp_path):
    """The backup key equal to the index key: refused at start-up, naming both settings."""
    index_key = generate_key()
    result = start(
        tmp_path,
        SHIMTEO_FIELD_KEYS=f"k1:{generate_key()}",
        SHIMTEO_INDEX_KEY=index_key,
        SHIMTEO_BACKUP_KEY=index_key,
    )
    assert result.returncode != 0
    assert "SHIMTEO_BACKUP_KEY is the same key as SHIMTEO_INDEX_KEY" in result.stderr
    assert "started" not in result.stdout
