"""
The API's case and person details in process, one request at a time: Python calls, CPU and
queries per request, as the `api` section's wrk clients ask them (a knox token, no cookie), but
measured on the CPU of this process, which a loaded machine does not blur as it blurs req/s.

    python -m benchmarks.api_details calls          # cProfile: Python calls per request
    python -m benchmarks.api_details cpu            # process CPU ms per request, two rounds
    python -m benchmarks.api_details queries        # the queries of one request
    python -m benchmarks.api_details top            # cProfile, the 40 costliest by own time
"""

import argparse
import cProfile
import pstats
import time

from .common import CASEWORKER, setup_django, user

ENDPOINTS = ("case detail", "person detail")
WARM_UP = 5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("mode", choices=("calls", "cpu", "queries", "top"))
    parser.add_argument("--requests", type=int, default=40, help="per endpoint (and round)")
    args = parser.parse_args()
    setup_django()

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    from .api import _endpoints, _token

    account = user(CASEWORKER)
    token, instance = _token(account)
    client = APIClient()
    headers = {"HTTP_AUTHORIZATION": f"Token {token}", "HTTP_ACCEPT": "application/json"}
    endpoints = _endpoints(account)
    n = args.requests
    try:
        for name in ENDPOINTS:
            paths = endpoints[name]

            def get(i, paths=paths):
                path = paths[i % len(paths)]
                response = client.get(path, **headers)
                if response.status_code != 200:
                    raise SystemExit(f"{path} answered {response.status_code}")

            # Every process's first request writes the kept SQL: not what a request costs.
            for i in range(WARM_UP):
                get(i)
            if args.mode == "queries":
                with CaptureQueriesContext(connection) as queries:
                    get(0)
                print(f"{name}: {len(queries)} queries")
                for query in queries.captured_queries:
                    print("   ", query["sql"][:160])
            elif args.mode == "cpu":
                rounds = []
                for _round in range(2):
                    started = time.process_time()
                    for i in range(n):
                        get(i)
                    rounds.append((time.process_time() - started) * 1000 / n)
                print(f"{name}: CPU ms per request " + ", ".join(f"{ms:.2f}" for ms in rounds))
            else:
                profile = cProfile.Profile()
                profile.enable()
                for i in range(n):
                    get(i)
                profile.disable()
                stats = pstats.Stats(profile)
                print(f"{name}: {stats.total_calls / n:,.0f} Python calls per request")
                if args.mode == "top":
                    stats.sort_stats("tottime").print_stats(40)
    finally:
        instance.delete()


if __name__ == "__main__":
    main()
