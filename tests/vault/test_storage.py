"""Encrypted file storage: nothing readable on disk, the original bytes back, no public URL."""

import os

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from casework.models import Attachment
from vault.exceptions import DecryptionError, UnknownKeyError, VaultError
from vault.keyring import generate_key
from vault.storage import EncryptedFileSystemStorage

from .conftest import SECRETS

CONTENT = "탈북 경로: 투먼 → 연길. 护照扫描件 🛂".encode() * 200
UPLOAD_NAME = "김순희-passport-scan.pdf"


@pytest.fixture
def stored_name(settings):
    return default_storage.save(f"attachments/{UPLOAD_NAME}", ContentFile(CONTENT))


def on_disk(name: str) -> bytes:
    with open(default_storage.path(name), "rb") as handle:
        return handle.read()


def test_default_storage_encrypts():
    """Uploads go through the encrypted storage unless a field asks for another."""
    assert isinstance(default_storage, EncryptedFileSystemStorage)


def test_the_file_on_disk_holds_no_plaintext_and_not_the_filename(stored_name, settings):
    """Neither the content nor the uploaded name can be read from the media folder."""
    blob = on_disk(stored_name)
    assert CONTENT not in blob
    assert "탈북".encode() not in blob
    assert CONTENT[:32] not in blob
    every_path = [
        os.path.join(folder, name)
        for folder, folders, files in os.walk(settings.MEDIA_ROOT)
        for name in folders + files
    ]
    assert every_path
    for path in every_path:
        assert "passport" not in path
        assert "김순희" not in path
    assert stored_name.endswith(".enc")


def test_reading_back_gives_the_original_bytes(stored_name):
    """Opening a stored file gives exactly the bytes uploaded."""
    with default_storage.open(stored_name) as handle:
        assert handle.read() == CONTENT


def test_a_tampered_file_raises(stored_name):
    """A file with one flipped bit raises instead of handing out altered content."""
    blob = bytearray(on_disk(stored_name))
    blob[-40] ^= 0x01
    with open(default_storage.path(stored_name), "wb") as handle:
        handle.write(blob)
    with pytest.raises(DecryptionError):
        default_storage.open(stored_name)


def test_a_truncated_file_raises(stored_name):
    """A file cut short (a failed copy, a full disk) raises."""
    blob = on_disk(stored_name)
    for length in (5, 17, 40, len(blob) - 1):
        with open(default_storage.path(stored_name), "wb") as handle:
            handle.write(blob[:length])
        with pytest.raises(DecryptionError):
            default_storage.open(stored_name)


def test_a_file_moved_to_another_name_raises(stored_name):
    """A stored file is bound to its name: swapping two files on disk makes both unreadable."""
    other = default_storage.save("attachments/other.pdf", ContentFile(b"another document"))
    first, second = on_disk(stored_name), on_disk(other)
    for name, blob in ((stored_name, second), (other, first)):
        with open(default_storage.path(name), "wb") as handle:
            handle.write(blob)
        with pytest.raises(DecryptionError):
            default_storage.open(name)


def test_a_file_under_a_removed_key_raises(stored_name, settings):
    """A file whose key left the ring raises UnknownKeyError naming the key."""
    settings.SHIMTEO_FIELD_KEYS = f"k9:{generate_key()}"
    with pytest.raises(UnknownKeyError, match="'k1'"):
        default_storage.open(stored_name)


def test_url_is_refused(stored_name):
    """No file has a public URL; downloads go through an audited view."""
    with pytest.raises(VaultError, match="no public URL"):
        default_storage.url(stored_name)


def test_files_cannot_be_opened_for_writing(stored_name):
    """Writing in place would bypass encryption, so it is refused."""
    for mode in ("wb", "ab", "r+b"):
        with pytest.raises(VaultError):
            default_storage.open(stored_name, mode)


def test_an_attachment_reads_back_through_its_field(recorded_person):
    """An attachment's file reads back as uploaded, while its name on disk is random."""
    attachment = Attachment.objects.get(person=recorded_person)
    with attachment.file.open() as handle:
        assert handle.read() == SECRETS["file_content"].encode()
    assert SECRETS["file_content"].encode() not in on_disk(attachment.file.name)
    assert "passport" not in attachment.file.name
    assert attachment.original_name == SECRETS["attachment_name"]
