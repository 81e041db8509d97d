"""
The case page and the person page (and the dashboard, asked with `--pages dashboard`) against the
floor, alternately, for the `pages` section's two personas: median and p95 server time and their
ratio to the floor requests made beside them, the process's CPU time per request
(`time.process_time()`: less moved by other processes than the wall clock on shared cores) and
the query count, and the Python calls of one request (cProfile). Narrower than `pages.in_process`, for the work on these pages (issue 22 point 2); the case list's two pages
too, on request (`--pages "case list" "case list p.40"`).

    DATABASE_URL=... .venv/bin/python -m benchmarks.case_pages --requests 30

Run from another checkout's directory (`cd ../main && python ../wt/x/benchmarks/case_pages.py`)
it measures that checkout's code: before and after, with the same script.
"""

import argparse
import os
import statistics
import sys
import time

if __package__ in (None, ""):  # run as a file: the code measured is that of the current directory
    sys.path.insert(0, os.getcwd())

from benchmarks.common import PERSONAS, percentile, setup_django

PAGES = ("case page", "person page")
# The dashboard, measured the same way on request (`--pages dashboard`).
DASHBOARD = "dashboard"
# The case list's two pages of the `pages` section, on request (`--pages "case list"`).
CASE_LISTS = ("case list", "case list p.40")
# Not a page of the `pages` section: a person's household across their cases (the person page's
# address and `household/`), measured with the person page on request (`--pages`).
HOUSEHOLD = "household"


def _one(client, url: str) -> tuple[float, float, int]:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        cpu, wall = time.process_time(), time.perf_counter()
        response = client.get(url)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    return wall, cpu, len(queries)


def _python_calls(client, url: str) -> int:
    """The Python calls of one request (cProfile): what a change of the page's code saves, as
    exact on a loaded machine as on a quiet one."""
    import cProfile
    import pstats

    profile = cProfile.Profile()
    profile.enable()
    client.get(url)
    profile.disable()
    return pstats.Stats(profile).total_calls


def measure(requests: int = 30, names=PAGES) -> dict:
    from benchmarks import pages
    from benchmarks.common import signed_in_client, user

    results = {}
    for persona in PERSONAS:
        account = user(persona)
        client = signed_in_client(account)
        urls = pages.urls_for(account)
        floor_url = urls[pages.FLOOR][0]
        for name in names:
            if name == HOUSEHOLD:
                targets = [url + "household/" for url in urls["person page"]]
            else:
                targets = urls[name]
            for url in targets[:3]:
                _one(client, url)
            walls, cpus, counts, floor_walls, floor_cpus = [], [], [], [], []
            for i in range(requests):
                wall, cpu, count = _one(client, targets[i % len(targets)])
                walls.append(wall)
                cpus.append(cpu)
                counts.append(count)
                wall, cpu, _count = _one(client, floor_url)
                floor_walls.append(wall)
                floor_cpus.append(cpu)
            figures = results[(persona, name)] = {
                "calls": _python_calls(client, targets[0]),
                "median_ms": statistics.median(walls) * 1000,
                "p95_ms": percentile(walls, 95) * 1000,
                "floor_median_ms": statistics.median(floor_walls) * 1000,
                "median_x": statistics.median(walls) / statistics.median(floor_walls),
                "p95_x": percentile(walls, 95) / percentile(floor_walls, 95),
                "cpu_ms": statistics.median(cpus) * 1000,
                "cpu_x": statistics.median(cpus) / statistics.median(floor_cpus),
                "queries": f"{min(counts)}-{max(counts)}"
                if min(counts) != max(counts)
                else str(counts[0]),
            }
            print(
                f"{persona:<20} {name:<12} median {figures['median_ms']:6.1f} ms "
                f"p95 {figures['p95_ms']:6.1f} ms (floor {figures['floor_median_ms']:5.1f} ms): "
                f"{figures['median_x']:4.1f}x / {figures['p95_x']:4.1f}x  "
                f"CPU {figures['cpu_ms']:5.1f} ms {figures['cpu_x']:4.1f}x  "
                f"queries {figures['queries']}  Python calls {figures['calls']}",
                flush=True,
            )
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument(
        "--pages",
        nargs="+",
        choices=[*PAGES, *CASE_LISTS, DASHBOARD, HOUSEHOLD],
        default=list(PAGES),
        metavar="PAGE",
    )
    arguments = parser.parse_args()
    setup_django()
    print(f"load average {os.getloadavg()[0]:.2f} at the start", flush=True)
    measure(arguments.requests, arguments.pages)
    print(f"load average {os.getloadavg()[0]:.2f} at the end", flush=True)
