"""
AES-256-GCM for single values and whole files.

A value is stored as text `v1:<key-id>:<base64(nonce || ciphertext || tag)>`, with a fresh
96-bit nonce and associated data that names where the value belongs, so a ciphertext copied
to another row or column does not decrypt.
"""

import binascii
import secrets

from cryptography.exceptions import InvalidTag

from .exceptions import DecryptionError, UnknownKeyError
from .keyring import Keyring, get_keyring

VERSION = "v1"
NONCE_BYTES = 12
TAG_BYTES = 16
FILE_MAGIC = b"SHIMTEO-FILE-v1\n"


def encrypt(plaintext: bytes, associated_data: bytes, keyring: Keyring | None = None) -> str:
    keyring = keyring or get_keyring()
    key_id = keyring.primary_key_id
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = keyring.ciphers[key_id].encrypt(nonce, plaintext, associated_data)
    return f"{VERSION}:{key_id}:{binascii.b2a_base64(nonce + sealed, newline=False).decode()}"


def token_key_id(token: str) -> str:
    """The key id a stored value was encrypted with, read without decrypting it."""
    version, sep, rest = token.partition(":")
    key_id, sep2, _ = rest.partition(":")
    if version != VERSION or not sep or not sep2:
        raise DecryptionError("The stored value is not a Shimteo ciphertext.")
    return key_id


def decrypt(token: str, associated_data: bytes, keyring: Keyring | None = None) -> bytes:
    keyring = keyring or get_keyring()
    key_id = token_key_id(token)
    cipher = keyring.ciphers.get(key_id)
    if cipher is None:
        raise UnknownKeyError(
            f"The value was encrypted with key {key_id!r}, which is not in SHIMTEO_FIELD_KEYS."
        )
    try:
        raw = binascii.a2b_base64(token.rsplit(":", 1)[1], strict_mode=True)
    except (binascii.Error, ValueError) as exc:
        raise DecryptionError("The stored value is corrupt (not base64).") from exc
    if len(raw) < NONCE_BYTES + TAG_BYTES:
        raise DecryptionError("The stored value is corrupt (too short to be a ciphertext).")
    try:
        return cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], associated_data)
    except InvalidTag as exc:
        raise DecryptionError(
            "The stored value failed authentication: it was altered, moved from another record, "
            f"or key {key_id!r} is not the key it was encrypted with."
        ) from exc


def encrypt_file(plaintext: bytes, associated_data: bytes, keyring: Keyring | None = None) -> bytes:
    keyring = keyring or get_keyring()
    key_id = keyring.primary_key_id.encode()
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = keyring.ciphers[keyring.primary_key_id].encrypt(nonce, plaintext, associated_data)
    return FILE_MAGIC + bytes([len(key_id)]) + key_id + nonce + sealed


def file_key_id(blob: bytes) -> str:
    if not blob.startswith(FILE_MAGIC):
        raise DecryptionError("The stored file is not a Shimteo encrypted file.")
    start = len(FILE_MAGIC) + 1
    if len(blob) < start or len(blob) < start + blob[start - 1]:
        raise DecryptionError("The stored file is corrupt (truncated header).")
    try:
        return blob[start : start + blob[start - 1]].decode("ascii")
    except UnicodeDecodeError as exc:
        raise DecryptionError("The stored file is corrupt (unreadable key id).") from exc


def decrypt_file(blob: bytes, associated_data: bytes, keyring: Keyring | None = None) -> bytes:
    keyring = keyring or get_keyring()
    key_id = file_key_id(blob)
    cipher = keyring.ciphers.get(key_id)
    if cipher is None:
        raise UnknownKeyError(
            f"The file was encrypted with key {key_id!r}, which is not in the ring."
        )
    start = len(FILE_MAGIC) + 1 + len(key_id.encode())
    nonce, sealed = blob[start : start + NONCE_BYTES], blob[start + NONCE_BYTES :]
    if len(nonce) < NONCE_BYTES or len(sealed) < TAG_BYTES:
        raise DecryptionError("The stored file is corrupt (too short to be a ciphertext).")
    try:
        return cipher.decrypt(nonce, sealed, associated_data)
    except InvalidTag as exc:
        raise DecryptionError(
            "The stored file failed authentication: altered or wrong key."
        ) from exc
