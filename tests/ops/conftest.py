"""
Fixtures of the operations tests: a Redis of our own on a free loopback port (the machine's Redis
on 6379 is shared and must never be stopped), and helpers to run the app's processes.
"""

import contextlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import kombu.pools
import pytest

from config.celery import app as celery_app

from ..conftest import require

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "var" / "test-artifacts"
WORKER_START_S = 120


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, *, up: bool, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                if up:
                    return
        except OSError:
            if not up:
                return
        time.sleep(0.05)
    raise TimeoutError(f"port {port} still {'down' if up else 'up'} after {timeout}s")


class OwnRedis:
    """A throw-away redis-server on 127.0.0.1, with no persistence, that a test may stop."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port, up=True)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        wait_for_port(self.port, up=False)


def request_brief_of(case, child, actor):
    """A pseudonymised child access brief in Korean, requested as a caseworker would."""
    from legal_aid import services
    from legal_aid.models import AdvocacyDocument

    return services.document_request(
        kind=AdvocacyDocument.Kind.CHILD_ACCESS_BRIEF,
        case=case,
        subject=child,
        language="ko",
        redaction=AdvocacyDocument.Redaction.PSEUDONYMISED,
        actor=actor,
    )


def reset_celery_connections():
    # The app caches broker pools and producers: drop them so a changed broker URL takes effect.
    kombu.pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    celery_app._backend_cache = None
    celery_app._local.__dict__.pop("backend", None)


@pytest.fixture
def own_redis():
    require(shutil.which("redis-server") is not None, "redis-server is not installed")
    redis = OwnRedis()
    redis.start()
    try:
        yield redis
    finally:
        redis.stop()


@pytest.fixture
def broker_at(settings):
    """
    Point the Celery app at a broker URL for the test (not eager), and back afterwards.
    `transport_options` (such as a short visibility_timeout) are added to the settings' ones and
    kept by later calls that do not give any.
    """
    previous = {
        key: celery_app.conf[key]
        for key in (
            "broker_url",
            "result_backend",
            "task_always_eager",
            "broker_transport_options",
        )
    }

    def point(url, *, results=False, transport_options=None):
        celery_app.conf.update(
            broker_url=url, result_backend=url if results else None, task_always_eager=False
        )
        if transport_options is not None:
            # A new dict: the settings' one must not change for the next tests.
            celery_app.conf.broker_transport_options = {
                **(celery_app.conf.broker_transport_options or {}),
                **transport_options,
            }
        settings.CELERY_TASK_ALWAYS_EAGER = False
        settings.CELERY_BROKER_URL = url
        reset_celery_connections()

    yield point
    celery_app.conf.update(previous)
    # A pool of a stopped broker may fail to close; it is dropped anyway.
    with contextlib.suppress(Exception):
        celery_app.pool.force_close_all()
    reset_celery_connections()


@pytest.fixture(autouse=True)
def _request_id_middleware(settings):
    # Until config/settings.py lists it (test_logs checks that it does), put it first here.
    if "ops.middleware.RequestIdMiddleware" not in settings.MIDDLEWARE:
        settings.MIDDLEWARE = ["ops.middleware.RequestIdMiddleware", *settings.MIDDLEWARE]


def database_url(settings_dict) -> str:
    user = settings_dict.get("USER") or "postgres"
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{settings_dict['NAME']}"


def app_environment(settings, **extra) -> dict:
    from django.db import connection

    return {
        **os.environ,
        "DATABASE_URL": database_url(connection.settings_dict),
        "SHIMTEO_ENV": "development",
        "SHIMTEO_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "DJANGO_DEBUG": "False",
        **extra,
    }


def end_session(process) -> None:
    """
    SIGKILL to a process started with `start_new_session=True` and to its children (a Celery
    pool's, gunicorn's workers), once a test is done with them. Not SIGTERM: a graceful stop ends in
    the interpreter's finalization, whose garbage collection of the Django, Celery and WeasyPrint
    heap costs about 0.5 s of CPU per process (5-8 s of a test's teardown on a loaded 2-core
    machine), and no test looks at how these processes stop. A process that already ended (and
    was reaped) is left alone: its id, and so its group's, may belong to another process now.
    """
    if process.poll() is None:
        # With a session of its own, the process group's id is the process's id.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


class Worker:
    """
    A Celery worker process (prefork, one child) on its own queue of a given broker. It and its
    pool children form a process group of their own, which `kill_all` kills at once, as when the
    worker's container or machine dies.
    """

    def __init__(self, *, broker_url, queue, environment, log_name, on_start):
        self.broker_url, self.queue, self.environment = broker_url, queue, environment
        self.on_start = on_start
        self.log = ARTIFACTS / log_name
        self.process = None

    def start(self):
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "worker",
                    "--pool=prefork",
                    "--concurrency=1",
                    "-Q",
                    self.queue,
                    "--without-heartbeat",
                    "--without-gossip",
                    "--without-mingle",
                    "--loglevel=INFO",
                ],
                cwd=ROOT,
                env={**self.environment, "CELERY_BROKER_URL": self.broker_url},
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.on_start()
        # Generous, and over as soon as it answers: a worker's start (Django, Celery, WeasyPrint)
        # and a render queued before the ping (test_worker_loss's) took over 30 s together at load
        # 15-18 on the 2-core machine, where 30 s failed the test.
        celery_app.signature("shimteo.ping", queue=self.queue).delay().get(timeout=WORKER_START_S)

    def children(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in path.read_text().split()] if path.exists() else []

    def kill_all(self):
        """SIGKILL to the main process and its pool children together: nothing gets to clean up."""
        assert self.process.poll() is None, "the worker ended before it could be killed"
        end_session(self.process)

    def stop(self):
        if self.process is not None:
            end_session(self.process)


@pytest.fixture
def worker_factory(transactional_db, settings, broker_at):
    """Start Celery workers on a given broker, on this test's own queue (pdf tasks included)."""
    from django.db import connection

    require(connection.vendor == "postgresql", "a Celery worker needs the PostgreSQL test database")
    queue = f"ops-test-{os.getpid()}-{time.monotonic_ns()}"
    settings.SHIMTEO_PDF_QUEUE = queue
    previous_queue = celery_app.conf.task_default_queue
    workers = []

    def start(broker_url, *, start=True, **extra_environment):
        # Results (for the tests to wait on) only once the worker runs: a Redis result backend
        # that is down makes every send wait about 20 s for it, which production (no result
        # backend) never does.
        broker_at(broker_url)
        celery_app.conf.task_default_queue = queue
        worker = Worker(
            broker_url=broker_url,
            queue=queue,
            environment=app_environment(
                settings,
                CELERY_RESULT_BACKEND=broker_url,
                SHIMTEO_PDF_QUEUE=queue,
                **extra_environment,
            ),
            log_name="ops-celery-worker.log",
            on_start=lambda: broker_at(broker_url, results=True),
        )
        workers.append(worker)
        if start:
            worker.start()
        return worker

    yield start
    for worker in workers:
        worker.stop()
    celery_app.conf.task_default_queue = previous_queue


class Server:
    """gunicorn serving the app on a free loopback port, against the test database."""

    def __init__(self, environment):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.environment = environment
        self.log = ARTIFACTS / "ops-gunicorn.log"

    def start(self, *, workers=1, threads=4):
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "config.wsgi:application",
                    f"--bind=127.0.0.1:{self.port}",
                    f"--workers={workers}",
                    f"--threads={threads}",
                    "--timeout=30",
                ],
                cwd=ROOT,
                env=self.environment,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_for_port(self.port, up=True, timeout=30)
        self.wait_for_an_answer()

    def wait_for_an_answer(self, timeout: float = 90) -> None:
        """
        Until the app answers a request, whatever its status. gunicorn's master listens before its
        worker has loaded Django, which took more than the 4 s the container's health check waits
        on a loaded 2-core machine (the health check test failed so); a container's start period
        covers that boot, this wait does here. No redirects followed: production's go to https.
        """
        deadline = time.monotonic() + timeout
        while True:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
            try:
                connection.request("GET", "/healthz")
                connection.getresponse().read()
                return
            except (OSError, http.client.HTTPException):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
            finally:
                connection.close()

    def stop(self):
        end_session(self.process)


@pytest.fixture
def gunicorn_server(transactional_db, settings):
    """Start gunicorn (the ops settings: request ids and the 503 page) on the test database."""
    from django.db import connection

    require(connection.vendor == "postgresql", "the server tests need PostgreSQL")
    servers = []

    def start(**extra):
        server = Server(
            app_environment(
                settings,
                DJANGO_SETTINGS_MODULE="tests.ops.ops_settings",
                SHIMTEO_DB_CONN_MAX_AGE="60",
                **extra,
            )
        )
        server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
