"""
Signed checkpoints of the audit chain's head, kept outside the audit table.

A keyed chain shows any event changed, inserted or removed in the middle, but not the removal of
the newest events: what is left is still a valid chain. So the head is noted regularly elsewhere.
A checkpoint holds the head's sequence number, its hash, how many events the trail then held and
when it was taken, signed with HMAC under a subkey of SHIMTEO_AUDIT_KEY (audit/keys.py), so that
whoever can write the database (or the checkpoint file) cannot make one that verifies.

Beat takes one every SHIMTEO_AUDIT_CHECKPOINT_MINUTES (ops.tasks.checkpoint_audit_chain): it
checks that the events since the previous checkpoint extend it, writes the new one to
SHIMTEO_AUDIT_CHECKPOINT_DIR/checkpoint.json and to the JSON logs, and refuses to sign a trail
that lost its tail, so a cut is never blessed by a later checkpoint. Backups carry the latest
checkpoint and one of their own snapshot (ops/backup.py). `manage.py verify_audit_chain` compares
the trail with the checkpoint and names what is missing.
"""

import contextlib
import datetime
import fcntl
import hashlib
import hmac
import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings

from .chain import GENESIS, verify_from
from .exceptions import AuditError
from .keys import checkpoint_key
from .models import AuditEvent

logger = logging.getLogger(__name__)

FORMAT = "shimteo-audit-checkpoint"
FORMAT_VERSION = 1
FILE_NAME = "checkpoint.json"


class CheckpointError(AuditError):
    """A checkpoint that cannot be trusted (forged, malformed), or one that must not be signed."""


@dataclass(frozen=True)
class Checkpoint:
    sequence: int  # the head event's sequence; 0 for an empty trail
    count: int  # events in the trail up to and including the head
    head: str
    created_at: str  # ISO 8601, UTC
    signature: str = ""

    def payload(self) -> bytes:
        fields = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "sequence": self.sequence,
            "count": self.count,
            "head": self.head,
            "created_at": self.created_at,
        }
        return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()

    def signed(self) -> "Checkpoint":
        signature = hmac.new(checkpoint_key(), self.payload(), hashlib.sha256).hexdigest()
        return Checkpoint(**{**asdict(self), "signature": signature})

    @property
    def authentic(self) -> bool:
        expected = hmac.new(checkpoint_key(), self.payload(), hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, self.signature)

    def as_dict(self) -> dict:
        return {"format": FORMAT, "version": FORMAT_VERSION, **asdict(self)}

    @classmethod
    def from_dict(cls, data) -> "Checkpoint":
        """A checkpoint read back, refused unless well-formed and signed with our audit key."""
        if not isinstance(data, dict):
            raise CheckpointError("The audit checkpoint is malformed.")
        try:
            if data["format"] != FORMAT or data["version"] != FORMAT_VERSION:
                raise CheckpointError("It is not an audit checkpoint this version can read.")
            checkpoint = cls(
                sequence=int(data["sequence"]),
                count=int(data["count"]),
                head=str(data["head"]),
                created_at=str(data["created_at"]),
                signature=str(data["signature"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise CheckpointError("The audit checkpoint is malformed.") from error
        if not checkpoint.authentic:
            raise CheckpointError(
                f"The audit checkpoint of {checkpoint.created_at} (event #{checkpoint.sequence}) "
                "has an invalid signature: it was forged or altered, or signed with another "
                "audit key."
            )
        return checkpoint


def now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


def checkpoint_dir() -> Path:
    """SHIMTEO_AUDIT_CHECKPOINT_DIR, or `audit-checkpoints` next to the media folder."""
    configured = getattr(settings, "SHIMTEO_AUDIT_CHECKPOINT_DIR", "")
    if configured:
        return Path(configured)
    return Path(settings.MEDIA_ROOT).parent / "audit-checkpoints"


def checkpoint_path() -> Path:
    return checkpoint_dir() / FILE_NAME


def read_checkpoint(path: Path | None = None) -> Checkpoint | None:
    """The checkpoint in `path` (the current one by default); None when there is none yet."""
    path = Path(path) if path is not None else checkpoint_path()
    try:
        text = path.read_text()
    except FileNotFoundError:
        return None
    try:
        data = json.loads(text)
    except ValueError as error:
        raise CheckpointError(f"The audit checkpoint {path} is not JSON.") from error
    if isinstance(data, dict) and "audit_checkpoint" in data:
        data = data["audit_checkpoint"]  # a line of the JSON logs, as beat logged it
    return Checkpoint.from_dict(data)


def write_checkpoint(checkpoint: Checkpoint, path: Path | None = None) -> Path:
    """Replace the checkpoint file atomically: a reader sees the old one or the new one."""
    path = Path(path) if path is not None else checkpoint_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        json.dump(checkpoint.as_dict(), handle, sort_keys=True)
        handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)
    return path


def take_checkpoint() -> Checkpoint:
    """
    Sign the current head and write it out, after checking that the events since the previous
    checkpoint extend it. Refuses (CheckpointError, logged as critical) when they do not, or when
    the previous checkpoint does not verify: the file then keeps the last good checkpoint.
    """
    # One taker at a time (a run by hand beside beat's): a slower one must not replace a newer
    # checkpoint with the older head it read.
    with _exclusive(checkpoint_dir() / "checkpoint.lock"):
        return _take_checkpoint()


@contextlib.contextmanager
def _exclusive(lock_path: Path):
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock


def _take_checkpoint() -> Checkpoint:
    try:
        previous = read_checkpoint()
    except CheckpointError as error:
        logger.critical("Audit checkpoint not taken", extra={"problem": str(error)})
        raise
    start = previous or Checkpoint(sequence=0, count=0, head=GENESIS, created_at="")
    report = verify_from(sequence=start.sequence, head=start.head)
    if not report.intact:
        problem = (
            f"The audit trail does not extend the checkpoint of {start.created_at or 'the start'}"
            f" (event #{start.sequence}): at event #{report.broken_at}, {report.reason}."
        )
        logger.critical("Audit checkpoint not taken", extra={"problem": problem})
        raise CheckpointError(problem)
    checkpoint = Checkpoint(
        sequence=report.head_sequence,
        count=start.count + report.count,
        head=report.head,
        created_at=now(),
    ).signed()
    write_checkpoint(checkpoint)
    # A second copy where whoever can write the database cannot reach: the log collector.
    logger.info("Audit checkpoint", extra={"audit_checkpoint": checkpoint.as_dict()})
    return checkpoint


def missing_since(checkpoint: Checkpoint) -> str:
    """
    What the trail lacks of what `checkpoint` saw, or "" when it still holds its head. Run after
    the chain itself verified, so an intact link to the head vouches for every event before it.
    """
    if checkpoint.sequence == 0:
        return ""
    head = AuditEvent.objects.filter(sequence=checkpoint.sequence).values_list("hash", flat=True)
    head = head.first()
    seen_at = f"the checkpoint of {checkpoint.created_at}"
    if head is None:
        kept = AuditEvent.objects.filter(sequence__lte=checkpoint.sequence)
        kept_count = kept.count()
        last_kept = kept.order_by("-sequence").values_list("sequence", flat=True).first()
        after = f"after event #{last_kept}" if last_kept else "from the start"
        return (
            f"event #{checkpoint.sequence}, the head when {seen_at} was signed, is missing: "
            f"{checkpoint.count - kept_count} event(s) {after} up to #{checkpoint.sequence} "
            "were removed (the newest events of the trail at that time)"
        )
    if not hmac.compare_digest(head, checkpoint.head):
        return (
            f"event #{checkpoint.sequence} is not the head {seen_at} signed: the trail was "
            "rewritten up to it"
        )
    return ""
