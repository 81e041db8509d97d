"""
The encrypted backup archive: a file format, with no knowledge of databases.

    header  = MAGIC || version (1 byte) || salt (16 bytes) || key check (16 bytes)
    body    = chunk*, each: length (4 bytes, big-endian) || AES-256-GCM ciphertext and tag

Each archive encrypts with its own key, derived from the backup key and the archive's random salt
(HKDF-SHA256), so nonces never repeat across archives. Chunk i has the nonce
`i (11 bytes) || last (1 byte)` and the header as associated data: a chunk that was altered,
moved, dropped, or taken from another archive does not decrypt, and neither does an archive cut
after any chunk but the one marked last. The key check tells a wrong key from a damaged file.

The plaintext inside is a sequence of named entries, each streamed as length-prefixed blocks:

    entry   = b"F" || name length (2 bytes) || name (UTF-8) || block* || 0 (4 bytes)
    block   = length (4 bytes) || bytes
    end     = b"E"
"""

import hashlib
import hmac
import secrets
import struct
from collections.abc import Iterable, Iterator

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"SHIMTEO-BACKUP\n"
VERSION = 1
SALT_BYTES = 16
CHECK_BYTES = 16
HEADER_BYTES = len(MAGIC) + 1 + SALT_BYTES + CHECK_BYTES
CHUNK_BYTES = 1024 * 1024
TAG_BYTES = 16
LENGTH = struct.Struct(">I")
NAME_LENGTH = struct.Struct(">H")
ENTRY, END = b"F", b"E"


class ArchiveError(Exception):
    """The archive cannot be read: not a backup, the wrong key, or altered."""


class WrongKeyError(ArchiveError):
    pass


def _stream_key(backup_key: bytes, salt: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=salt, info=b"shimteo backup v1 stream"
    ).derive(backup_key)


def _key_check(backup_key: bytes, salt: bytes) -> bytes:
    return hmac.new(backup_key, b"shimteo backup v1 key check" + salt, hashlib.sha256).digest()[
        :CHECK_BYTES
    ]


def _nonce(index: int, last: bool) -> bytes:
    return index.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


class _EncryptingWriter:
    """Buffers plaintext and writes it out as sealed chunks of CHUNK_BYTES."""

    def __init__(self, output, backup_key: bytes):
        salt = secrets.token_bytes(SALT_BYTES)
        self.header = MAGIC + bytes([VERSION]) + salt + _key_check(backup_key, salt)
        self.aead = AESGCM(_stream_key(backup_key, salt))
        self.output = output
        self.buffer = bytearray()
        self.index = 0
        output.write(self.header)

    def write(self, data: bytes) -> None:
        self.buffer += data
        while len(self.buffer) > CHUNK_BYTES:
            # Strictly more than a chunk: the last chunk is only ever written by close().
            self._seal(bytes(self.buffer[:CHUNK_BYTES]), last=False)
            del self.buffer[:CHUNK_BYTES]

    def close(self) -> None:
        self._seal(bytes(self.buffer), last=True)
        self.buffer.clear()

    def _seal(self, plaintext: bytes, *, last: bool) -> None:
        sealed = self.aead.encrypt(_nonce(self.index, last), plaintext, self.header)
        self.output.write(LENGTH.pack(len(sealed)) + sealed)
        self.index += 1


class ArchiveWriter:
    """Writes named entries into an encrypted archive; `close()` seals its end."""

    def __init__(self, output, backup_key: bytes):
        self._writer = _EncryptingWriter(output, backup_key)

    def add(self, name: str, blocks: Iterable[bytes]) -> int:
        """Add an entry from an iterable of byte blocks; returns its size."""
        encoded = name.encode()
        self._writer.write(ENTRY + NAME_LENGTH.pack(len(encoded)) + encoded)
        size = 0
        for block in blocks:
            if block:
                self._writer.write(LENGTH.pack(len(block)) + block)
                size += len(block)
        self._writer.write(LENGTH.pack(0))
        return size

    def close(self) -> None:
        self._writer.write(END)
        self._writer.close()


def _read_exactly(handle, size: int) -> bytes:
    data = handle.read(size)
    if len(data) != size:
        raise ArchiveError("The backup is truncated.")
    return data


def _decrypted_chunks(handle, backup_key: bytes) -> Iterator[bytes]:
    header = handle.read(HEADER_BYTES)
    if len(header) < HEADER_BYTES or not header.startswith(MAGIC):
        raise ArchiveError("This file is not a Shimteo backup.")
    if header[len(MAGIC)] != VERSION:
        raise ArchiveError(f"Backup format version {header[len(MAGIC)]} is not supported.")
    salt = header[len(MAGIC) + 1 : len(MAGIC) + 1 + SALT_BYTES]
    if not hmac.compare_digest(header[-CHECK_BYTES:], _key_check(backup_key, salt)):
        raise WrongKeyError(
            "This backup was made with another backup key (SHIMTEO_BACKUP_KEY), or its header "
            "was altered."
        )
    aead = AESGCM(_stream_key(backup_key, salt))
    index = 0
    prefix = handle.read(LENGTH.size)
    while True:
        if len(prefix) != LENGTH.size:
            raise ArchiveError("The backup is truncated: its last part is missing.")
        (size,) = LENGTH.unpack(prefix)
        if size < TAG_BYTES or size > CHUNK_BYTES + TAG_BYTES:
            raise ArchiveError("The backup is damaged (impossible chunk size).")
        sealed = _read_exactly(handle, size)
        prefix = handle.read(LENGTH.size)
        last = not prefix
        try:
            yield aead.decrypt(_nonce(index, last), sealed, header)
        except InvalidTag as error:
            raise ArchiveError(
                f"The backup failed authentication at chunk {index}: it was altered or cut short."
            ) from error
        if last:
            return
        index += 1


class _PlainStream:
    """The decrypted plaintext, read by exact sizes (an offset into the buffer, no copying)."""

    def __init__(self, chunks: Iterator[bytes]):
        self.chunks = chunks
        self.buffer = b""
        self.position = 0

    def read(self, size: int) -> bytes:
        while len(self.buffer) - self.position < size:
            try:
                chunk = next(self.chunks)
            except StopIteration:
                raise ArchiveError("The backup ends in the middle of an entry.") from None
            self.buffer = self.buffer[self.position :] + chunk
            self.position = 0
        data = self.buffer[self.position : self.position + size]
        self.position += size
        return data

    def at_end(self) -> bool:
        rest = len(self.buffer) - self.position
        for chunk in self.chunks:
            rest += len(chunk)
        return rest == 0


def read_entries(handle, backup_key: bytes) -> Iterator[tuple[str, Iterator[bytes]]]:
    """
    Yield (name, blocks) for each entry; each entry's blocks must be consumed (or drained) before
    the next entry is read. Everything is authenticated as it is read: an error is raised at the
    first altered byte, so callers that must not act on an altered archive read it twice.
    """
    stream = _PlainStream(_decrypted_chunks(handle, backup_key))
    while True:
        kind = stream.read(1)
        if kind == END:
            if not stream.at_end():
                raise ArchiveError("The backup has data after its end marker.")
            return
        if kind != ENTRY:
            raise ArchiveError("The backup is damaged (unknown entry).")
        (name_length,) = NAME_LENGTH.unpack(stream.read(NAME_LENGTH.size))
        name = stream.read(name_length).decode()
        blocks = _blocks(stream)
        yield name, blocks
        for _ in blocks:  # drain what the caller left unread
            pass


def _blocks(stream: _PlainStream) -> Iterator[bytes]:
    while True:
        (size,) = LENGTH.unpack(stream.read(LENGTH.size))
        if size == 0:
            return
        yield stream.read(size)
