"""
A real Celery worker, in its own process, on the machine's Redis and the test database. Tests
that use it are transactional: the worker sees only what the test committed.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import kombu.pools
import pytest
from django.db import connection

from config.celery import app as celery_app

from ..conftest import require

ROOT = Path(__file__).resolve().parents[2]
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
BROKER_DB = 14


def _redis_is_up() -> bool:
    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=1):
            return True
    except OSError:
        return False


def _database_url(settings_dict) -> str:
    user = settings_dict.get("USER") or "postgres"
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{settings_dict['NAME']}"


def _fresh_broker_connections():
    # Stopping a worker closes the app's broker pool for good, and an eager task run earlier
    # caches "no result backend": drop both so each worker test starts clean.
    kombu.pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    celery_app._backend_cache = None
    celery_app._local.__dict__.pop("backend", None)


@pytest.fixture
def celery_worker(transactional_db, settings):
    """
    Start `celery worker` against the test database and this test's media folder; tasks sent
    by the test go to it.
    """
    require(_redis_is_up(), "a Celery worker needs Redis on 127.0.0.1:6379")
    require(connection.vendor == "postgresql", "a Celery worker needs the PostgreSQL test database")
    broker = f"redis://{REDIS_HOST}:{REDIS_PORT}/{BROKER_DB}"
    queue = f"test-{os.getpid()}-{time.monotonic_ns()}"
    environment = {
        **os.environ,
        "CELERY_BROKER_URL": broker,
        "CELERY_RESULT_BACKEND": broker,
        "DATABASE_URL": _database_url(connection.settings_dict),
        "SHIMTEO_ENV": "development",
        "SHIMTEO_MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    log = ROOT / "var" / "test-artifacts" / "celery-worker.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as output:
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--concurrency=1",
                "-Q",
                queue,
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
                "--loglevel=INFO",
            ],
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    previous = {
        key: celery_app.conf[key]
        for key in ("broker_url", "result_backend", "task_always_eager", "task_default_queue")
    }
    celery_app.conf.update(
        broker_url=broker,
        result_backend=broker,
        task_always_eager=False,
        task_default_queue=queue,
    )
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.SHIMTEO_PDF_QUEUE = queue  # PDF renders go to their own queue in production
    _fresh_broker_connections()
    try:
        celery_app.signature("shimteo.ping", queue=queue).delay().get(timeout=30)
        yield worker
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
        celery_app.conf.update(previous)
        celery_app.pool.force_close_all()
        _fresh_broker_connections()
