"""
What every benchmark shares: Django set up against the seeded PostgreSQL database, signed-in
sessions without a login form, and the statistics printed.

Benchmarks are measurements, not tests: they run against `DATABASE_URL` (a database seeded with
`manage.py seed_demo --people 100000`), never in CI, and print figures instead of asserting them.
"""

import os
import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The personas of the figures: a caseworker with thousands of cases, and the supervisor of the
# larger team (every case of the team is visible to them).
CASEWORKER = "yanbian.caseworker1"
SUPERVISOR = "yanbian.supervisor"
# A caseworker who holds 40 of the team's cases at any size (`demo.staff`, `DemoUser.caseload`):
# the caseload a real caseworker holds, among a team of thousands.
FEW_CASES = "yanbian.caseworker4"
# The personas of the pages and searches, in that order.
PERSONAS = (CASEWORKER, FEW_CASES, SUPERVISOR)


def setup_django() -> None:
    """Django against DATABASE_URL, as production runs it (DEBUG off), refusing SQLite."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_DEBUG", "false")
    # The test client calls itself "testserver"; gunicorn is reached as 127.0.0.1.
    os.environ.setdefault("ALLOWED_HOSTS", "localhost,127.0.0.1,testserver")
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        sys.exit(
            "Set DATABASE_URL to the seeded PostgreSQL database, e.g.\n"
            "  createdb -h 127.0.0.1 -U postgres shimteo_bench\n"
            "  export DATABASE_URL=postgres://postgres@127.0.0.1:5432/shimteo_bench\n"
            "  .venv/bin/python manage.py migrate && "
            ".venv/bin/python manage.py seed_demo --people 100000"
        )
    import logging

    import django

    django.setup()
    # Figures only: WeasyPrint's progress, Celery's and the keyring's notices would drown them.
    logging.disable(logging.WARNING)


def user(username: str):
    from accounts.models import User

    return User.objects.get(username=username)


def session_key(account) -> str:
    """
    A signed-in session with the second factor verified, stored in the database as the login and
    verify pages leave it; its key is the cookie a client sends.
    """
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY

    from accounts.middleware import AbsoluteSessionLifetimeMiddleware, SlidingSessionMiddleware
    from accounts.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=account, confirmed=True).first()
    if device is None:
        sys.exit(f"{account.username} has no confirmed authenticator: run seed_demo first.")
    if not issubclass(import_module(settings.SESSION_ENGINE).SessionStore, SessionStore):
        sys.exit(f"Sessions are expected in the database, not {settings.SESSION_ENGINE}.")
    store = SessionStore()
    store[SESSION_KEY] = str(account.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = account.get_session_auth_hash()
    store[DEVICE_ID_SESSION_KEY] = device.persistent_id
    # As the login page leaves it: the idle and absolute lifetimes counted from now.
    store[SlidingSessionMiddleware.REFRESHED_AT] = int(time.time())
    store[AbsoluteSessionLifetimeMiddleware.SIGNED_IN_AT] = int(time.time())
    store.create()
    return store.session_key


def signed_in_client(account):
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = session_key(account)
    return client


@contextmanager
def timer():
    """`with timer() as elapsed:` then `elapsed()` is the seconds since the block began."""
    started = time.perf_counter()
    end = []
    yield lambda: (end[0] if end else time.perf_counter()) - started
    end.append(time.perf_counter())


def percentile(values, p: float) -> float:
    """The p-th percentile (0-100) by linear interpolation, as numpy's default does."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def summary_ms(seconds) -> str:
    ms = [s * 1000 for s in seconds]
    return f"median {statistics.median(ms):7.1f} ms  p95 {percentile(ms, 95):7.1f} ms"


def heading(title: str) -> None:
    print(f"\n== {title} " + "=" * max(0, 74 - len(title)), flush=True)


def line(text: str) -> None:
    print(f"  {text}", flush=True)
