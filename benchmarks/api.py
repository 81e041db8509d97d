"""
The API under load: list and detail endpoints of cases and people, 20 concurrent clients (wrk
connections) with a knox token, against gunicorn on loopback. Any non-2xx answer is an error.
"""

from .common import CASEWORKER, heading, line, user
from .pages import Gunicorn, have_wrk, wrk

CONNECTIONS = 20
# Sync workers: the usual 2 x cores + 1 on this 2-core machine.
WORKERS = 5
SAMPLE = 50


def _token(account) -> tuple[str, object]:
    from knox.models import AuthToken
    from knox.settings import knox_settings

    instance, token = AuthToken.objects.create(account, knox_settings.TOKEN_TTL)
    return token, instance


def _endpoints(account) -> dict[str, list[str]]:
    from casework.models import Case, Person

    cases = list(
        Case.objects.visible_to(account).order_by("reference").values_list("reference", flat=True)
    )
    people = list(
        Person.objects.visible_to(account)
        .order_by("reference")
        .values_list("reference", flat=True)[:5000]
    )
    return {
        "cases list": ["/api/v1/cases/"],
        "case detail": [
            f"/api/v1/cases/{ref}/" for ref in cases[:: max(1, len(cases) // SAMPLE)][:SAMPLE]
        ],
        "persons list": ["/api/v1/persons/"],
        "person detail": [
            f"/api/v1/persons/{ref}/" for ref in people[:: max(1, len(people) // SAMPLE)][:SAMPLE]
        ],
    }


def run(seconds: int = 10) -> dict:
    heading(
        f"API: {CONNECTIONS} concurrent clients, gunicorn with {WORKERS} sync workers, "
        f"{seconds} s per endpoint ({CASEWORKER}, knox token)"
    )
    if not have_wrk():
        line("wrk is not installed (apt-get install -y wrk): skipped")
        return {}
    account = user(CASEWORKER)
    token, instance = _token(account)
    headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
    results = {}
    try:
        with Gunicorn(workers=WORKERS) as server:
            endpoints = _endpoints(account)
            waited = server.wait_until_serving(endpoints["case detail"][0], headers=headers)
            line(f"(the {WORKERS} workers all answered after {waited:.0f} s)")
            for name, paths in endpoints.items():
                wrk(server.base, paths, headers=headers, seconds=2, connections=WORKERS)
                figures = wrk(
                    server.base, paths, headers=headers, seconds=seconds, connections=CONNECTIONS
                )
                results[name] = figures
                line(
                    f"{name:<14} {figures['rps']:7.1f} req/s  median {figures['median_ms']:7.1f} ms  "
                    f"p95 {figures['p95_ms']:7.1f} ms  {figures['requests']} requests, "
                    f"{figures['errors']} errors"
                )
    finally:
        instance.delete()
    return results
