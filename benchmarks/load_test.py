"""
Load test (a benchmark, not a CI test): N concurrent signed-in users browse the main pages and the
API of a Shimteo served by gunicorn on loopback, for a fixed time, and the figures are printed.

    # a database with the demo data (once):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shimteo_bench .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shimteo_bench .venv/bin/python manage.py seed_demo
    # start gunicorn on a free loopback port and run 20 users for 2 minutes:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shimteo_bench \\
        .venv/bin/python benchmarks/load_test.py --serve --users 20 --duration 120

Without --serve it targets --url (loopback only). Sessions and API tokens are made directly in the
database (the server must use the same DATABASE_URL and SECRET_KEY): a sign-in with a one-time
code cannot be repeated by twenty users of six demo accounts within one 30-second window.
"""

import argparse
import ipaddress
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def require_loopback(url: str) -> None:
    host = urllib.parse.urlsplit(url).hostname or ""
    if host != "localhost" and not ipaddress.ip_address(host).is_loopback:
        raise SystemExit("The load test targets loopback addresses only.")


def start_gunicorn(workers: int, threads: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    environment = {**os.environ, "LOG_LEVEL": "WARNING", "DJANGO_DEBUG": "False"}
    process = subprocess.Popen(  # noqa: S603 - fixed arguments
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            f"--bind=127.0.0.1:{port}",
            f"--workers={workers}",
            f"--threads={threads}",
            "--timeout=60",
        ],
        cwd=ROOT,
        env=environment,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("gunicorn did not start")


def make_identities(count: int) -> list[dict]:
    """A signed-in session and an API token per virtual user, over the demo caseworkers."""
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY
    from knox.models import AuthToken

    from accounts.middleware import AbsoluteSessionLifetimeMiddleware, SlidingSessionMiddleware
    from accounts.models import TOTPDevice, User
    from casework.models import Case, Person

    users = list(User.objects.filter(username__contains="caseworker", is_active=True))
    users += list(User.objects.filter(username__contains="supervisor", is_active=True))
    if not users:
        raise SystemExit("No demo users: run `manage.py seed_demo` on this database first.")
    identities = []
    for index in range(count):
        user = users[index % len(users)]
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        # As the sign-in leaves it: without these stamps the absolute lifetime ended the
        # session, and every page measured was the redirect to the sign-in page.
        session[SlidingSessionMiddleware.REFRESHED_AT] = int(time.time())
        session[AbsoluteSessionLifetimeMiddleware.SIGNED_IN_AT] = int(time.time())
        session.create()
        instance, token = AuthToken.objects.create(user=user)
        cases = list(Case.objects.visible_to(user).values_list("reference", flat=True)[:20])
        people = list(Person.objects.visible_to(user).values_list("reference", flat=True)[:20])
        identities.append(
            {
                "cookie": f"sessionid={session.session_key}",
                "token": token,
                "token_instance": instance,
                "cases": cases,
                "people": people,
            }
        )
    return identities


class Results:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = {}
        self.statuses: Counter = Counter()
        self.errors: Counter = Counter()

    def add(self, kind: str, status, seconds: float) -> None:
        with self.lock:
            self.latencies.setdefault(kind, []).append(seconds)
            self.statuses[status] += 1
            if not (isinstance(status, int) and status < 400):
                self.errors[f"{kind} {status}"] += 1


def browse(base: str, identity: dict, results: Results, until: float, seed: int) -> None:
    chooser = random.Random(seed)  # noqa: S311 - picking pages, not secrets
    while time.monotonic() < until:
        pages = [("dashboard", "/"), ("case list", "/cases/")]
        if identity["cases"]:
            pages.append(("case page", f"/cases/{chooser.choice(identity['cases'])}/"))
        if identity["people"]:
            pages.append(("person page", f"/people/{chooser.choice(identity['people'])}/"))
        api = [("api cases", "/api/v1/cases/"), ("api persons", "/api/v1/persons/")]
        for kind, path in [*pages, *api]:
            if time.monotonic() >= until:
                return
            headers = (
                {"Authorization": f"Token {identity['token']}", "Accept": "application/json"}
                if kind.startswith("api")
                else {"Cookie": identity["cookie"]}
            )
            request = urllib.request.Request(base + path, headers=headers)  # noqa: S310 - loopback, checked
            started = time.monotonic()
            try:
                with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                    response.read()
                    status = response.status
            except urllib.error.HTTPError as error:
                status = error.code
            except OSError as error:
                status = type(error).__name__
            results.add(kind, status, time.monotonic() - started)


def wait_until_serving(base: str, workers: int, timeout: float = 180) -> None:
    """
    Wait until every worker answers (`workers` requests at once, each within 5 s): on a loaded
    machine they take half a minute to import Django, which the figures would otherwise count.
    """
    from concurrent.futures import ThreadPoolExecutor

    def answered(_):
        # Any answer will do (the health check may report a missing Redis): the worker is up.
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=5):  # noqa: S310
                return True
        except urllib.error.HTTPError:
            return True
        except OSError:
            return False

    deadline = time.monotonic() + timeout
    with ThreadPoolExecutor(workers) as pool:
        while time.monotonic() < deadline:
            if all(pool.map(answered, range(workers))):
                return
            time.sleep(1)
    raise SystemExit(f"gunicorn's workers did not all answer within {timeout:.0f} s")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--serve", action="store_true", help="start gunicorn on a free port")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--duration", type=float, default=120.0, help="seconds (at most 600)")
    options = parser.parse_args()
    duration = min(options.duration, 600.0)

    server, base = None, options.url.rstrip("/")
    if options.serve:
        server, base = start_gunicorn(options.workers, options.threads)
    require_loopback(base)
    identities = []
    try:
        identities = make_identities(options.users)
        if server is not None:
            wait_until_serving(base, options.workers)
        results = Results()
        started = time.monotonic()
        until = started + duration
        threads = [
            threading.Thread(target=browse, args=(base, identity, results, until, index))
            for index, identity in enumerate(identities)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=duration + 60)
        elapsed = time.monotonic() - started
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        # The tokens made for the run go with it (their sessions expire on their own).
        for identity in identities:
            identity["token_instance"].delete()

    total = sum(results.statuses.values())
    every = [value for values in results.latencies.values() for value in values]
    print(f"{options.users} users, {elapsed:.0f} s, {total} requests, {total / elapsed:.1f} req/s")
    print(f"errors: {sum(results.errors.values())} {dict(results.errors) or ''}")
    print(f"{'page':<14}{'requests':>9}{'median ms':>11}{'p95 ms':>9}{'max ms':>9}")
    for kind, values in sorted(results.latencies.items()):
        print(
            f"{kind:<14}{len(values):>9}{statistics.median(values) * 1000:>11.0f}"
            f"{percentile(values, 0.95) * 1000:>9.0f}{max(values) * 1000:>9.0f}"
        )
    if every:
        print(
            f"{'all':<14}{len(every):>9}{statistics.median(every) * 1000:>11.0f}"
            f"{percentile(every, 0.95) * 1000:>9.0f}{max(every) * 1000:>9.0f}"
        )
    return 1 if results.errors else 0


if __name__ == "__main__":
    sys.exit(main())
