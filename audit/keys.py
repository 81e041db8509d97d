"""
The audit key: the HMAC key that links audit events and signs checkpoints of the chain's head.

It lives outside the database (`SHIMTEO_AUDIT_KEY`, base64 of 32 bytes), so someone who can write
the audit table cannot recompute a valid chain after changing, adding or removing events. It is
separate from the field, index and backup keys and from SECRET_KEY: one leaked secret must not
both open the data and let its trail be rewritten. Development generates one into the same
git-ignored file as the field keys; production refuses to start without a well-formed, distinct
key (checked in `AuditConfig.ready`).

Event links and checkpoint signatures use subkeys derived with different labels, so a signature
can never be passed off as an event's hash, or the reverse.
"""

import base64
import binascii
import contextlib
import fcntl
import functools
import hashlib
import hmac
import logging
import os
import secrets
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)

KEY_BYTES = 32
SETTING = "SHIMTEO_AUDIT_KEY"
EVENT_LABEL = b"shimteo audit event link v2"
CHECKPOINT_LABEL = b"shimteo audit checkpoint v1"


def _decode(encoded: str) -> bytes:
    try:
        key = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError) as error:
        raise ImproperlyConfigured(f"{SETTING} is not valid base64.") from error
    if len(key) != KEY_BYTES:
        raise ImproperlyConfigured(f"{SETTING} must decode to {KEY_BYTES} bytes, not {len(key)}.")
    return key


def _development_key(path: Path) -> str:
    """The audit key line of the development key file, added once (under a lock) if missing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(descriptor, "r+") as handle:
        # Two processes starting at once must not each append a different key.
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        content = handle.read()
        for line in content.splitlines():
            name, sep, value = line.partition("=")
            if sep and name.strip() == SETTING and value.strip():
                return value.strip()
        encoded = base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()
        # A hand-edited file may lack its last newline: the key must start a line of its own.
        separator = "\n" if content and not content.endswith("\n") else ""
        handle.write(f"{separator}{SETTING}={encoded}\n")
        logger.warning("Generated a development audit key in %s.", path)
        return encoded


def _other_keys() -> list[bytes]:
    """The other secrets the audit key must differ from, as far as they are configured."""
    from vault.keyring import get_keyring

    keyring = get_keyring()
    others = [*keyring.field_keys.values(), *keyring.index_keys]
    for encoded in (settings.SHIMTEO_BACKUP_KEY, settings.SECRET_KEY):
        if not encoded:
            continue
        others.append(encoded.encode())
        # Not base64: compared as text above only.
        with contextlib.suppress(binascii.Error, ValueError):
            others.append(base64.b64decode(encoded.strip(), validate=True))
    return others


def load_audit_key() -> bytes:
    encoded = getattr(settings, SETTING, "")
    if not encoded:
        if settings.SHIMTEO_ENV == "production":
            raise ImproperlyConfigured(
                f"SHIMTEO_ENV=production needs {SETTING} (base64 of 32 random bytes, different "
                "from every other key): it keys the audit chain and signs its checkpoints."
            )
        # The keyring first: in development it creates the key file with the field keys.
        from vault.keyring import get_keyring

        get_keyring()
        encoded = _development_key(Path(settings.SHIMTEO_DEV_KEY_FILE))
    key = _decode(encoded)
    if key in _other_keys() or encoded.strip().encode() in _other_keys():
        raise ImproperlyConfigured(
            f"{SETTING} must differ from the field, index and backup keys and from SECRET_KEY."
        )
    return key


@functools.cache
def get_audit_key() -> bytes:
    return load_audit_key()


def _subkey(label: bytes) -> bytes:
    return hmac.new(get_audit_key(), label, hashlib.sha256).digest()


@functools.cache
def event_key() -> bytes:
    return _subkey(EVENT_LABEL)


@functools.cache
def checkpoint_key() -> bytes:
    return _subkey(CHECKPOINT_LABEL)


def reset_audit_key() -> None:
    """Forget the loaded key, so changed settings take effect (tests)."""
    get_audit_key.cache_clear()
    event_key.cache_clear()
    checkpoint_key.cache_clear()
