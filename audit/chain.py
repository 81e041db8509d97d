"""
The hash chain: how an event is hashed and how the trail is checked.

An event's hash is SHA-256 over a canonical JSON of its fields and the previous event's hash.
The canonical form is computed the same way from the values about to be written and from the
values read back, so what the database normalises (key order in jsonb, IPv6 spelling, whole
floats in jsonb numerics, time zones) cannot break an intact chain.
"""

import datetime
import hashlib
import ipaddress
import json
from dataclasses import dataclass

from .models import AuditEvent

GENESIS = "0" * 64
# Bump when the canonical form changes; old events keep verifying under the version they carry.
HASH_VERSION = 1


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
        "v": HASH_VERSION,
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
    return hashlib.sha256(canonical(event)).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    count: int
    head: str
    broken_at: int | None = None
    reason: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def verify_chain(*, chunk_size: int = 2000) -> ChainReport:
    """Walk the trail in order; report the first event whose links or contents do not hold."""
    expected_prev, count = GENESIS, 0
    events = AuditEvent.objects.order_by("sequence").iterator(chunk_size=chunk_size)
    for event in events:
        if event.prev_hash != expected_prev:
            return ChainReport(
                count=count,
                head=expected_prev,
                broken_at=event.sequence,
                reason=(
                    "its previous-event hash does not match the event before it: an event "
                    "was removed, inserted or altered"
                ),
            )
        if compute_hash(event) != event.hash:
            return ChainReport(
                count=count,
                head=expected_prev,
                broken_at=event.sequence,
                reason="its contents do not match its hash: the event was altered",
            )
        expected_prev = event.hash
        count += 1
    return ChainReport(count=count, head=expected_prev)
