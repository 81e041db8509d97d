"""
The keyring: field keys by id (the first is primary), the blind-index key and, while the index
key is being rotated, the retired index keys whose digests may still be stored.

Keys come from `SHIMTEO_FIELD_KEYS` (`id:base64key,id:base64key`), `SHIMTEO_INDEX_KEY` (base64)
and `SHIMTEO_OLD_INDEX_KEYS` (comma-separated base64, usually empty).
They are independent of SECRET_KEY. In development, missing keys are generated once into a
git-ignored file; in production, missing or malformed keys stop the application.
"""

import base64
import binascii
import contextlib
import functools
import logging
import os
import re
import secrets
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)

KEY_BYTES = 32
KEY_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


@dataclass(frozen=True)
class Keyring:
    field_keys: dict[str, bytes]
    primary_key_id: str
    index_key: bytes
    # Index keys being rotated away from: searches also match their digests until
    # `manage.py reindex_blind_indexes` has recomputed every stored one with `index_key`.
    old_index_keys: tuple[bytes, ...] = ()

    @property
    def index_keys(self) -> tuple[bytes, ...]:
        """The current index key first, then the old ones."""
        return (self.index_key, *self.old_index_keys)

    @property
    def primary_key(self) -> bytes:
        return self.field_keys[self.primary_key_id]

    @cached_property
    def ciphers(self) -> dict[str, AESGCM]:
        # Made once per key: setting up AES-GCM's key schedule costs as much as sealing a value.
        return {key_id: AESGCM(key) for key_id, key in self.field_keys.items()}


def generate_key() -> str:
    return base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()


def _decode_key(encoded: str, what: str) -> bytes:
    try:
        key = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ImproperlyConfigured(f"{what} is not valid base64.") from exc
    if len(key) != KEY_BYTES:
        raise ImproperlyConfigured(f"{what} must decode to {KEY_BYTES} bytes, not {len(key)}.")
    return key


def parse_keyring(field_keys: str, index_key: str, old_index_keys: str = "") -> Keyring:
    """Build a keyring from the environment strings, refusing anything malformed."""
    entries = [entry.strip() for entry in field_keys.split(",") if entry.strip()]
    if not entries:
        raise ImproperlyConfigured("SHIMTEO_FIELD_KEYS is empty: set at least one `id:base64key`.")
    keys: dict[str, bytes] = {}
    for entry in entries:
        key_id, sep, encoded = entry.partition(":")
        if not sep or not KEY_ID_PATTERN.match(key_id):
            raise ImproperlyConfigured(
                "Each SHIMTEO_FIELD_KEYS entry must be `id:base64key` with an id of letters, "
                "digits, '-' or '_'."
            )
        if key_id in keys:
            raise ImproperlyConfigured(f"SHIMTEO_FIELD_KEYS names key id {key_id!r} twice.")
        keys[key_id] = _decode_key(encoded, f"SHIMTEO_FIELD_KEYS key {key_id!r}")
    if not index_key.strip():
        raise ImproperlyConfigured("SHIMTEO_INDEX_KEY is empty: set a base64 32-byte key.")
    current_index_key = _decode_key(index_key, "SHIMTEO_INDEX_KEY")
    old = tuple(
        _decode_key(encoded, f"SHIMTEO_OLD_INDEX_KEYS entry {position}")
        for position, encoded in enumerate(
            (entry for entry in old_index_keys.split(",") if entry.strip()), start=1
        )
    )
    if current_index_key in old:
        raise ImproperlyConfigured("SHIMTEO_OLD_INDEX_KEYS repeats SHIMTEO_INDEX_KEY.")
    if current_index_key in keys.values() or any(key in keys.values() for key in old):
        raise ImproperlyConfigured(
            "A blind-index key must not also be a field key: one stolen key would open both."
        )
    return Keyring(
        field_keys=keys,
        primary_key_id=entries[0].partition(":")[0],
        index_key=current_index_key,
        old_index_keys=old,
    )


def _development_keys(path: Path) -> tuple[str, str]:
    """Read, or create once, the development key file (`NAME=value` lines)."""
    if not path.exists():
        path.write_text(
            "# Development keys for Shimteo. Never use them for real data.\n"
            f"SHIMTEO_FIELD_KEYS=dev1:{generate_key()}\n"
            f"SHIMTEO_INDEX_KEY={generate_key()}\n"
        )
        os.chmod(path, 0o600)
        logger.warning("Generated development encryption keys in %s.", path)
    values = {}
    for line in path.read_text().splitlines():
        name, sep, value = line.partition("=")
        if sep and not name.startswith("#"):
            values[name.strip()] = value.strip()
    return values.get("SHIMTEO_FIELD_KEYS", ""), values.get("SHIMTEO_INDEX_KEY", "")


def load_keyring() -> Keyring:
    field_keys, index_key = settings.SHIMTEO_FIELD_KEYS, settings.SHIMTEO_INDEX_KEY
    if not (field_keys and index_key):
        if settings.SHIMTEO_ENV == "production":
            raise ImproperlyConfigured(
                "SHIMTEO_ENV=production needs SHIMTEO_FIELD_KEYS and SHIMTEO_INDEX_KEY; "
                "generate them with `manage.py generate_encryption_key`."
            )
        logger.warning(
            "SHIMTEO_FIELD_KEYS/SHIMTEO_INDEX_KEY are not set: using development keys from %s.",
            settings.SHIMTEO_DEV_KEY_FILE,
        )
        dev_field_keys, dev_index_key = _development_keys(Path(settings.SHIMTEO_DEV_KEY_FILE))
        field_keys, index_key = field_keys or dev_field_keys, index_key or dev_index_key
    return parse_keyring(field_keys, index_key, settings.SHIMTEO_OLD_INDEX_KEYS)


def refuse_shared_keys(keyring: Keyring, *, backup_key: str, secret_key: str) -> None:
    """
    Production's secrets must all differ: the field keys, the index keys, the backup key and
    SECRET_KEY. One leaked value must not open the data, its search index and its backups, nor
    may a secret Django signs cookies with double as an encryption key.
    """
    named = [
        (f"SHIMTEO_FIELD_KEYS key {key_id!r}", key) for key_id, key in keyring.field_keys.items()
    ]
    named.append(("SHIMTEO_INDEX_KEY", keyring.index_key))
    named += [
        (f"SHIMTEO_OLD_INDEX_KEYS entry {position}", key)
        for position, key in enumerate(keyring.old_index_keys, start=1)
    ]
    if backup_key.strip():
        # A malformed one is refused by ops.backup.load_backup_key when a backup is made.
        with contextlib.suppress(binascii.Error, ValueError):
            decoded = base64.b64decode(backup_key.strip(), validate=True)
            named.append(("SHIMTEO_BACKUP_KEY", decoded))
    seen: dict[bytes, str] = {}
    for name, key in named:
        if key in seen:
            raise ImproperlyConfigured(f"{name} is the same key as {seen[key]}: give each its own.")
        seen[key] = name
        encoded = base64.b64encode(key).decode()
        if key in secret_key.encode() or encoded.rstrip("=") in secret_key:
            raise ImproperlyConfigured(f"SECRET_KEY contains {name}: give each its own.")


@functools.cache
def get_keyring() -> Keyring:
    return load_keyring()


def reset_keyring() -> None:
    """Forget the loaded keyring, so changed settings take effect (rotation, tests)."""
    get_keyring.cache_clear()
    from .blind_index import derive_index_key

    derive_index_key.cache_clear()
