"""File storage that encrypts every file at rest and never exposes a URL to it."""

import os
import re
import stat
import tempfile
import uuid
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage

from . import crypto
from .exceptions import VaultError

RANDOM_NAME = re.compile(r"^[0-9a-f]{32}\.enc$")


def file_associated_data(name: str) -> bytes:
    return f"vault.file:{name}".encode()


def random_name(name: str) -> str:
    """The same folder, with a random file name that says nothing about the file."""
    return str(PurePosixPath(name).parent / f"{uuid.uuid4().hex}.enc")


class EncryptedFileSystemStorage(FileSystemStorage):
    """
    Files are AES-256-GCM encrypted, bound to their storage name, and stored under random
    names so that neither content nor the uploaded filename is readable on disk. They are
    served only by views that check access and audit the download.
    """

    def generate_filename(self, filename):
        return super().generate_filename(random_name(filename))

    def get_available_name(self, name, max_length=None):
        # storage.save() called directly skips generate_filename(); the name is randomised here
        # too, so no caller can leave a person's name or a document's title on disk.
        if not RANDOM_NAME.match(PurePosixPath(name).name):
            name = random_name(name)
        return super().get_available_name(name, max_length=max_length)

    def _save(self, name, content):
        content.seek(0)
        blob = crypto.encrypt_file(content.read(), file_associated_data(name))
        saved = super()._save(name, ContentFile(blob))
        if saved != name:
            self.delete(saved)
            raise VaultError(
                "An encrypted file was stored under another name than it was bound to."
            )
        return saved

    def _open(self, name, mode="rb"):
        if "w" in mode or "a" in mode or "+" in mode:
            raise VaultError("Encrypted files are written only through save().")
        with super()._open(name, "rb") as handle:
            blob = handle.read()
        return ContentFile(crypto.decrypt_file(blob, file_associated_data(name)), name=name)

    def read_raw(self, name) -> bytes:
        with open(self.path(name), "rb") as handle:
            return handle.read()

    def read_header(self, name) -> bytes:
        """The first bytes of a stored file, enough to read its key id without decrypting."""
        with open(self.path(name), "rb") as handle:
            return handle.read(len(crypto.FILE_MAGIC) + 1 + 255)

    def replace_raw(self, name, blob: bytes) -> None:
        """Atomically swap a file's stored bytes (used by key rotation)."""
        path = self.path(name)
        folder = os.path.dirname(path)
        # A unique temporary name, so two rotations running at once cannot interleave writes.
        descriptor, temporary = tempfile.mkstemp(dir=folder, suffix=".rotating")
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(blob)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temporary, stat.S_IMODE(os.stat(path).st_mode))
            os.replace(temporary, path)
        except BaseException:
            if os.path.exists(temporary):
                os.remove(temporary)
            raise

    def url(self, name):
        raise VaultError("Encrypted files have no public URL; serve them through an audited view.")
