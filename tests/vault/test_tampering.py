"""A value that was altered, moved or is read with the wrong key raises; it never reads as garbage."""

import base64

import pytest

from casework.models import Person
from tests.factories import PersonFactory
from vault.exceptions import DecryptionError, UnknownKeyError
from vault.keyring import generate_key

from .conftest import raw_column, write_raw_column


def flip_byte(token: str, position: int) -> str:
    prefix, payload = token.rsplit(":", 1)
    raw = bytearray(base64.b64decode(payload))
    raw[position] ^= 0x01
    return f"{prefix}:{base64.b64encode(bytes(raw)).decode()}"


@pytest.mark.parametrize("position", [0, 12, -1], ids=["nonce", "ciphertext", "tag"])
def test_a_flipped_byte_raises(db, position):
    """One flipped bit anywhere in the stored value makes reading the field raise."""
    person = PersonFactory(full_name="김순희")
    write_raw_column(
        Person,
        "full_name",
        person.pk,
        flip_byte(raw_column(Person, "full_name", person.pk), position),
    )
    stored = Person.objects.get(pk=person.pk)
    with pytest.raises(DecryptionError, match="failed authentication"):
        stored.full_name  # noqa: B018


@pytest.mark.parametrize(
    "stored",
    ["김순희", "", "v1:k1:not base64!", "v1:k1:", "v2:k1:AAAA", "v1:k1:" + "A" * 8],
    ids=["plaintext", "empty", "not-base64", "no-payload", "unknown-version", "truncated"],
)
def test_a_value_that_is_not_our_ciphertext_raises(db, stored):
    """Plaintext or junk written straight into the column raises instead of being shown."""
    person = PersonFactory()
    write_raw_column(Person, "contact", person.pk, stored)
    with pytest.raises(DecryptionError):
        Person.objects.get(pk=person.pk).contact  # noqa: B018


def test_a_tampered_value_is_never_read_as_none_by_other_paths(db):
    """refresh_from_db() and a fresh query raise too; no path turns the failure into None."""
    person = PersonFactory(notes="secret")
    write_raw_column(
        Person, "notes", person.pk, flip_byte(raw_column(Person, "notes", person.pk), 20)
    )
    # refresh_from_db() reads every attribute of the fresh copy, so it decrypts, and raises, at once.
    with pytest.raises(DecryptionError):
        person.refresh_from_db()
    with pytest.raises(DecryptionError):
        [p.notes for p in Person.objects.all()]


def test_the_wrong_key_under_the_same_id_raises_a_clear_error(db, settings):
    """A ring whose key `k1` is another key cannot read, and says which key id to check."""
    person = PersonFactory(full_name="김순희")
    settings.SHIMTEO_FIELD_KEYS = f"k1:{generate_key()}"
    stored = Person.objects.get(pk=person.pk)
    with pytest.raises(DecryptionError, match=r"key 'k1' is not the key it was encrypted with"):
        stored.full_name  # noqa: B018


def test_an_unknown_key_id_raises_unknown_key_error(db, settings):
    """A value under a key id missing from the ring names that id and the setting to fix."""
    person = PersonFactory(full_name="김순희")
    settings.SHIMTEO_FIELD_KEYS = f"k2:{generate_key()}"
    stored = Person.objects.get(pk=person.pk)
    with pytest.raises(UnknownKeyError, match=r"key 'k1'.*SHIMTEO_FIELD_KEYS"):
        stored.full_name  # noqa: B018


def test_ciphertext_copied_to_another_row_raises(db):
    """A name copied with raw SQL onto another person does not decrypt there."""
    source, target = PersonFactory(full_name="김순희"), PersonFactory(full_name="박영희")
    write_raw_column(Person, "full_name", target.pk, raw_column(Person, "full_name", source.pk))
    with pytest.raises(DecryptionError):
        Person.objects.get(pk=target.pk).full_name  # noqa: B018
    assert Person.objects.get(pk=source.pk).full_name == "김순희"


def test_ciphertext_copied_to_another_column_raises(db):
    """A name copied with raw SQL into the same person's contact column does not decrypt there."""
    person = PersonFactory(full_name="김순희", contact="+86 138 0000 0001")
    write_raw_column(Person, "contact", person.pk, raw_column(Person, "full_name", person.pk))
    stored = Person.objects.get(pk=person.pk)
    with pytest.raises(DecryptionError):
        stored.contact  # noqa: B018
    assert stored.full_name == "김순희"
