"""
The case list searched through the page, in process, against the floor page: Python calls per
request (cProfile), queries, and the process's CPU per request and its ratio to the floor's,
for every third sample name whole and by its family syllable, both personas. The load on shared
cores moves wall times 2x; these figures move far less.

    DATABASE_URL=… .venv/bin/python -m benchmarks.search_page

Each search records its audit events, as the page does.
"""

import cProfile
import pstats
import statistics
import time

from .common import PERSONAS, setup_django, signed_in_client, user


def _cpu(request, *args) -> float:
    started = time.process_time()
    request(*args)
    return time.process_time() - started


def search_page() -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from .pages import FLOOR, urls_for
    from .search import _sample_names

    names = _sample_names()[::3]
    case_list = reverse("casework:case_list")
    for persona in PERSONAS:
        account = user(persona)
        client = signed_in_client(account)
        floor_url = urls_for(account)[FLOOR][0]
        for kind, terms in (("full name", names), ("family alone", [n[:1] for n in names])):
            for term in terms:  # warm: each term's first search imports its script's tables
                client.post(case_list, {"q": term})
            profile, queries, floor = cProfile.Profile(), set(), []
            for term in terms:
                with CaptureQueriesContext(connection) as captured:
                    profile.runcall(client.post, case_list, {"q": term})
                queries.add(len(captured))
                floor.append(_cpu(client.get, floor_url))
            cpu = [_cpu(client.post, case_list, {"q": term}) for term in terms]
            calls = pstats.Stats(profile).total_calls / len(terms)
            ratio = statistics.median(cpu) / statistics.median(floor)
            print(
                f"{persona:<22} {kind:<13} calls {calls:>9,.0f}  queries {sorted(queries)}  "
                f"CPU {statistics.median(cpu) * 1000:6.1f} ms  floor "
                f"{statistics.median(floor) * 1000:5.1f} ms  {ratio:4.1f}x"
            )


if __name__ == "__main__":
    setup_django()
    search_page()
