"""
Key rotation: re-encrypt, with the primary key, every encrypted column value and every encrypted
file that is still under another key of the ring.

Rows are walked in primary-key order in batches, reading only ciphertext (no decryption) to find
what is stale. Each batch with stale values is then locked (`SELECT ... FOR UPDATE`), re-read and
rewritten in one short transaction, so a value the application wrote meanwhile is never overwritten
with an older one. A run only touches what is still under old keys, so it can be interrupted and
re-run. Once the new primary key is deployed, application saves re-encrypt stale values too
(see `EncryptedFieldMixin.pre_save`), so no write brings an old key back.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field

from django.apps import apps
from django.db import models, router, transaction

from . import crypto
from .exceptions import DecryptionError
from .fields import EncryptedFieldMixin, Sealed, encrypted_fields
from .keyring import Keyring, get_keyring
from .storage import EncryptedFileSystemStorage, file_associated_data

DEFAULT_BATCH_SIZE = 500


@dataclass
class Failure:
    """A value or file that could not be rotated; the message never holds plaintext."""

    where: str
    pk: object
    message: str


@dataclass
class RotationReport:
    """What a run did: rotated counts per `app_label.Model.field`, and what it could not do."""

    columns: dict[str, int] = field(default_factory=dict)
    files: dict[str, int] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)

    @property
    def rotated(self) -> int:
        return sum(self.columns.values()) + sum(self.files.values())


def _label(model, model_field) -> str:
    return f"{model._meta.label}.{model_field.name}"


def _own_encrypted_fields(model) -> list[EncryptedFieldMixin]:
    # With multi-table inheritance a parent's fields are rotated through the parent model.
    own = set(model._meta.local_concrete_fields)
    return [f for f in encrypted_fields(model) if f in own]


def encrypted_file_fields(model) -> list[models.FileField]:
    return [
        f
        for f in model._meta.local_concrete_fields
        if isinstance(f, models.FileField) and isinstance(f.storage, EncryptedFileSystemStorage)
    ]


def rotatable_models() -> list[type[models.Model]]:
    """Every concrete model with an encrypted column or an encrypted file."""
    return [
        model
        for model in apps.get_models()
        if not model._meta.proxy and (_own_encrypted_fields(model) or encrypted_file_fields(model))
    ]


def _batches(model, attnames: list[str], batch_size: int) -> Iterator[list[tuple]]:
    """Rows as `(pk, *values)` in keyset order; encrypted values come back `Sealed`."""
    manager = model._base_manager
    last_pk = None
    while True:
        queryset = manager.order_by("pk")
        if last_pk is not None:
            queryset = queryset.filter(pk__gt=last_pk)
        rows = list(queryset.values_list("pk", *attnames)[:batch_size])
        if not rows:
            return
        yield rows
        last_pk = rows[-1][0]


def _is_stale(sealed: Sealed | None, keyring: Keyring) -> bool:
    """Whether a stored value is under a key other than the primary (unreadable ones count)."""
    if sealed is None:
        return False
    try:
        return sealed.key_id != keyring.primary_key_id
    except DecryptionError:
        return True


def _rotate_rows(model, fields, pks, keyring: Keyring, report: RotationReport) -> None:
    """Lock the rows, re-read them and re-encrypt only what is still under an old key."""
    manager = model._base_manager
    attnames = [f.attname for f in fields]
    with transaction.atomic(using=router.db_for_write(model)):
        locked = (
            manager.select_for_update()
            .filter(pk__in=pks)
            .order_by("pk")
            .values_list("pk", *attnames)
        )
        for pk, *values in locked:
            changes, labels = {}, []
            for model_field, sealed in zip(fields, values, strict=True):
                if not _is_stale(sealed, keyring):
                    continue
                associated_data = model_field.associated_data(pk)
                try:
                    plaintext = crypto.decrypt(sealed.token, associated_data, keyring)
                except DecryptionError as exc:
                    report.failures.append(Failure(_label(model, model_field), pk, str(exc)))
                    continue
                token = crypto.encrypt(plaintext, associated_data, keyring)
                changes[model_field.attname] = Sealed(token)
                labels.append(_label(model, model_field))
            if changes:
                manager.filter(pk=pk).update(**changes)
                for label in labels:
                    report.columns[label] += 1


def _rotate_columns(model, keyring, batch_size, dry_run, report) -> None:
    fields = _own_encrypted_fields(model)
    if not fields:
        return
    for model_field in fields:
        report.columns.setdefault(_label(model, model_field), 0)
    for rows in _batches(model, [f.attname for f in fields], batch_size):
        stale = [row[0] for row in rows if any(_is_stale(v, keyring) for v in row[1:])]
        if not stale:
            continue
        if dry_run:
            for row in rows:
                for model_field, sealed in zip(fields, row[1:], strict=True):
                    if _is_stale(sealed, keyring):
                        report.columns[_label(model, model_field)] += 1
            continue
        _rotate_rows(model, fields, stale, keyring, report)


def _file_is_stale(storage, name: str, keyring: Keyring) -> bool:
    try:
        return crypto.file_key_id(storage.read_header(name)) != keyring.primary_key_id
    except DecryptionError:
        return True


def _rotate_files(model, keyring, batch_size, dry_run, report) -> None:
    for file_field in encrypted_file_fields(model):
        label = _label(model, file_field)
        report.files.setdefault(label, 0)
        storage = file_field.storage
        for rows in _batches(model, [file_field.attname], batch_size):
            for pk, name in rows:
                if not name or not storage.exists(name):
                    continue
                if not _file_is_stale(storage, name, keyring):
                    continue
                if dry_run:
                    report.files[label] += 1
                    continue
                # Stored files never change in place (a new upload gets a new random name),
                # so re-encrypting one needs no lock, only an atomic swap of its bytes.
                associated_data = file_associated_data(name)
                try:
                    plaintext = crypto.decrypt_file(
                        storage.read_raw(name), associated_data, keyring
                    )
                except (DecryptionError, FileNotFoundError) as exc:
                    report.failures.append(Failure(label, pk, str(exc)))
                    continue
                storage.replace_raw(name, crypto.encrypt_file(plaintext, associated_data, keyring))
                report.files[label] += 1


def rotate(
    *,
    models_to_rotate: list[type[models.Model]] | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    dry_run: bool = False,
) -> RotationReport:
    """Re-encrypt with the primary key what is under old keys; with `dry_run`, only count it."""
    if batch_size < 1:
        raise ValueError("The batch size must be at least 1.")
    keyring = get_keyring()
    report = RotationReport()
    for model in models_to_rotate or rotatable_models():
        _rotate_columns(model, keyring, batch_size, dry_run, report)
        _rotate_files(model, keyring, batch_size, dry_run, report)
    return report


def remaining_under_old_keys(*, batch_size: int = DEFAULT_BATCH_SIZE) -> dict[str, int]:
    """
    Per column and file field of every model, how many stored values are not under the primary
    key (including unreadable ones). All zero means the old keys can be removed from the ring.
    """
    keyring = get_keyring()
    remaining: dict[str, int] = {}
    for model in rotatable_models():
        fields = _own_encrypted_fields(model)
        if fields:
            for rows in _batches(model, [f.attname for f in fields], batch_size):
                for row in rows:
                    for model_field, sealed in zip(fields, row[1:], strict=True):
                        if _is_stale(sealed, keyring):
                            label = _label(model, model_field)
                            remaining[label] = remaining.get(label, 0) + 1
        for file_field in encrypted_file_fields(model):
            storage = file_field.storage
            for rows in _batches(model, [file_field.attname], batch_size):
                for _pk, name in rows:
                    if name and storage.exists(name) and _file_is_stale(storage, name, keyring):
                        label = _label(model, file_field)
                        remaining[label] = remaining.get(label, 0) + 1
    return remaining
