"""
The supervisor's workload view (issue 21): per caseworker of her teams, open cases by risk,
overdue follow-ups, missed check-ins and last activity, for the supervisor of the larger team
(22,800 cases). Counted in SQL in a few grouped queries, whatever the number of caseworkers.
"""

import statistics

from .common import SUPERVISOR, heading, line, percentile, signed_in_client, summary_ms, user
from .pages import _one


def in_process(requests: int = 40) -> dict:
    """Median/p95 server time and queries of the workload page and of its selector alone."""
    import time

    from django.urls import reverse

    from accounts import roles
    from casework import dates
    from casework.selectors.workload import workload

    heading("The supervisor's workload view (in-process server time)")
    account = user(SUPERVISOR)
    client = signed_in_client(account)
    results = {}
    for order in ("name", "overdue"):
        url = reverse("casework:workload") + f"?order={order}"
        _one(client, url)
        times, counts = [], []
        for _i in range(requests):
            elapsed, count = _one(client, url)
            times.append(elapsed)
            counts.append(count)
        results[("page", order)] = {
            "median_ms": statistics.median(times) * 1000,
            "p95_ms": percentile(times, 95) * 1000,
            "queries": max(counts),
        }
        line(
            f"{SUPERVISOR:<20} workload ?order={order:<8} {summary_ms(times)}  queries {max(counts)}"
        )
    teams = roles.supervised_teams(account)
    times = []
    for _i in range(requests):
        started = time.perf_counter()
        rows = workload(teams, today=dates.today())
        times.append(time.perf_counter() - started)
    line(f"{SUPERVISOR:<20} selector, {len(rows)} caseworkers  {summary_ms(times)}")
    results[("selector", "name")] = {
        "median_ms": statistics.median(times) * 1000,
        "p95_ms": percentile(times, 95) * 1000,
    }
    return results
