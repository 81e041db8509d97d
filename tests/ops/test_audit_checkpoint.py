"""Beat signs the audit chain's head into the checkpoint file and the JSON logs, on a schedule."""

import datetime
import io
import json
import logging

import pytest
from django.conf import settings as django_settings

from audit import record
from audit.checkpoint import Checkpoint, CheckpointError, checkpoint_path, read_checkpoint
from audit.models import AuditEvent
from ops.logging import JsonFormatter, RequestIdFilter
from ops.tasks import checkpoint_audit_chain

from ..audit import conftest as audit_fixtures

# The audit tests' way to tamper with the trail as the table's owner could.
tamper = audit_fixtures.tamper


@pytest.fixture
def json_log():
    """What the checkpoint logger writes, as the production handler formats it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("audit.checkpoint")
    logger.addHandler(handler)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)


def test_beat_runs_the_checkpoint_every_few_minutes():
    """The beat schedule has the checkpoint task, no rarer than SHIMTEO_AUDIT_CHECKPOINT_MINUTES."""
    entry = django_settings.CELERY_BEAT_SCHEDULE["checkpoint-audit-chain"]
    assert entry["task"] == checkpoint_audit_chain.name == "ops.checkpoint_audit_chain"
    assert entry["schedule"] == datetime.timedelta(
        minutes=django_settings.SHIMTEO_AUDIT_CHECKPOINT_MINUTES
    )


def test_the_task_writes_a_signed_checkpoint_file_and_a_json_log_line(alice, north_case, json_log):
    """The head's sequence, hash and count, signed, in a private file and in one JSON log line."""
    record(alice, "view", north_case)
    head = record(alice, "update", north_case, fields=["status"])

    result = checkpoint_audit_chain.delay().get()

    checkpoint = read_checkpoint()
    assert checkpoint.authentic
    assert (checkpoint.sequence, checkpoint.count, checkpoint.head) == (head.pk, 2, head.hash)
    assert result == {"sequence": head.pk, "count": 2, "head": head.hash}
    assert oct(checkpoint_path().stat().st_mode & 0o777) == "0o600"
    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    logged = [line["audit_checkpoint"] for line in lines if "audit_checkpoint" in line]
    assert logged == [checkpoint.as_dict()]
    assert Checkpoint.from_dict(logged[0]) == checkpoint


def test_each_run_extends_the_previous_checkpoint(alice):
    """A later checkpoint counts the events since the previous one on top of its count."""
    record(alice, "login")
    first = checkpoint_audit_chain.delay().get()
    record(alice, "view")
    record(alice, "logout")
    second = checkpoint_audit_chain.delay().get()

    assert first["count"] == 1 and second["count"] == 3 == AuditEvent.objects.count()


def test_the_task_fails_loudly_over_a_cut_tail_and_keeps_the_last_good_checkpoint(
    alice, tamper, json_log
):
    """A trail that lost events since the last checkpoint is not signed; a critical line says so."""
    record(alice, "login")
    last = record(alice, "view")
    checkpoint_audit_chain.delay().get()
    before = checkpoint_path().read_bytes()
    tamper("DELETE FROM audit_auditevent WHERE sequence = %s", [last.pk])

    with pytest.raises(CheckpointError):
        checkpoint_audit_chain.delay().get()

    assert checkpoint_path().read_bytes() == before
    critical = [json.loads(line) for line in json_log.getvalue().splitlines()][-1]
    assert critical["level"] == "CRITICAL" and f"event #{last.pk}" in critical["problem"]
