"""File storage that encrypts every file at rest and never exposes a URL to it."""

import os
import uuid
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage

from . import crypto
from .exceptions import VaultError


def file_associated_data(name: str) -> bytes:
    return f"vault.file:{name}".encode()


class EncryptedFileSystemStorage(FileSystemStorage):
    """
    Files are AES-256-GCM encrypted, bound to their storage name, and stored under random
    names so that neither content nor the uploaded filename is readable on disk. They are
    served only by views that check access and audit the download.
    """

    def generate_filename(self, filename):
        folder = PurePosixPath(filename).parent
        return super().generate_filename(str(folder / f"{uuid.uuid4().hex}.enc"))

    def _save(self, name, content):
        content.seek(0)
        blob = crypto.encrypt_file(content.read(), file_associated_data(name))
        saved = super()._save(name, ContentFile(blob))
        if saved != name:
            self.delete(saved)
            raise VaultError("An encrypted file was stored under another name than it was bound to.")
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

    def replace_raw(self, name, blob: bytes) -> None:
        """Atomically swap a file's stored bytes (used by key rotation)."""
        path = self.path(name)
        temporary = f"{path}.rotating"
        with open(temporary, "wb") as handle:
            handle.write(blob)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)

    def url(self, name):
        raise VaultError("Encrypted files have no public URL; serve them through an audited view.")
