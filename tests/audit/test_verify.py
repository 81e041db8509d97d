"""
`manage.py verify_audit_chain` recomputes the chain and names the first broken link. The
tampering here is what someone with raw access to the database could do.
"""

import io
import json

import pytest
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError

from audit import record


@pytest.fixture
def trail(alice, north_case):
    """Three chained events: a view, an update and a status change."""
    return [
        record(alice, "view", north_case),
        record(alice, "update", north_case, fields=["risk_level"]),
        record(alice, "status_change", north_case, to="closed"),
    ]


def verify() -> str:
    out = io.StringIO()
    call_command("verify_audit_chain", stdout=out)
    return out.getvalue()


def test_an_intact_chain_passes(trail):
    """An untouched trail is reported intact with its length and head."""
    output = verify()

    assert "3 events, chain intact" in output
    assert trail[-1].hash in output


def test_an_empty_trail_is_intact(db):
    """A new installation has an empty, intact trail."""
    assert "0 events, chain intact" in verify()


def test_altered_detail_breaks_the_chain_at_that_event(trail, tamper):
    """Rewriting what an event says is found at that event."""
    altered = trail[1]
    tamper(
        "UPDATE audit_auditevent SET detail = %s WHERE sequence = %s",
        [json.dumps({"fields": ["status"]}), altered.pk],
    )

    with pytest.raises(CommandError, match=f"broken at event {altered.pk}: its contents"):
        verify()


def test_an_altered_hash_breaks_the_chain_at_that_event(trail, tamper):
    """Replacing an event's hash is found at that event."""
    altered = trail[1]
    tamper("UPDATE audit_auditevent SET hash = %s WHERE sequence = %s", ["f" * 64, altered.pk])

    with pytest.raises(CommandError, match=f"broken at event {altered.pk}"):
        verify()


def test_a_removed_event_breaks_the_chain_at_the_next(trail, tamper):
    """Deleting an event from the middle is found at the event after it."""
    tamper("DELETE FROM audit_auditevent WHERE sequence = %s", [trail[1].pk])

    with pytest.raises(CommandError, match=f"broken at event {trail[2].pk}: its previous"):
        verify()


def test_a_removed_first_event_is_found(trail, tamper):
    """Deleting the oldest event leaves the next one pointing at nothing."""
    tamper("DELETE FROM audit_auditevent WHERE sequence = %s", [trail[0].pk])

    with pytest.raises(CommandError, match=f"broken at event {trail[1].pk}"):
        verify()


def test_a_broken_chain_exits_non_zero(trail, tamper, capsys):
    """Run from the command line, a broken chain exits with a failure status."""
    tamper(
        "UPDATE audit_auditevent SET actor_username = 'mallory' WHERE sequence = %s", [trail[0].pk]
    )

    with pytest.raises(SystemExit) as exited:
        execute_from_command_line(["manage.py", "verify_audit_chain"])

    assert exited.value.code != 0
    assert f"broken at event {trail[0].pk}" in capsys.readouterr().err


def test_small_chunks_walk_the_whole_trail(trail):
    """Reading the trail in chunks checks every event."""
    out = io.StringIO()
    call_command("verify_audit_chain", "--chunk-size", "1", stdout=out)

    assert "3 events, chain intact" in out.getvalue()


def test_what_the_database_normalises_keeps_the_chain_intact(alice, rf):
    """Whole floats, key order, IPv6 spelling and non-Latin text read back to the same hash."""
    request = rf.get("/", REMOTE_ADDR="::ffff:192.0.2.1")
    record(
        alice,
        "export",
        request=request,
        whole=1.0,
        big=1e16,
        zero=-0.0,
        tenth=0.1,
        tiny=1.5e-7,
        nested={"b": 1, "a": [2.5, True, None, "연길"]},
    )

    assert "1 event, chain intact" in verify()
