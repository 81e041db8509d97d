"""
The caseworker's pages — case list, case page, person page, dashboard — timed in-process through
the Django test client (server time and query count per request), and through gunicorn with wrk
on loopback (what a browser would wait, with the WSGI server in between).
"""

import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .common import (
    PERSONAS,
    ROOT,
    heading,
    line,
    percentile,
    session_key,
    signed_in_client,
    summary_ms,
    user,
)

SAMPLE_OBJECTS = 20
# The floor: a signed-in page through the same middleware, base template and session as the
# others, doing one indexed query of its own (the legal library's list of source documents).
# Machines here differ by 2x from day to day; a page's ratio to the floor, taken in the same run,
# does not.
FLOOR = "floor"
PAGE_NAMES = (FLOOR, "case list", "case list p.40", "case page", "person page", "dashboard")


NEXT_LINK = re.compile(r'<a href="(?P<href>[^"]*)" rel="next">')


def _reached_through_links(account, page: int) -> str:
    """
    The address of the case list's page `page` as a user reaches it: page 1, then its "Next
    page" link, then that page's, and so on (each link carries the key of the case the page
    ended with, casework.pagination), so that the benchmark reads the page its link reads. For
    a caseload of fewer pages (the caseworker of 40 cases), its last page.
    """
    from html import unescape

    from django.urls import reverse

    client = signed_in_client(account)
    url = reverse("casework:case_list")
    for _ in range(page - 1):
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
        link = NEXT_LINK.search(response.content.decode())
        if link is None:
            break
        url = reverse("casework:case_list") + unescape(link["href"])
    return url


def urls_for(account) -> dict[str, list[str]]:
    """Every page's URLs for `account`: a spread of their cases and people, not the first few."""
    from django.urls import reverse

    from casework.models import Case, Person

    cases = list(
        Case.objects.visible_to(account).order_by("reference").values_list("reference", flat=True)
    )
    people = list(
        Person.objects.visible_to(account)
        .order_by("reference")
        .values_list("reference", flat=True)[:5000]
    )
    step_cases = max(1, len(cases) // SAMPLE_OBJECTS)
    step_people = max(1, len(people) // SAMPLE_OBJECTS)
    return {
        FLOOR: [reverse("legal_aid:library")],
        "case list": [reverse("casework:case_list")],
        # A page far down the list, reached as a user reaches it: through 39 "Next page" links
        # (each reads on from the key of the case its page ended with).
        "case list p.40": [_reached_through_links(account, 40)],
        "case page": [
            reverse("casework:case_detail", args=[ref])
            for ref in cases[::step_cases][:SAMPLE_OBJECTS]
        ],
        "person page": [
            reverse("casework:person_detail", args=[ref])
            for ref in people[::step_people][:SAMPLE_OBJECTS]
        ],
        "dashboard": [reverse("casework:dashboard")],
    }


def _one(client, url: str) -> tuple[float, int]:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    # The connection keeps the last 9,000 queries; once full, a capture's length stops growing
    # and every page would count 0 queries.
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    return elapsed, len(queries)


def in_process(requests_per_page: int = 40) -> dict:
    """
    Median/p95 server time and queries per page, per persona, through the test client, and each
    page's ratio to the floor. Every page request is followed by a floor request, and a page is
    divided by the floor requests made beside it: on cores shared with others the load moves
    within a run, and a floor taken once, minutes earlier, would move every ratio with it.
    """
    heading("Pages through the Django test client (in-process server time)")
    results = {}
    for persona in PERSONAS:
        account = user(persona)
        client = signed_in_client(account)
        urls = urls_for(account)
        floor_url = urls[FLOOR][0]
        all_floor_times = []
        for name in PAGE_NAMES[1:]:
            targets = urls[name]
            for url in targets[:3]:
                _one(client, url)  # warm: templates compiled, connection open
            _one(client, floor_url)
            times, counts, floor_times = [], [], []
            for i in range(requests_per_page):
                elapsed, count = _one(client, targets[i % len(targets)])
                times.append(elapsed)
                counts.append(count)
                floor_times.append(_one(client, floor_url)[0])
            all_floor_times += floor_times
            queries = (
                f"{min(counts)}" if min(counts) == max(counts) else f"{min(counts)}-{max(counts)}"
            )
            figures = results[(persona, name)] = {
                "median_ms": statistics.median(times) * 1000,
                "p95_ms": percentile(times, 95) * 1000,
                "queries": queries,
                "median_x": statistics.median(times) / statistics.median(floor_times),
                "p95_x": percentile(times, 95) / percentile(floor_times, 95),
            }
            line(
                f"{persona:<20} {name:<15} {summary_ms(times)}  queries {queries:<5}  "
                f"{figures['median_x']:4.1f}x / {figures['p95_x']:4.1f}x floor"
            )
        floor_queries = _one(client, floor_url)[1]
        results[(persona, FLOOR)] = {
            "median_ms": statistics.median(all_floor_times) * 1000,
            "p95_ms": percentile(all_floor_times, 95) * 1000,
            "queries": str(floor_queries),
        }
        line(
            f"{persona:<20} {FLOOR:<15} {summary_ms(all_floor_times)}  queries {floor_queries:<5}  "
            "(all floor requests of the persona)"
        )
    return results


# Through gunicorn --------------------------------------------------------------------------------

WRK_SCRIPT = """
local paths = {%(paths)s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %%d %%d %%d %%d %%.1f %%.1f\\n",
    summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read
      + summary.errors.write + summary.errors.timeout,
    summary.duration, 0, latency:percentile(50) / 1000, latency:percentile(95) / 1000))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """gunicorn serving config.wsgi on a free loopback port, with `workers` sync workers."""

    def __init__(self, workers: int = 2):
        self.port = free_port()
        self.workers = workers
        self.process = None

    def __enter__(self):
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
        self.log = tempfile.NamedTemporaryFile(
            prefix="bench-gunicorn-", suffix=".log", delete=False
        )
        self.process = subprocess.Popen(  # noqa: S603 - our own fixed command line
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--access-logfile",
                "-" if os.environ.get("BENCH_ACCESS_LOG") else "/dev/null",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.2)
        self.__exit__(None, None, None)
        raise RuntimeError(f"gunicorn did not start: see {self.log.name}")

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_until_serving(self, path: str, *, headers: dict, timeout: float = 180) -> float:
        """
        Wait until every worker answers: `workers` requests at once, all answered within 5 s.
        The master listens at once, but on a loaded machine its workers take 10-30 s to import
        Django, and wrk then counted no request at all (0 answers within its run, no error).
        Returns the seconds waited.
        """
        from concurrent.futures import ThreadPoolExecutor
        from urllib.request import Request, urlopen

        def answered(_):
            try:
                with urlopen(Request(self.base + path, headers=headers), timeout=5) as answer:  # noqa: S310 - loopback
                    return 200 <= answer.status < 300
            except OSError:
                return False

        started = time.monotonic()
        with ThreadPoolExecutor(self.workers) as pool:
            while time.monotonic() - started < timeout:
                if all(pool.map(answered, range(self.workers))):
                    return time.monotonic() - started
                time.sleep(1)
        raise RuntimeError(f"gunicorn's workers did not all answer within {timeout} s")


def wrk(
    base: str, paths: list[str], *, headers: dict, seconds: int, connections: int, threads: int = 2
) -> dict:
    """Run wrk over `paths` in turn; requests/s, errors (incl. non-2xx), median and p95 in ms."""
    quoted = ", ".join('"' + p.replace('"', '\\"') + '"' for p in paths)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % {"paths": quoted})
    command = [
        "wrk",
        "-t",
        str(min(threads, connections)),
        "-c",
        str(connections),
        "-d",
        f"{seconds}s",
        "--timeout",
        "10s",
        "-s",
        script.name,
    ]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(  # noqa: S603 - wrk with our own arguments
        [*command, base + paths[0]], capture_output=True, text=True, check=True
    ).stdout
    os.unlink(script.name)
    match = re.search(r"RESULT (\d+) (\d+) (\d+) \d+ ([\d.]+) ([\d.]+)", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    requests, errors, duration_us = int(match[1]), int(match[2]), int(match[3])
    return {
        "rps": requests / (duration_us / 1e6),
        "requests": requests,
        "errors": errors + (int(non_2xx[1]) if non_2xx else 0),
        "median_ms": float(match[4]),
        "p95_ms": float(match[5]),
    }


def have_wrk() -> bool:
    return shutil.which("wrk") is not None


def through_gunicorn(seconds: int = 8, connections: int = 1) -> dict:
    from django.conf import settings

    heading(
        f"Pages through gunicorn (2 sync workers) with wrk on loopback, "
        f"{connections} connections, {seconds} s each"
    )
    if not have_wrk():
        line("wrk is not installed (apt-get install -y wrk): skipped")
        return {}
    results = {}
    with Gunicorn(workers=2) as server:
        for persona in PERSONAS:
            account = user(persona)
            cookie = f"{settings.SESSION_COOKIE_NAME}={session_key(account)}"
            urls = urls_for(account)
            for name in PAGE_NAMES:
                # Warm each worker (imports, templates, connection) before measuring.
                wrk(server.base, urls[name], headers={"Cookie": cookie}, seconds=1, connections=2)
                figures = wrk(
                    server.base,
                    urls[name],
                    headers={"Cookie": cookie},
                    seconds=seconds,
                    connections=connections,
                )
                results[(persona, name)] = figures
                line(
                    f"{persona:<20} {name:<15} median {figures['median_ms']:7.1f} ms  "
                    f"p95 {figures['p95_ms']:7.1f} ms  {figures['rps']:6.1f} req/s  "
                    f"errors {figures['errors']}"
                )
    return results
