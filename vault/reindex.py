"""
Index-key rotation: recompute, with the current index key, every stored blind-index digest.

After the new key is deployed as SHIMTEO_INDEX_KEY (the old one kept in SHIMTEO_OLD_INDEX_KEYS,
so searches still match digests under it), every save stores a digest under the new key, and this
walk rewrites the rest. Rows are read in primary-key order in batches; a batch with stale digests
is locked, re-read and rewritten in one short transaction, so a value saved meanwhile is never
overwritten with a digest of an older one. A run rewrites only what is stale, so it can be
interrupted and re-run; when it reports 0 remaining, the old index key can be removed.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field

from django.apps import apps
from django.db import models, router, transaction

from . import crypto
from .blind_index import Digest
from .exceptions import DecryptionError
from .fields import BlindIndexField, Sealed

DEFAULT_BATCH_SIZE = 500


@dataclass
class ReindexReport:
    """Rewritten digests per `app_label.Model.field`, and rows whose source did not decrypt."""

    rewritten: dict[str, int] = field(default_factory=dict)
    stale: dict[str, int] = field(default_factory=dict)
    failures: list[tuple[str, object]] = field(default_factory=list)


def index_fields(model) -> list[BlindIndexField]:
    own = set(model._meta.local_concrete_fields)
    return [f for f in own if isinstance(f, BlindIndexField)]


def indexed_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if not m._meta.proxy and index_fields(m)]


def _label(model, index_field) -> str:
    return f"{model._meta.label}.{index_field.name}"


def current_digest(model, index_field: BlindIndexField, pk, sealed: Sealed | None):
    """The digest the source value should have under the current index key."""
    if sealed is None:
        return None
    source = model._meta.get_field(index_field.source)
    plaintext = crypto.decrypt(sealed.token, source.associated_data(pk))
    return index_field.digest(source.from_plaintext(plaintext))


def _columns(model, index_fields_) -> list[str]:
    names = []
    for index_field in index_fields_:
        names += [model._meta.get_field(index_field.source).attname, index_field.attname]
    return names


def _batches(model, names, batch_size) -> Iterator[list[tuple]]:
    last_pk = None
    while True:
        queryset = model._base_manager.order_by("pk")
        if last_pk is not None:
            queryset = queryset.filter(pk__gt=last_pk)
        rows = list(queryset.values_list("pk", *names)[:batch_size])
        if not rows:
            return
        yield rows
        last_pk = rows[-1][0]


def _stale(model, fields_, row, report) -> dict[str, Digest | None]:
    """{attname: digest} for the row's digests that differ from the current key's."""
    pk, values = row[0], row[1:]
    changes = {}
    for position, index_field in enumerate(fields_):
        sealed, stored = values[2 * position], values[2 * position + 1]
        try:
            wanted = current_digest(model, index_field, pk, sealed)
        except DecryptionError:
            report.failures.append((_label(model, index_field), pk))
            continue
        if wanted != stored:
            changes[index_field.attname] = wanted
    return changes


def reindex(
    *, models_to_reindex=None, batch_size: int = DEFAULT_BATCH_SIZE, dry_run: bool = False
) -> ReindexReport:
    """Rewrite stale digests (with `dry_run`, only count them in `report.stale`)."""
    if batch_size < 1:
        raise ValueError("The batch size must be at least 1.")
    report = ReindexReport()
    for model in models_to_reindex or indexed_models():
        fields_ = index_fields(model)
        names = _columns(model, fields_)
        for index_field in fields_:
            report.rewritten.setdefault(_label(model, index_field), 0)
            report.stale.setdefault(_label(model, index_field), 0)
        for rows in _batches(model, names, batch_size):
            stale_pks = []
            for row in rows:
                changes = _stale(model, fields_, row, report)
                for attname in changes:
                    report.stale[_label(model, model._meta.get_field(attname))] += 1
                if changes:
                    stale_pks.append(row[0])
            if stale_pks and not dry_run:
                _rewrite(model, fields_, names, stale_pks, report)
    return report


def _rewrite(model, fields_, names, pks, report) -> None:
    manager = model._base_manager
    with transaction.atomic(using=router.db_for_write(model)):
        locked = manager.select_for_update().filter(pk__in=pks).order_by("pk")
        for row in locked.values_list("pk", *names):
            # Re-read under the lock: failures were counted on the first read already.
            changes = _stale(model, fields_, row, ReindexReport())
            if changes:
                manager.filter(pk=row[0]).update(**changes)
                for attname in changes:
                    report.rewritten[_label(model, model._meta.get_field(attname))] += 1
