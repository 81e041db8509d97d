import pytest

from config.celery import ping

from .conftest import SHARES_THE_WORKERS

pytestmark = [pytest.mark.worker, SHARES_THE_WORKERS]


def test_a_real_worker_answers(celery_worker):
    """A task sent through Redis is run by the worker process, not in the test."""
    assert ping.delay().get(timeout=30) == "pong"
    assert celery_worker.poll() is None
