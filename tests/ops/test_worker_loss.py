"""
A whole worker lost in the middle of a render (its container or machine dies): the Celery main
process and its pool children are killed together, so nobody acknowledges or gives back the
message. Unlike the death of a pool child alone (test_faults.py), where the main process puts the
task back at once, only the broker's visibility timeout brings this one back.
"""

import time
from pathlib import Path

import pytest
import redis

from legal_aid.models import AdvocacyDocument

from ..scenarios import detained_mother_with_chinese_partner
from .conftest import request_brief_of
from .test_faults import wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.worker]

Status = AdvocacyDocument.Status

# Seconds; production's is 900 (SHIMTEO_BROKER_VISIBILITY_TIMEOUT). Short, but longer than a
# render (about 3 s on a cold worker): a sweep finding a render still running after this long
# delivers it a second time. It is the sweeping worker's own setting that counts, so every
# worker gets it, and this process too, to be consistent.
VISIBILITY_TIMEOUT = 5

# kombu's Redis transport keeps each delivered, not yet acknowledged message in a hash, and its
# delivery time in a sorted set, shared by every queue of the Redis database.
UNACKED_INDEX = "unacked_index"
UNACKED = "unacked"


def is_gone(pid: int) -> bool:
    # A killed child whose parent died too may stay a zombie until init reaps it: dead all the same.
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().rsplit(")", 1)[1].split()[0] in {"Z", "X"}
    except FileNotFoundError:
        return True


def test_a_whole_worker_lost_during_a_render_is_redelivered_after_the_visibility_timeout(
    own_redis, broker_at, worker_factory, settings, north_case, alice
):
    """
    What the operator should know: when a PDF worker dies as a whole (container or machine gone,
    OOM killer on the main process), the render it had taken comes back by itself, but only once
    the broker's visibility timeout has passed since the worker took it: 900 s by default
    (SHIMTEO_BROKER_VISIBILITY_TIMEOUT). Until then the document shows "rendering", and
    ops.requeue_stalled_documents does not touch it (it sends again queued documents only).

    The message is brought back by a running worker, any worker on the same Redis database, of
    any queue: kombu's sweep (restore_visible) runs when a worker starts consuming, then every
    unacked_restore_interval x unacked_restore_throttle seconds (10 x 10 = 100 s by default).
    So with a replacement started at once, expect the render back 900 to about 1000 s after the
    loss; a worker started after the timeout has passed takes it back as it starts, as here.
    The lost attempt is counted: the document ends ready with 2 attempts.

    The unacknowledged message lives only in Redis: if Redis loses its data meanwhile, nothing
    sends the render again and the document stays "rendering" (a retry takes failed ones only).
    """
    transport = {"visibility_timeout": VISIBILITY_TIMEOUT}
    visibility_environment = {"SHIMTEO_BROKER_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT)}
    broker_at(own_redis.url, transport_options=transport)
    broker = redis.Redis.from_url(own_redis.url)
    family = detained_mother_with_chinese_partner(case=north_case, actor=alice)
    lost = worker_factory(own_redis.url, **visibility_environment)
    queue = settings.SHIMTEO_PDF_QUEUE

    document = request_brief_of(north_case, family.child, alice)
    wait_for(document, Status.RENDERING, Status.READY, poll=0.01)
    assert document.status == Status.RENDERING, "the render finished before it could be killed"
    processes = [lost.process.pid, *lost.children()]
    assert len(processes) == 2  # the main process and its one pool child
    lost.kill_all()
    deadline = time.monotonic() + 5
    while not all(is_gone(pid) for pid in processes) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert all(is_gone(pid) for pid in processes)

    # Nothing was acknowledged or given back: the message is held aside, not in the queue.
    ((_, taken_at),) = broker.zrange(UNACKED_INDEX, 0, -1, withscores=True)
    assert broker.hlen(UNACKED) == 1
    assert broker.llen(queue) == 0
    document.refresh_from_db()
    assert (document.status, document.attempts) == (Status.RENDERING, 1)

    # Once the timeout has passed it is still held: only a running worker's sweep restores it.
    time.sleep(max(0.0, taken_at + VISIBILITY_TIMEOUT + 0.5 - time.time()))
    assert broker.zcard(UNACKED_INDEX) == 1
    assert broker.llen(queue) == 0

    # A new worker, started afterwards, restores it as it starts consuming, then renders it.
    worker_factory(own_redis.url, **visibility_environment)
    document = wait_for(document, Status.READY, Status.FAILED)
    assert document.status == Status.READY, document.failure_reason
    assert document.attempts == 2  # the lost attempt counts
    assert document.failure_reason == ""
    assert document.page_count >= 1 and document.sha256
    # Acknowledged this time (just after the task returns): nothing is left to come back later.
    deadline = time.monotonic() + 10
    while broker.zcard(UNACKED_INDEX) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert broker.zcard(UNACKED_INDEX) == 0
    assert broker.hlen(UNACKED) == 0
    assert broker.llen(queue) == 0
