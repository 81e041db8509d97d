import pytest

from config.celery import ping

pytestmark = pytest.mark.worker


def test_a_real_worker_answers(celery_worker):
    """A task sent through Redis is run by the worker process, not in the test."""
    assert ping.delay().get(timeout=30) == "pong"
    assert celery_worker.poll() is None
