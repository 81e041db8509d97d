"""
Writing the audit trail. `record()` is the one entry point and `record_many()` its bulk form (many
events of one actor); inside `appended_together()` a transaction's events are appended at its end,
under one take of the chain's lock. Nothing else adds events.
"""

import dataclasses
import datetime
import json
import math
import re
import uuid
from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache, lru_cache

from django.apps import apps
from django.conf import settings
from django.db import models, router, transaction
from django.utils import timezone

from vault.fields import Sealed, encrypted_fields

from .chain import GENESIS, HASH_VERSION, compute_hash, normalise_ip
from .exceptions import AuditDetailError, AuditError
from .models import CASE_MODEL, AuditEvent

# The advisory lock that serialises appends on PostgreSQL ("SHIMTEO" in ASCII): every process
# must take the same one.
CHAIN_LOCK_ID = 0x5348494D54454F
MAX_STRING_LENGTH = 500
MAX_DETAIL_BYTES = 4096
# Korean names are often two or three syllables long, so short plaintexts are still looked for.
MIN_PLAINTEXT_LENGTH = 2
SUBSTRING_MIN_LENGTH = 3
# The events of an appended_together() block, waiting to be appended at its end.
_pending: ContextVar[list | None] = ContextVar("audit_pending", default=None)


def hold_chain(using: str = "default") -> None:
    """
    Take the chain's lock now, in the caller's transaction, as `record` would later. A service
    that locks a row and then records should call it first when another transaction may record
    and then lock that row (an import's chunk): both then take the two locks in one order, and
    neither waits for the other in a deadlock.
    """
    connection = transaction.get_connection(using)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_ID])


def record(actor, action, target=None, *, request=None, case=None, **detail) -> AuditEvent:
    """
    Append one event to the audit trail and return it.

    `actor` is the user who acted (None or anonymous for a failed login); `target` a saved model
    instance, a model class (an export of a list) or None; `case` the case the event belongs to
    when the target does not say so itself; `detail` small scalars that never hold what an
    encrypted field holds. The event is chained to the one before it inside the caller's
    transaction, so it is kept or rolled back with the change it records.

    Inside `appended_together()` the event is checked now and appended with the others when
    the block ends (see _append).
    """
    event = _event(actor, action, target, request=request, case=case, detail=detail)
    pending = _pending.get()
    if pending is not None:
        pending.append(event)
    else:
        _append([event])
    if event.action == AuditEvent.Action.DENIED and request is not None:
        # The refusal is recorded with its detail: audit.middleware need not add another.
        request.shimteo_refusal_recorded = True
    return event


def _event(actor, action, target, *, request, case, detail: dict) -> AuditEvent:
    """An event checked and ready to be chained: everything but its links."""
    action = AuditEvent.Action(action)
    check_detail(detail, target, case)
    acting = actor if actor is not None and actor.is_authenticated else None
    return AuditEvent(
        actor=acting,
        actor_username=acting.get_username() if acting else "",
        action=action,
        case_id=_case_id(target, case),
        ip=client_ip(request),
        detail=detail,
        occurred_at=timezone.now(),
        **_target_fields(target),
    )


def _append(events: list[AuditEvent]) -> list[AuditEvent]:
    """
    Chain checked events (made by `record` or `record_many`) in their order and
    append them in one insert, under one take of the chain's lock and one read of the last
    hash: what record does for one event, for many at the cost of one.
    """
    if not events:
        return events
    using = router.db_for_write(AuditEvent)
    # No savepoint of its own: a failed append must take the caller's change down with it, and a
    # savepoint costs two more round trips on every audited page.
    with transaction.atomic(using=using, savepoint=False):
        previous, previous_at = _held_chain_head(using) or (GENESIS, None)
        for event in events:
            # Never earlier than the event before it in the chain: the trail reads in order of
            # time too, although an event's time is taken before the lock is.
            if previous_at is not None and event.occurred_at < previous_at:
                event.occurred_at = previous_at
            previous_at = event.occurred_at
            event.prev_hash = previous
            event.hash_version = HASH_VERSION
            event.hash = previous = compute_hash(event)
        _insert(events, using)
    return events


# Up to this many events (a page of search results and its search: 26; a people search's 51) are
# inserted by SQL written once per process for their number; more (an import's chunk) by
# bulk_create.
KEPT_INSERT_MOST = 64


def _insert(events: list[AuditEvent], using: str) -> None:
    """
    Insert chained events as `bulk_create` does: the same columns and values, each event given
    its sequence and marked as saved. On PostgreSQL, a few events (every audited page and API
    read, a search's page of results) are inserted by SQL written once per process for their
    number: building and compiling the insert was half of what recording them cost in Python,
    for the same text every time.
    """
    connection = transaction.get_connection(using)
    if not 1 <= len(events) <= KEPT_INSERT_MOST or connection.vendor != "postgresql":
        # The trail's queryset refuses bulk_create to every caller but this one, after chaining;
        # PostgreSQL hands out the sequence in the order of the rows inserted.
        models.QuerySet.bulk_create(AuditEvent.objects.using(using).all(), events, batch_size=500)
        return
    statement, fields = _insert_of(using, len(events))
    params = []
    for event in events:
        event._prepare_related_fields_for_save(operation_name="bulk_create")
        # What Django's insert sends for each field (pre_save, then the value the database takes).
        params.extend(
            field.get_db_prep_save(field.pre_save(event, True), connection) for field in fields
        )
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        # The rows come back in the order of the VALUES, as bulk_create reads them.
        for event, (sequence,) in zip(events, cursor.fetchall(), strict=True):
            event.sequence = sequence
            event._state.adding = False
            event._state.db = using


@lru_cache(maxsize=KEPT_INSERT_MOST * 2)
def _insert_of(using: str, number: int) -> tuple[str, list[models.Field]]:
    """
    The insert of `number` events on PostgreSQL, as `bulk_create` writes it, and the fields of
    each event's values in order.
    """
    connection = transaction.get_connection(using)
    fields = [
        field
        for field in AuditEvent._meta.concrete_fields
        if not field.generated and not isinstance(field, models.AutoField)
    ]
    returning, _params = connection.ops.return_insert_columns(AuditEvent._meta.db_returning_fields)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    row = "({})".format(", ".join(["%s"] * len(fields)))
    values = ", ".join([row] * number)
    # Names of the model's own table and columns only: the values are parameters.
    statement = f"INSERT INTO {quote(AuditEvent._meta.db_table)} ({columns}) VALUES {values}"  # noqa: S608
    return f"{statement} {returning}", fields


def _held_chain_head(using: str) -> tuple[str, datetime.datetime] | None:
    """
    Take the chain's lock, held until the outermost transaction ends so that no other writer
    reads the same last hash, then read the last event's hash and time (None: no event yet).
    """
    connection = transaction.get_connection(using)
    if connection.vendor != "postgresql":
        hold_chain(using)
        return _last_event(using).first()
    # One round trip for both: two statements in one query string, sent without parameters
    # (the simple protocol, which runs them in order). Under READ COMMITTED each statement takes
    # its own snapshot, so the read, taken once the lock is held, sees the previous append.
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    # Constants only (the lock's number, the table's name): nothing a request sent.
    statements = (
        f"SELECT pg_advisory_xact_lock({CHAIN_LOCK_ID}); "  # noqa: S608
        f"SELECT hash, occurred_at FROM {table} ORDER BY sequence DESC LIMIT 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(statements)
        cursor.nextset()
        return cursor.fetchone()


def _last_event(using: str):
    return AuditEvent.objects.using(using).order_by("-sequence").values_list("hash", "occurred_at")


@contextmanager
def appended_together():
    """
    Within the block, `record` checks each event at once and keeps it; at the end of the block
    they are appended together (_append). For writes of many records in one transaction (an
    import's chunk): the chain's lock is then taken once, at the end, and held only until the
    transaction commits. Enter it inside the transaction, so the events are kept or rolled back
    with the writes. A block left by an error drops its events, as its savepoint or transaction
    drops its writes; a block inside another hands its events to the outer one.
    """
    outer = _pending.get()
    events = []
    token = _pending.set(events)
    try:
        yield
    finally:
        _pending.reset(token)
    if outer is not None:
        outer.extend(events)
    else:
        _append(events)


@dataclasses.dataclass(frozen=True)
class Entry:
    """One event of `record_many`: what `record` takes after its actor."""

    action: str
    target: object = None
    case: object = None
    detail: dict = dataclasses.field(default_factory=dict)


def record_many(actor, entries: Iterable[Entry]) -> list[AuditEvent]:
    """
    Append many events by one actor (None: the system, as a beat task), chained in the order
    given, in one insert under the chain's lock taken once: what `record` does for each, at the
    cost of one. Every detail is checked as `record` checks it before anything is written (an
    AuditDetailError writes nothing). Inside `appended_together()` they join that block's events.
    """
    events = [
        _event(
            actor, entry.action, entry.target, request=None, case=entry.case, detail=entry.detail
        )
        for entry in entries
    ]
    pending = _pending.get()
    if pending is not None:
        pending.extend(events)
        return events
    return _append(events)


def client_ip(request) -> str | None:
    """
    The client's address: REMOTE_ADDR, or the address the last of SHIMTEO_TRUSTED_PROXY_COUNT
    proxies saw in X-Forwarded-For. Without trusted proxies the header is ignored, since any
    client can send it.
    """
    if request is None:
        return None
    address = request.META.get("REMOTE_ADDR")
    trusted = int(getattr(settings, "SHIMTEO_TRUSTED_PROXY_COUNT", 0) or 0)
    if trusted > 0:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= trusted:
            address = hops[-trusted]
    return normalise_ip(address)


def check_detail(detail: dict, target=None, case=None) -> None:
    """
    Refuse detail that is not small JSON scalars (in lists and dicts), that has a key named like
    an encrypted field, or that contains a value the target or case holds decrypted in memory.
    Error messages name the offending place, never the value.
    """
    plaintexts = _decrypted_values(target) | _decrypted_values(case)
    changed = detail.get("fields")
    if isinstance(changed, list) and target is not None:
        # Which fields changed: names of the target's fields, checked as names, not searched for
        # values (a note that reads "file" must not block recording that `file` changed).
        _check_field_names(changed, target)
        detail = {key: value for key, value in detail.items() if key != "fields"}
    _check_value(detail, "detail", plaintexts)
    size = len(json.dumps(detail, ensure_ascii=False).encode())
    if size > MAX_DETAIL_BYTES:
        raise AuditDetailError(
            f"Audit detail is {size} bytes; keep it under {MAX_DETAIL_BYTES}: references, "
            "counts and field names, not contents."
        )


def _check_field_names(names: list, target) -> None:
    model = target if isinstance(target, type) else type(target)
    known = _field_names(model)
    strays = [index for index, name in enumerate(names) if name not in known]
    if strays:
        raise AuditDetailError(
            f"Audit detail.fields[{strays[0]}] is not a field of {model._meta.label}: "
            "`fields` lists the names of the fields that changed."
        )


@cache
def _field_names(model) -> frozenset[str]:
    # Kept per model: a person has dozens of reverse relations, and a bulk append (an import's
    # chunk) asks of the same few models thousands of times.
    return frozenset(field.name for field in model._meta.get_fields())


def _check_value(value, path: str, plaintexts: set[str]) -> None:
    if value is None or isinstance(value, bool | int):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise AuditDetailError(f"Audit {path} is not a finite number.")
        return
    if isinstance(value, str):
        _check_string(value, path, plaintexts)
        return
    if isinstance(value, list):
        for index, item in enumerate(value):
            _check_value(item, f"{path}[{index}]", plaintexts)
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise AuditDetailError(f"Audit {path} has a key that is not a string.")
            if names_encrypted_field(key):
                raise AuditDetailError(
                    f"Audit {path}.{key} is named like an encrypted field; the audit trail "
                    "never holds what encrypted fields hold. Record which fields changed, "
                    "e.g. fields=['full_name'], not their values."
                )
            _check_value(item, f"{path}.{key}", plaintexts)
        return
    raise AuditDetailError(
        f"Audit {path} is a {type(value).__name__}; only str, int, float, bool, None and "
        "lists or dicts of them are kept."
    )


def _check_string(value: str, path: str, plaintexts: set[str]) -> None:
    if len(value) > MAX_STRING_LENGTH:
        raise AuditDetailError(f"Audit {path} is longer than {MAX_STRING_LENGTH} characters.")
    if "\x00" in value:
        raise AuditDetailError(f"Audit {path} contains a NUL character.")
    try:
        value.encode()
    except UnicodeEncodeError:
        raise AuditDetailError(f"Audit {path} is not valid Unicode text.") from None
    if any(_contains(value, plaintext) for plaintext in plaintexts):
        raise AuditDetailError(f"Audit {path} contains a value of an encrypted field.")


def _contains(value: str, plaintext: str) -> bool:
    # A short plaintext ("le", a two-syllable name) is looked for as a whole word, so that a
    # field name such as "file" is not mistaken for it; a longer one anywhere in the value.
    if len(plaintext) >= SUBSTRING_MIN_LENGTH:
        return plaintext in value
    return plaintext in re.split(r"[\W_]+", value) or plaintext == value


def _words(name: str) -> list[str]:
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return [word for word in re.split(r"[^a-z0-9]+", snake.casefold()) if word]


@cache
def _encrypted_field_words() -> tuple[tuple[str, ...], ...]:
    # Every installed model's encrypted fields, not only the target's: a case event must not
    # carry a person's full_name either.
    names = {
        tuple(_words(name))
        for model in apps.get_models()
        for field in encrypted_fields(model)
        for name in (field.name, field.attname)
    }
    return tuple(sorted(names))


@lru_cache(maxsize=1024)
def names_encrypted_field(key: str) -> bool:
    """
    Whether a detail key names an encrypted field, alone or within it (`old_full_name`). Kept
    per key: the keys are the code's own few, and a bulk append asks the same ones thousands
    of times.
    """
    words = _words(key)
    for name in _encrypted_field_words():
        width = len(name)
        if any(tuple(words[i : i + width]) == name for i in range(len(words) - width + 1)):
            return True
    return False


def _decrypted_values(instance) -> set[str]:
    # Only values already decrypted (or about to be saved) in memory; nothing is decrypted here.
    if not isinstance(instance, models.Model):
        return set()
    values = set()
    for field in encrypted_fields(type(instance)):
        value = instance.__dict__.get(field.attname)
        if value is None or isinstance(value, Sealed):
            continue
        text = value.isoformat() if isinstance(value, datetime.date) else str(value)
        if len(text.strip()) >= MIN_PLAINTEXT_LENGTH:
            values.add(text.strip())
    return values


def _target_fields(target) -> dict[str, str]:
    if target is None:
        return {}
    if isinstance(target, type) and issubclass(target, models.Model):
        return {"target_type": target._meta.label_lower}
    if not isinstance(target, models.Model):
        raise AuditError(f"An audit target is a model instance or class, not {type(target)}.")
    if target.pk is None or target._state.adding:
        raise AuditError(
            f"{target._meta.label} has no primary key: record an event before deleting "
            "its target, or after saving it."
        )
    reference = getattr(target, "reference", "")
    return {
        "target_type": target._meta.label_lower,
        "target_id": str(target.pk),
        "target_reference": reference if isinstance(reference, str) else "",
    }


def _case_id(target, case) -> uuid.UUID | None:
    if case is not None:
        pk = case.pk if isinstance(case, models.Model) else case
        return pk if isinstance(pk, uuid.UUID) else uuid.UUID(str(pk))
    if not isinstance(target, models.Model):
        return None
    if target._meta.label == CASE_MODEL:
        return target.pk
    for field in target._meta.concrete_fields:
        if field.many_to_one and field.related_model._meta.label == CASE_MODEL:
            return getattr(target, field.attname)
    return None
