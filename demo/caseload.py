"""
The rows of a demo caseload: what they are built from, how a batch of them is saved, and
how the whole caseload is counted and deleted.
"""

import datetime
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import CASCADE, DateTimeField
from django.db.models.functions import Cast

from accounts.models import User
from casework.choices import LegalStatus
from casework.models import (
    Attachment,
    Case,
    CaseAssignment,
    CaseMember,
    CaseNameKey,
    CaseNote,
    Entitlement,
    Incident,
    LegalStatusRecord,
    NameKey,
    Person,
    PersonAlias,
    Relationship,
    Task,
)
from casework.services.names import name_digests
from consent.models import Consent
from legal_aid.models import AdvocacyDocument

from .paths import Plan, _days
from .places import ChineseRegion

IncidentPerson = Incident.people.through
CASELOAD_MODELS = (
    Person,
    PersonAlias,
    Relationship,
    LegalStatusRecord,
    Entitlement,
    Case,
    CaseMember,
    CaseAssignment,
    Incident,
    IncidentPerson,
    CaseNote,
    Task,
    Consent,
)

# The columns of `Rows.name_keys`.
NAME_KEY_FIELDS = ("person_id", "reference", "alias_id", "kind", "digest")
NAME_KEY_COLUMNS = ", ".join(NAME_KEY_FIELDS)

# The day each kind of record was written down on, in a demo caseload.
WRITTEN_DOWN_ON = {
    LegalStatusRecord: "effective_from",
    Entitlement: "as_of",
    Incident: "occurred_on",
}


@dataclass
class Rows:
    """
    Unsaved rows for a batch of households, inserted together in foreign-key order, with the
    name keys of their people: computed here as the people are made, from the names in clear,
    instead of by re-reading and decrypting every person afterwards (`name_keys_reindex`, which
    took most of a large seed).
    """

    by_model: dict[type, list] = field(default_factory=lambda: {m: [] for m in CASELOAD_MODELS})
    # {name: its (kind, digest) pairs}, shared by the batches of one build: demo names are drawn
    # from short lists, so most are seen many times and each is keyed once.
    digests: dict[str, set] = field(default_factory=dict)

    def add(self, obj):
        self.by_model[type(obj)].append(obj)
        return obj

    @property
    def people(self) -> int:
        return len(self.by_model[Person])

    def _digests(self, name: str) -> set:
        found = self.digests.get(name)
        if found is None:
            found = self.digests[name] = name_digests(name)
        return found

    def name_keys(self) -> list[tuple]:
        """
        (person id, reference, alias id, kind, digest) of every key `name_keys_reindex` would
        write for these people and their aliases: tuples, not models, for they are many.
        """
        references = {person.pk: person.reference for person in self.by_model[Person]}
        keys = [
            (person.pk, person.reference, None, kind, digest)
            for person in self.by_model[Person]
            for kind, digest in self._digests(person.full_name)
        ]
        keys += [
            (alias.person_id, references[alias.person_id], alias.pk, kind, digest)
            for alias in self.by_model[PersonAlias]
            for kind, digest in self._digests(alias.name)
        ]
        return keys

    def save(self, batch_size: int) -> Counter:
        """Insert every row in one transaction; the encrypted fields seal each value on the way."""
        keys = self.name_keys()
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    for model, objs in self.by_model.items():
                        _copy(cursor, model, objs)
                    with cursor.copy(
                        f"COPY {NameKey._meta.db_table} ({NAME_KEY_COLUMNS}) FROM STDIN"
                    ) as copy:
                        for key in keys:
                            copy.write_row(key)
            else:
                for model, objs in self.by_model.items():
                    model.objects.bulk_create(objs, batch_size=batch_size)
                NameKey.objects.bulk_create(
                    [NameKey(**dict(zip(NAME_KEY_FIELDS, key, strict=True))) for key in keys],
                    batch_size=batch_size,
                )
                self._written_down_on(batch_size)
        return Counter({count_label(model): len(objs) for model, objs in self.by_model.items()})

    def _written_down_on(self, batch_size: int):
        # `recorded_at` is set to now on insert; a real record was written down when it
        # happened, and a caseload all "recorded today" would fill every "recent" list.
        # (`_copy` writes the day itself.)
        for model, day_field in WRITTEN_DOWN_ON.items():
            pks = [obj.pk for obj in self.by_model[model]]
            for start in range(0, len(pks), batch_size):
                model.objects.filter(pk__in=pks[start : start + batch_size]).update(
                    recorded_at=Cast(day_field, DateTimeField())
                )


def _copy(cursor, model, objs):
    """
    Write `objs` with PostgreSQL's COPY: the values are those `bulk_create` would insert (each
    field's `pre_save` and `get_db_prep_save`, so encrypted fields seal exactly as they do there),
    without building and parsing a multi-row INSERT for every thousand rows.
    """
    if not objs:
        return
    opts = model._meta
    fields = [
        f
        for f in opts.concrete_fields
        if not f.generated and not (f.primary_key and getattr(objs[0], f.attname) is None)
    ]
    day_field = WRITTEN_DOWN_ON.get(model)
    written = next((i for i, f in enumerate(fields) if f.attname == "recorded_at"), None)
    # The connection itself, not the `connection` proxy, which looks it up on every use.
    conn = connections[DEFAULT_DB_ALIAS]
    quote = conn.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    with cursor.copy(f"COPY {quote(opts.db_table)} ({columns}) FROM STDIN") as copy:
        for obj in objs:
            row = [f.get_db_prep_save(f.pre_save(obj, True), conn) for f in fields]
            if day_field:
                # Midnight UTC of the day, as the cast of the SQLite path's update gives.
                day = getattr(obj, day_field)
                row[written] = datetime.datetime.combine(day, datetime.time(), datetime.UTC)
            copy.write_row(row)


# The indexes that begin with a digest, a keyed hash: each new key lands on a random page of them.
# Past half a million people they outgrow shared_buffers, and every batch of a large seed read and
# wrote pages all over them (a million-person seed slowed from ~650 to ~360 people a second after
# 560,000, PostgreSQL's share of each batch doubling). A large seed drops them and builds them
# once at the end, sorted, as PostgreSQL's "Populating a Database" advises; the indexes the
# name keys' triggers probe (by person, by case) stay.
BUILT_AFTER_A_LARGE_LOAD = (
    (NameKey, "casework_namekey_digest_ref"),
    (CaseNameKey, "casework_casenamekey_walk"),
)
LARGE_LOAD = 100_000


def _declared_index(model, name: str):
    return next(index for index in model._meta.indexes if index.name == name)


def _present_indexes() -> set[str]:
    tables = {model._meta.db_table for model, _name in BUILT_AFTER_A_LARGE_LOAD}
    with connection.cursor() as cursor:
        return {
            name
            for table in tables
            for name, details in connection.introspection.get_constraints(cursor, table).items()
            if details["index"]
        }


def restore_search_indexes() -> list[str]:
    """
    Build any of the digest indexes a large seed drops that is missing (a seed stopped before it
    could build them again), as the models declare them; their names.
    """
    if connection.vendor != "postgresql":
        return []
    present = _present_indexes()
    missing = [(model, name) for model, name in BUILT_AFTER_A_LARGE_LOAD if name not in present]
    if missing and connection.in_atomic_block:
        # Inside a transaction (a test's), the rows' deferred foreign-key checks are checked now:
        # PostgreSQL builds no index on a table with checks pending.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with connection.schema_editor() as editor:
        for model, name in missing:
            editor.add_index(model, _declared_index(model, name))
    return [name for _model, name in missing]


@contextmanager
def search_indexes_built_after(people: int):
    """
    Within the block, a load of `people` (at least LARGE_LOAD, on PostgreSQL) writes the name
    keys without their digest indexes, which are built after it, even when it fails.
    """
    if connection.vendor != "postgresql" or people < LARGE_LOAD:
        yield
        return
    present = _present_indexes()
    with connection.schema_editor() as editor:
        for model, name in BUILT_AFTER_A_LARGE_LOAD:
            if name in present:
                editor.remove_index(model, _declared_index(model, name))
    try:
        yield
    finally:
        restore_search_indexes()


def count_label(model) -> str:
    return "IncidentPerson" if model is IncidentPerson else model.__name__


def caseload_exists() -> bool:
    return Person.objects.exists() or Case.objects.exists()


def reset_caseload() -> Counter:
    """
    Delete every case and person and what hangs on them; users and teams stay. Attachment rows
    go too; demo data has none, and production refuses the command.
    """
    documents = _delete_advocacy_documents()
    if connection.vendor == "postgresql":
        truncated = _truncate_caseload()
        if truncated is not None:
            return truncated + documents
    # Dependants first, so each delete is a plain query.
    deleted = Counter(documents)
    for model in (Attachment, *reversed(CASELOAD_MODELS)):
        deleted[count_label(model)] = model.objects.all().delete()[0]
    return deleted


def _delete_advocacy_documents() -> Counter:
    """
    The advocacy documents about the caseload, their files too: a document's case, subject and
    team are protected keys (a document is evidence of what was sent), so they would stop the
    deletes below, and a demo user who asked for a brief could never reset the demo again.
    """
    documents = AdvocacyDocument.objects.all()
    for document in documents.exclude(file="").only("file"):
        document.file.delete(save=False)
    return Counter({count_label(AdvocacyDocument): documents.delete()[0]})


def _truncate_caseload() -> Counter | None:
    """
    TRUNCATE the caseload's tables and every table that points at them: at a million people the
    row deletes above take longer than building the caseload. Only when it removes what they
    would: every table reached that the deletes would not empty (a key that sets null or
    protects, and what points at that) must already be empty, else None and the deletes run.
    """
    cascaded = {*CASELOAD_MODELS, Attachment, NameKey}
    reached = set(cascaded)
    models = apps.get_models(include_auto_created=True)
    changed = True
    while changed:
        changed = False
        for model in models:
            for f in model._meta.concrete_fields:
                if not (f.is_relation and f.related_model in reached):
                    continue
                if model not in reached:
                    reached.add(model)
                    changed = True
                # Every row of a table with a required cascading key into what goes, goes.
                if (
                    f.remote_field.on_delete is CASCADE
                    and not f.null
                    and f.related_model in cascaded
                    and model not in cascaded
                ):
                    cascaded.add(model)
                    changed = True
    if any(m.objects.exists() for m in reached - cascaded) or Attachment.objects.exists():
        return None
    deleted = Counter({count_label(m): m.objects.count() for m in CASELOAD_MODELS})
    quote = connection.ops.quote_name
    tables = ", ".join(sorted(quote(m._meta.db_table) for m in reached))
    with transaction.atomic(), connection.cursor() as cursor:
        # Django's keys are checked at commit: inside a transaction that wrote rows (a test's),
        # their checks must run before PostgreSQL lets the tables be truncated.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"TRUNCATE {tables}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    return deleted


@dataclass
class Child:
    person: Person
    hukou: str
    hukou_on: datetime.date
    # Until when the child sought benefits in China: today, or the day they left with the mother.
    in_china_until: datetime.date
    denied: list[tuple[str, datetime.date]] = field(default_factory=list)


@dataclass
class Household:
    """What one household's rows are built from: its place, its staff and its timeline."""

    index: int
    plan: Plan
    china: ChineseRegion
    town: str
    address: str
    team_name: str
    caseworker: User
    supervisor: User
    origin: str
    arrival: datetime.date
    cohabiting: datetime.date
    # (status, first day) of each step out of hiding, in order.
    steps: list[tuple[str, datetime.date]]
    today: datetime.date
    # Whether and when the police searched the house while she was in hiding there.
    raided: bool
    raid_on: datetime.date
    principal: Person | None = None
    partner: Person | None = None
    surname: str = ""
    children: list[Child] = field(default_factory=list)
    # The names and Korean aliases given to its children so far: none is given twice.
    child_names: set[str] = field(default_factory=set)
    advocate: User | None = None

    @property
    def left_hiding(self) -> datetime.date | None:
        return self.steps[0][1] if self.steps else None

    @property
    def current(self) -> str:
        return self.steps[-1][0] if self.steps else LegalStatus.UNDOCUMENTED_CN

    @property
    def recent_raid(self) -> bool:
        return (
            self.raided
            and self.current == LegalStatus.UNDOCUMENTED_CN
            and self.raid_on >= self.today - _days(180)
        )

    @property
    def size(self) -> int:
        return 1 + (self.partner is not None) + len(self.children)
