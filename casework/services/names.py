"""
The one place name keys are written (`NameKey`, see `casework.names`): after every write that
changes a person's name or aliases, the services call `_name_keys_refresh` in their transaction;
`reindex_names` (and `reindex_blind_indexes`, through `SHIMTEO_REINDEX_HOOKS`) walks every
person when the set of keys or the index key changes.

Not a service of its own: it checks no permission and records no audit event, because it only
follows a write that did both.
"""

from dataclasses import dataclass, field

from django.db import transaction

from vault.blind_index import blind_index
from vault.exceptions import DecryptionError

from ..models import NameKey, Person, PersonAlias
from ..names import key_scope, name_keys
from ._common import _lock_person

DEFAULT_BATCH_SIZE = 200

# (alias id or None, kind, digest)
Row = tuple[object, str, str]


def name_digests(name: str) -> set[tuple[str, str]]:
    """
    (kind, digest) of every key of one name. Besides `_wanted` below, a bulk load that writes
    the keys with its rows (`seed_demo`) asks it, so the two cannot compute different keys.
    """
    return {(kind, blind_index(key_scope(kind), text)) for kind, text in name_keys(name or "")}


def _wanted(person: Person, aliases) -> set[Row]:
    rows = set()
    for alias_id, name in [(None, person.full_name), *((a.pk, a.name) for a in aliases)]:
        rows.update((alias_id, kind, digest) for kind, digest in name_digests(name))
    return rows


def _stored(person_ids) -> dict[object, dict[Row, int]]:
    """
    {person id: {row: NameKey id}} of what is stored now. A key whose copy of the reference is
    not the person's (written by hand, or by a bulk load) counts as a row nobody wants, so that
    `reindex_names` replaces it.
    """
    stored: dict[object, dict[Row, int]] = {pk: {} for pk in person_ids}
    rows = NameKey.objects.filter(person__in=person_ids).values_list(
        "pk", "person_id", "alias_id", "kind", "digest", "reference", "person__reference"
    )
    for pk, person_id, alias_id, kind, digest, copied, reference in rows:
        row = (alias_id, kind, digest) if copied == reference else (alias_id, kind, digest, pk)
        stored[person_id][row] = pk
    return stored


def _write(changes: dict[Person, tuple[set[Row], dict[Row, int]]]) -> int:
    """Store {person: (wanted rows, stored rows)}; the number of people whose keys changed."""
    gone, new, changed = [], [], 0
    for person, (wanted, stored) in changes.items():
        if wanted == set(stored):
            continue
        changed += 1
        gone += [stored[row] for row in set(stored) - wanted]
        new += [
            NameKey(
                person_id=person.pk,
                reference=person.reference,
                alias_id=alias_id,
                kind=kind,
                digest=digest,
            )
            for alias_id, kind, digest in wanted - set(stored)
        ]
    NameKey.objects.filter(pk__in=gone).delete()
    NameKey.objects.bulk_create(new, batch_size=1000)
    return changed


def _name_keys_refresh(person: Person) -> None:
    """
    Make the person's name keys those of their name and of their aliases in force (a voided
    alias is no longer a name they are found by; an erased person has none). Call it inside the
    transaction of the write that changed them; it locks the person, so that two writes to one
    person's names cannot leave the keys of either alone.
    """
    _lock_person(person)
    person = Person.objects.get(pk=person.pk)
    aliases = PersonAlias.objects.filter(person=person)
    wanted = _wanted(person, aliases) if person.full_name != person.reference else set()
    _write({person: (wanted, _stored([person.pk])[person.pk])})


@dataclass
class NameReindexReport:
    people: int = 0
    stale: int = 0
    rewritten: int = 0
    failures: list = field(default_factory=list)


def _people_batches(batch_size: int):
    last = None
    while True:
        people = Person.objects.order_by("pk")
        if last is not None:
            people = people.filter(pk__gt=last)
        batch = list(people.values_list("pk", flat=True)[:batch_size])
        if not batch:
            return
        yield batch
        last = batch[-1]


def _wanted_for(people: list[Person], report: NameReindexReport) -> dict[object, set[Row]]:
    aliases: dict[object, list[PersonAlias]] = {person.pk: [] for person in people}
    for alias in PersonAlias.objects.filter(person__in=list(aliases)):
        aliases[alias.person_id].append(alias)
    wanted = {}
    for person in people:
        try:
            erased = person.full_name == person.reference
            wanted[person.pk] = set() if erased else _wanted(person, aliases[person.pk])
        except DecryptionError:
            report.failures.append(person.pk)
    return wanted


def name_keys_reindex(
    *, batch_size: int = DEFAULT_BATCH_SIZE, dry_run: bool = False
) -> NameReindexReport:
    """
    Recompute every person's name keys, a batch of people at a time: needed when the kinds of
    key change (a new spelling table) or the index key does. Only people whose keys differ are
    rewritten, each batch under a lock on its people and from names re-read under it, so it can
    run while the application does, be interrupted and be run again. With `dry_run` it counts.
    """
    if batch_size < 1:
        raise ValueError("The batch size must be at least 1.")
    report = NameReindexReport()
    for pks in _people_batches(batch_size):
        report.people += len(pks)
        wanted = _wanted_for(list(Person.objects.filter(pk__in=pks)), report)
        stored = _stored(pks)
        stale = [pk for pk in wanted if wanted[pk] != set(stored[pk])]
        report.stale += len(stale)
        if dry_run or not stale:
            continue
        with transaction.atomic():
            locked = list(Person.objects.select_for_update().filter(pk__in=stale).order_by("pk"))
            wanted = _wanted_for(locked, NameReindexReport())
            stored = _stored(stale)
            report.rewritten += _write(
                {
                    person: (wanted[person.pk], stored[person.pk])
                    for person in locked
                    if person.pk in wanted
                }
            )
    return report
