"""
The hash chain: how an event is hashed and how the trail is checked.

An event's link is computed over a canonical JSON of its fields, its hash version and the previous
event's hash. The canonical form is computed the same way from the values about to be written and
from the values read back, so what the database normalises (key order in jsonb, IPv6 spelling,
whole floats in jsonb numerics, time zones) cannot break an intact chain.

Each event carries the version it was linked under (`AuditEvent.hash_version`):

- 1, legacy: plain SHA-256, which anyone who can write the table can recompute. Every event
  written before migration 0003 is version 1, and stays so: an append-only chain is never
  re-linked. The first keyed event's HMAC covers the last legacy hash, though, so from then on the
  legacy stretch cannot be rewritten unseen either.
- 2, keyed: HMAC-SHA-256 under a subkey of SHIMTEO_AUDIT_KEY (audit/keys.py), which the database
  never holds. Every event from migration 0003 on is version 2.

Once a keyed event appears, every later one must be keyed too: an unkeyed event after a keyed one
is a forgery (someone without the key appending or replacing events), and is reported as a break.
What keys cannot show, removal of the newest events, the signed checkpoints of the head do
(audit/checkpoint.py).
"""

import datetime
import hashlib
import hmac
import ipaddress
import json
from dataclasses import dataclass

from .keys import event_key
from .models import AuditEvent

GENESIS = "0" * 64
LEGACY_UNKEYED = 1
KEYED = 2
# The version new events are linked under; old events keep verifying under the one they carry.
HASH_VERSION = KEYED


def normalise_ip(value: str | None) -> str | None:
    """An address as PostgreSQL's inet and Python both spell it, or None when it is not one."""
    if not value:
        return None
    try:
        address = ipaddress.ip_address(value.strip().split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return str(address)


def _canonical_value(value):
    if isinstance(value, bool) or value is None or isinstance(value, str | int):
        return value
    if isinstance(value, float):
        # jsonb keeps numbers as numerics: 1.0 may come back as 1 and 1e16 as an integer.
        return int(value) if value.is_integer() else value
    if isinstance(value, dict):
        return {key: _canonical_value(item) for key, item in value.items()}
    return [_canonical_value(item) for item in value]


def _utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def canonical(event) -> bytes:
    fields = {
        "v": event.hash_version,
        "occurred_at": _utc(event.occurred_at),
        "actor_id": None if event.actor_id is None else str(event.actor_id),
        "actor_username": event.actor_username,
        "action": str(event.action),
        "target_type": event.target_type,
        "target_id": event.target_id,
        "target_reference": event.target_reference,
        "case_id": None if event.case_id is None else str(event.case_id),
        "ip": normalise_ip(event.ip),
        "detail": _canonical_value(event.detail),
        "prev_hash": event.prev_hash,
    }
    return json.dumps(
        fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode()


def compute_hash(event) -> str:
    """The event's link under the version it carries; ValueError for a version we do not know."""
    if event.hash_version == KEYED:
        return hmac.new(event_key(), canonical(event), hashlib.sha256).hexdigest()
    if event.hash_version == LEGACY_UNKEYED:
        return hashlib.sha256(canonical(event)).hexdigest()
    raise ValueError(f"unknown audit hash version {event.hash_version!r}")


@dataclass(frozen=True)
class ChainReport:
    count: int
    head: str
    # The sequence of the last intact event (0 when there is none).
    head_sequence: int = 0
    legacy: int = 0
    broken_at: int | None = None
    reason: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def _fault(event, expected_prev: str, keyed_seen: bool) -> str:
    """Why `event` does not hold as the successor of `expected_prev`, or "" when it does."""
    if event.prev_hash != expected_prev:
        return (
            "its previous-event hash does not match the event before it: an event was removed, "
            "inserted or altered"
        )
    if event.hash_version not in (LEGACY_UNKEYED, KEYED):
        return f"it carries an unknown hash version ({event.hash_version}): the event was altered"
    if keyed_seen and event.hash_version != KEYED:
        return (
            "it is unkeyed but follows keyed events: it was added or replaced by someone without "
            "the audit key"
        )
    if not hmac.compare_digest(compute_hash(event), event.hash):
        return "its contents do not match its hash: the event was altered"
    return ""


def _walk(events, *, prev: str, head_sequence: int, keyed_seen: bool) -> ChainReport:
    count = legacy = 0
    for event in events:
        reason = _fault(event, prev, keyed_seen)
        if reason:
            return ChainReport(
                count=count,
                head=prev,
                head_sequence=head_sequence,
                legacy=legacy,
                broken_at=event.sequence,
                reason=reason,
            )
        keyed_seen = keyed_seen or event.hash_version == KEYED
        legacy += event.hash_version == LEGACY_UNKEYED
        prev, head_sequence = event.hash, event.sequence
        count += 1
    return ChainReport(count=count, head=prev, head_sequence=head_sequence, legacy=legacy)


def verify_chain(*, chunk_size: int = 2000) -> ChainReport:
    """Walk the trail in order; report the first event whose links or contents do not hold."""
    events = AuditEvent.objects.order_by("sequence").iterator(chunk_size=chunk_size)
    return _walk(events, prev=GENESIS, head_sequence=0, keyed_seen=False)


def verify_from(*, sequence: int, head: str, chunk_size: int = 2000) -> ChainReport:
    """
    Check only the events after `sequence`, whose hash must be `head` (0 and GENESIS: from the
    start): how a checkpoint extends the previous one without reading the whole trail. The
    counts cover the events walked, not the whole trail.
    """
    anchor = None
    if sequence:
        anchor = AuditEvent.objects.filter(sequence=sequence).values("hash", "hash_version").first()
        if anchor is None or not hmac.compare_digest(anchor["hash"], head):
            return ChainReport(
                count=0,
                head=head,
                head_sequence=sequence,
                broken_at=sequence,
                reason="the event the previous checkpoint ends at is missing or altered",
            )
    events = AuditEvent.objects.filter(sequence__gt=sequence).order_by("sequence")
    return _walk(
        events.iterator(chunk_size=chunk_size),
        prev=head,
        head_sequence=sequence,
        keyed_seen=anchor is not None and anchor["hash_version"] == KEYED,
    )
