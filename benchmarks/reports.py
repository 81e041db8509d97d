"""
The reports page (`/reports/`): its nine tables count over every case a reader sees, so it is the
page whose cost grows with a caseload. Timed per persona through the test client (the default
filters: the last twelve months): the page, then the count itself, then each table on its own,
to show where the time goes.

A reader of few cases is counted while her page is made: her page is her count. A reader of many
has hers counted by a worker (`reports.services`); her page shows it. Here Celery runs eagerly,
so the first request counts and the timed ones show that count, as they would in production
while it is fresh; "count" is what the worker spends.

    python -m benchmarks --only reports
"""

import statistics
import time

from .common import PERSONAS, heading, line, percentile, signed_in_client, summary_ms, user

# Fewer than the other pages: a supervisor's page counts tens of thousands of people.
REQUESTS = 5


def run(requests: int = REQUESTS) -> dict:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from reports import tables
    from reports.forms import ReportFilterForm
    from reports.selectors import counts_quickly

    heading("The reports page and its tables (in-process server time)")
    results = {}
    for persona in PERSONAS:
        client = signed_in_client(user(persona))
        url = reverse("reports:index")
        client.get(url)  # warm: templates compiled, connection open
        times = []
        for _ in range(requests):
            reset_queries()
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise RuntimeError(f"GET {url} answered {response.status_code}")
        results[persona] = {
            "median_ms": statistics.median(times) * 1000,
            "p95_ms": percentile(times, 95) * 1000,
            "queries": len(queries),
        }
        line(f"{persona:<20} {'page':<19} {summary_ms(times)}  queries {len(queries)}")

        form = ReportFilterForm({}, user=user(persona))
        form.is_valid()
        count_times = []
        for _ in range(2):
            account = user(persona)  # fresh: nothing kept from the last build
            started = time.perf_counter()
            tables.build(account, form.filters())
            count_times.append(time.perf_counter() - started)
        results[persona]["count_ms"] = statistics.median(count_times) * 1000
        where = "in the page" if counts_quickly(user(persona)) else "on a worker"
        line(f"{'':<20} {'count':<19} median {results[persona]['count_ms']:7.1f} ms ({where})")
        for name in tables.NAMES:
            table_times = []
            for _ in range(3):
                account = user(persona)  # fresh: nothing kept from the last build
                started = time.perf_counter()
                tables.build(account, form.filters(), only=name)
                table_times.append(time.perf_counter() - started)
            line(f"{'':<20} {name:<19} median {statistics.median(table_times) * 1000:7.1f} ms")
    return results
