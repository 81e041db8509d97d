"""
A keyed chain and signed checkpoints of its head: what someone with write access to the database
(but not the audit key) does to the trail is found, including removing its newest events.
"""

import base64
import hashlib
import io
import json
import secrets

import pytest
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError
from django.db import models
from django.utils import timezone

from audit import record
from audit.chain import GENESIS, KEYED, LEGACY_UNKEYED, canonical, compute_hash, verify_chain
from audit.checkpoint import (
    Checkpoint,
    CheckpointError,
    checkpoint_path,
    read_checkpoint,
    take_checkpoint,
)
from audit.models import AuditEvent


def new_key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


@pytest.fixture
def trail(alice, north_case):
    """Four chained events."""
    return [
        record(alice, "view", north_case),
        record(alice, "update", north_case, fields=["risk_level"]),
        record(alice, "status_change", north_case, to="closed"),
        record(alice, "export", north_case, rows=1),
    ]


def verify(*arguments) -> str:
    out = io.StringIO()
    call_command("verify_audit_chain", *arguments, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def legacy_event(prev_hash: str, **fields) -> AuditEvent:
    """An event as written before the audit key: version 1, plain SHA-256."""
    event = AuditEvent(
        occurred_at=timezone.now(), action="login", prev_hash=prev_hash, hash_version=1, **fields
    )
    event.hash = compute_hash(event)
    models.Model.save(event, force_insert=True)
    return event


# --- the keyed link -------------------------------------------------------------------------------


def test_new_events_are_keyed_and_another_key_gives_another_hash(trail, settings):
    """An event's hash is an HMAC under SHIMTEO_AUDIT_KEY: not SHA-256, and not any other key's."""
    event = AuditEvent.objects.get(pk=trail[0].pk)
    assert event.hash_version == KEYED
    assert event.hash == compute_hash(event)
    assert event.hash != hashlib.sha256(canonical(event)).hexdigest()

    settings.SHIMTEO_AUDIT_KEY = new_key()
    assert compute_hash(event) != event.hash
    report = verify_chain()
    assert report.broken_at == trail[0].pk and "contents do not match" in report.reason


def test_an_altered_event_with_its_sha256_recomputed_is_found(trail, tamper):
    """Rewriting an event and recomputing a plain hash, as a key-less attacker can, is caught."""
    altered = AuditEvent.objects.get(pk=trail[1].pk)
    altered.actor_username = "mallory"
    forged = hashlib.sha256(canonical(altered)).hexdigest()
    tamper(
        "UPDATE audit_auditevent SET actor_username = 'mallory', hash = %s WHERE sequence = %s",
        [forged, altered.pk],
    )

    with pytest.raises(CommandError, match=f"broken at event {altered.pk}"):
        verify()


def test_legacy_events_verify_unkeyed_and_keyed_ones_follow(alice):
    """Events from before the audit key keep verifying as SHA-256; later ones are keyed."""
    first = legacy_event(GENESIS, actor_username="old")
    second = legacy_event(first.hash, actor_username="old")
    keyed = record(alice, "view")

    assert keyed.prev_hash == second.hash and keyed.hash_version == KEYED
    report = verify_chain()
    assert report.intact and report.count == 3 and report.legacy == 2
    assert "2 of them are unkeyed legacy events" in verify()


def test_rewritten_legacy_events_are_caught_by_the_first_keyed_one(alice, tamper):
    """Re-linking the unkeyed stretch with plain SHA-256 breaks at the keyed event after it."""
    first = legacy_event(GENESIS, actor_username="old")
    second = legacy_event(first.hash, actor_username="old")
    keyed = record(alice, "view")
    first.actor_username = "mallory"
    first.hash = compute_hash(first)
    second.prev_hash = first.hash
    second.hash = compute_hash(second)
    for event in (first, second):
        tamper(
            "UPDATE audit_auditevent SET actor_username = %s, prev_hash = %s, hash = %s "
            "WHERE sequence = %s",
            [event.actor_username, event.prev_hash, event.hash, event.pk],
        )

    assert verify_chain().broken_at == keyed.pk


def test_an_unkeyed_event_after_keyed_ones_is_a_forgery(alice):
    """Appending an event with a plain hash, as someone without the key would, breaks the chain."""
    keyed = record(alice, "view")
    forged = legacy_event(keyed.hash, actor_username="mallory")

    report = verify_chain()
    assert report.broken_at == forged.pk
    assert "unkeyed but follows keyed events" in report.reason


def test_a_changed_hash_version_is_found(trail, tamper):
    """The version is part of what is hashed: downgrading an event to 'legacy' breaks it."""
    tamper(
        "UPDATE audit_auditevent SET hash_version = %s WHERE sequence = %s",
        [LEGACY_UNKEYED, trail[0].pk],
    )

    assert verify_chain().broken_at == trail[0].pk


# --- checkpoints and the tail -----------------------------------------------------------------------


def test_a_removed_tail_is_found_against_the_last_checkpoint(trail, tamper):
    """
    Deleting the newest events leaves a valid chain; the signed checkpoint names what is missing,
    and the command exits non-zero.
    """
    take_checkpoint()
    tamper("DELETE FROM audit_auditevent WHERE sequence >= %s", [trail[2].pk])
    assert verify_chain().intact  # the chain alone cannot tell

    with pytest.raises(CommandError) as refused:
        verify()
    message = str(refused.value)
    assert "lost its tail" in message
    assert f"event #{trail[3].pk}, the head when the checkpoint of" in message
    assert f"2 event(s) after event #{trail[1].pk} up to #{trail[3].pk} were removed" in message

    with pytest.raises(SystemExit) as exited:
        execute_from_command_line(["manage.py", "verify_audit_chain"])
    assert exited.value.code != 0


def test_a_removed_tail_is_found_after_new_events_were_appended(trail, tamper, alice):
    """Cutting the tail and letting the app append again still leaves the checkpoint's head missing."""
    take_checkpoint()
    tamper("DELETE FROM audit_auditevent WHERE sequence = %s", [trail[3].pk])
    record(alice, "login")
    record(alice, "logout")
    assert verify_chain().intact and AuditEvent.objects.count() == 5

    with pytest.raises(CommandError, match=f"event #{trail[3].pk}, the head when"):
        verify()


@pytest.mark.postgres
def test_on_postgresql_a_tail_deleted_around_the_trigger_is_found(trail, tamper):
    """The table's owner switching the append-only trigger off to delete the tail is still seen."""
    take_checkpoint()
    tamper("DELETE FROM audit_auditevent WHERE sequence = %s", [trail[3].pk])

    with pytest.raises(CommandError, match=r"1 event\(s\) after event #.* were removed"):
        verify()


def test_an_intact_trail_holds_the_checkpoint_head(trail, alice):
    """Events appended after a checkpoint extend it: verification passes and says so."""
    checkpoint = take_checkpoint()
    record(alice, "logout")

    output = verify()
    assert "5 events, chain intact" in output
    assert f"Holds the head of the checkpoint of {checkpoint.created_at}" in output
    assert f"event #{trail[3].pk}, 4 events" in output


def test_a_forged_checkpoint_is_refused(trail, tamper):
    """
    A checkpoint rewritten to match a cut trail, without the key to sign it, is refused as forged,
    and the command exits non-zero.
    """
    take_checkpoint()
    tamper("DELETE FROM audit_auditevent WHERE sequence >= %s", [trail[2].pk])
    path = checkpoint_path()
    data = json.loads(path.read_text())
    data.update(sequence=trail[1].pk, count=2, head=trail[1].hash)
    path.write_text(json.dumps(data))

    with pytest.raises(CommandError, match="invalid signature: it was forged or altered"):
        verify()


def test_a_checkpoint_signed_with_another_key_is_refused(trail, settings, tmp_path):
    """A checkpoint signed with a key other than ours proves nothing."""
    real_key = settings.SHIMTEO_AUDIT_KEY
    settings.SHIMTEO_AUDIT_KEY = new_key()
    foreign = Checkpoint(sequence=trail[3].pk, count=4, head=trail[3].hash, created_at="x").signed()
    settings.SHIMTEO_AUDIT_KEY = real_key
    path = tmp_path / "foreign.json"
    path.write_text(json.dumps(foreign.as_dict()))

    with pytest.raises(CommandError, match="invalid signature"):
        verify("--checkpoint", str(path))


@pytest.mark.parametrize(
    "content", ["not json", "[1, 2]", '{"format": "shimteo-audit-checkpoint"}']
)
def test_a_malformed_checkpoint_is_refused(trail, content, tmp_path):
    """Garbage in the checkpoint file fails verification with a message, not a traceback."""
    path = tmp_path / "checkpoint.json"
    path.write_text(content)

    with pytest.raises(CommandError, match="checkpoint"):
        verify("--checkpoint", str(path))


def test_a_checkpoint_kept_from_the_logs_is_accepted(trail, tmp_path, tamper):
    """A JSON log line of beat's checkpoint verifies the trail as the file would."""
    checkpoint = take_checkpoint()
    line = tmp_path / "log-line.json"
    line.write_text(
        json.dumps({"message": "Audit checkpoint", "audit_checkpoint": checkpoint.as_dict()})
    )
    assert "Holds the head" in verify("--checkpoint", str(line))

    tamper("DELETE FROM audit_auditevent WHERE sequence = %s", [trail[3].pk])
    checkpoint_path().unlink()
    with pytest.raises(CommandError, match="lost its tail"):
        verify("--checkpoint", str(line))


def test_without_a_checkpoint_the_chain_is_still_verified(trail):
    """Before beat's first checkpoint, verification checks the links and warns on stderr."""
    err = io.StringIO()
    call_command("verify_audit_chain", stdout=io.StringIO(), stderr=err)
    assert "No audit checkpoint" in err.getvalue()
    assert read_checkpoint() is None


def test_a_missing_checkpoint_fails_when_one_is_required(trail):
    """For monitoring once beat runs: a deleted checkpoint file is not taken for a new install."""
    with pytest.raises(CommandError, match="There is no audit checkpoint at"):
        verify("--require-checkpoint")
    take_checkpoint()
    assert "Holds the head" in verify("--require-checkpoint")


def test_a_checkpoint_is_not_taken_over_a_cut_tail(trail, tamper, alice):
    """Beat refuses to sign a trail that no longer extends the last checkpoint: the cut stays seen."""
    first = take_checkpoint()
    tamper("DELETE FROM audit_auditevent WHERE sequence = %s", [trail[3].pk])
    record(alice, "login")

    with pytest.raises(CheckpointError, match="does not extend the checkpoint"):
        take_checkpoint()
    assert read_checkpoint() == first
