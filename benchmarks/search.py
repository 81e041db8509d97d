"""
Exact-name search: through the blind index (one indexed equality on a keyed digest) against
what an encrypted database would otherwise have to do — decrypt every name and compare.
"""

import statistics
import time

from .common import CASEWORKER, heading, line, percentile, user

SAMPLE_NAMES = 30


def _sample_names() -> list[str]:
    from casework.models import Person

    step = max(1, Person.objects.count() // SAMPLE_NAMES)
    names = []
    for person in Person.objects.order_by("reference").only("pk", "full_name")[::step][
        :SAMPLE_NAMES
    ]:
        names.append(person.full_name)
    return names


def _scan(name: str) -> set:
    """Every person's name and aliases decrypted and folded as the blind index folds them."""
    from casework.models import Person, PersonAlias
    from vault.blind_index import normalise

    wanted = normalise(name)
    found = set()
    for person in Person.objects.only("pk", "full_name").order_by().iterator(chunk_size=5000):
        if normalise(person.full_name) == wanted:
            found.add(person.pk)
    for alias in (
        PersonAlias.objects.only("pk", "person_id", "name").order_by().iterator(chunk_size=5000)
    ):
        if normalise(alias.name) == wanted:
            found.add(alias.person_id)
    return found


def run(scans: int = 2) -> dict:
    from django.db import connection

    from casework.models import Person
    from casework.selectors import people_search

    heading("Name search: blind index and name keys vs decrypting and scanning")
    names = _sample_names()
    people = Person.objects.count()
    indexed, scoped, family = [], [], []
    account = user(CASEWORKER)
    for name in names:
        list(Person.objects.matching_name(name).values_list("pk", flat=True))  # warm
    for name in names:
        started = time.perf_counter()
        matches = set(Person.objects.matching_name(name).values_list("pk", flat=True))
        indexed.append(time.perf_counter() - started)
        started = time.perf_counter()
        people_search(user=account, name=name, limit=50)
        scoped.append(time.perf_counter() - started)
        # The forgiving search at its widest: a family syllable alone (name keys).
        started = time.perf_counter()
        people_search(user=account, name=name[:1], limit=50)
        family.append(time.perf_counter() - started)
    scanned = []
    for name in names[:scans]:
        started = time.perf_counter()
        found = _scan(name)
        scanned.append(time.perf_counter() - started)
        expected = set(Person.objects.matching_name(name).values_list("pk", flat=True))
        if found != expected:
            raise RuntimeError("The scan and the blind index disagree: the benchmark is wrong.")
    del matches
    index_ms = statistics.median(indexed) * 1000
    scan_ms = statistics.median(scanned) * 1000
    line(f"{people} people on {connection.vendor}; {len(names)} names, each an existing name")
    line(
        f"blind index (whole organisation)   median {index_ms:8.2f} ms  "
        f"p95 {percentile(indexed, 95) * 1000:8.2f} ms"
    )
    line(
        f"blind index + visibility ({CASEWORKER}) median "
        f"{statistics.median(scoped) * 1000:8.2f} ms  p95 {percentile(scoped, 95) * 1000:8.2f} ms"
    )
    line(
        f"family name alone ({CASEWORKER})      median "
        f"{statistics.median(family) * 1000:8.2f} ms  p95 {percentile(family, 95) * 1000:8.2f} ms"
    )
    line(f"decrypt and scan names and aliases  median {scan_ms:8.1f} ms  ({len(scanned)} runs)")
    line(f"ratio scan / index: {scan_ms / index_ms:,.0f}x")
    return {"index_ms": index_ms, "scan_ms": scan_ms, "ratio": scan_ms / index_ms}
