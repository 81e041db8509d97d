"""
A real Celery worker, in its own process, on the machine's Redis and the test database. Tests
that use it are transactional: the worker sees only what the test committed.
"""

import contextlib
import os
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
from ..ops.conftest import end_session

ROOT = Path(__file__).resolve().parents[2]
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
BROKER_DB = 14
BROKER = f"redis://{REDIS_HOST}:{REDIS_PORT}/{BROKER_DB}"
PING_TIMEOUT_S = 120


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


def _start_worker(queue: str, environment: dict, log) -> subprocess.Popen:
    return subprocess.Popen(
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
            f"--hostname={queue}@%h",
        ],
        cwd=ROOT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # for end_session
    )


@contextlib.contextmanager
def _started_workers(media_root, count: int):
    """
    `count` `celery worker` processes against the test database and `media_root`, each on a
    queue of its own: [(process, queue), ...]. Stopped on leaving.
    """
    require(_redis_is_up(), "a Celery worker needs Redis on 127.0.0.1:6379")
    require(connection.vendor == "postgresql", "a Celery worker needs the PostgreSQL test database")
    queues = [f"test-{os.getpid()}-{time.monotonic_ns()}-{n}" for n in range(count)]
    environment = {
        **os.environ,
        "CELERY_BROKER_URL": BROKER,
        "CELERY_RESULT_BACKEND": BROKER,
        "DATABASE_URL": _database_url(connection.settings_dict),
        "SHIMTEO_ENV": "development",
        "SHIMTEO_MEDIA_ROOT": str(media_root),
    }
    log = ROOT / "var" / "test-artifacts" / "celery-worker.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as output:
        workers = [_start_worker(queue, environment, output) for queue in queues]
    try:
        yield list(zip(workers, queues, strict=True))
    finally:
        for worker in workers:
            end_session(worker)


@contextlib.contextmanager
def _sending_to(settings, workers):
    """
    For one test: tasks go through Redis to `workers` (those sent without a queue to the first),
    not run eagerly here, and files are where the workers write them. Each worker answers a ping
    first. Put back as it was afterwards, so that the next test runs its tasks eagerly again.
    """
    queues = [queue for _worker, queue in workers]
    previous = {
        key: celery_app.conf[key]
        for key in ("broker_url", "result_backend", "task_always_eager", "task_default_queue")
    }
    celery_app.conf.update(
        broker_url=BROKER,
        result_backend=BROKER,
        task_always_eager=False,
        task_default_queue=queues[0],
    )
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.SHIMTEO_PDF_QUEUE = queues[0]  # PDF renders go to their own queue in production
    _fresh_broker_connections()
    try:
        for queue in queues:
            # Generous: two workers starting at once on a loaded 2-core machine took over 30 s
            # to answer (Django, Celery and WeasyPrint imported by each); the wait ends as soon as
            # they answer.
            celery_app.signature("shimteo.ping", queue=queue).delay().get(timeout=PING_TIMEOUT_S)
        yield workers
    finally:
        celery_app.conf.update(previous)
        celery_app.pool.force_close_all()
        _fresh_broker_connections()


# The mark of every module of this package: under `--dist loadgroup` (`make test`) their tests run
# on one pytest worker, which starts the Celery workers below once for all of them.
SHARES_THE_WORKERS = pytest.mark.xdist_group("integration")


@pytest.fixture(scope="package")
def _package_workers(django_db_setup, tmp_path_factory):
    """
    Two worker processes for all the tests of this package, started together: (media folder,
    [(process, queue), ...]). Starting one (Django, Celery and WeasyPrint imported in a new
    interpreter) and stopping it cost more than most of the tests; started per module and per
    test, the package's four tests started four. Their files go to the package's own media
    folder; the tests' transactional data comes and goes as usual (a worker reads only what a
    test committed, and the flush after each test empties it for the next).
    """
    media = tmp_path_factory.mktemp("worker-media")
    with _started_workers(media, 2) as workers:
        yield media, workers


@pytest.fixture
def celery_worker(transactional_db, settings, _package_workers):
    """
    `celery worker` against the test database and the package's media folder; tasks sent by the
    test go to it.
    """
    media, workers = _package_workers
    settings.MEDIA_ROOT = media
    with _sending_to(settings, workers[:1]) as ((worker, _queue),):
        yield worker


@pytest.fixture
def two_celery_workers(transactional_db, settings, _package_workers):
    """Two `celery worker` processes, each on its own queue: [(process, queue), ...]."""
    media, workers = _package_workers
    settings.MEDIA_ROOT = media
    with _sending_to(settings, workers):
        yield workers
