"""
What the case list's forgiving search costs in work the machine's load does not move: its
queries, the buffers they touch (each re-run with EXPLAIN (ANALYZE, BUFFERS)), its Python calls
(cProfile) and CPU, for four kinds of term taken from the data (a Hangul full name, its family
syllable alone, the name romanised, a Han-character name in pinyin) and both personas.

    DATABASE_URL=… .venv/bin/python -m benchmarks.search_sql

It runs the search as the page does (`selectors.search.cases_matching` over the probed visible
cases, then `who_matched` for the first page), not through the page, so nothing is written: the
page would record the search's audit events.
"""

import cProfile
import pstats
import statistics
import time

from .case_list_sql import explained
from .common import PERSONAS, setup_django, user

PAGE = 25


def sample_terms() -> dict[str, str]:
    """A Hangul full name, its family syllable, its romanisation and a pinyin name, from the data."""
    from casework.models import Person
    from casework.names import chinese, korean

    hangul = han = None
    start = Person.objects.count() // 20
    people = Person.objects.order_by("reference").only("pk", "full_name")
    for person in people[start : start + 4000].iterator(chunk_size=500):
        name = person.full_name.replace(" ", "")
        if hangul is None and korean.is_hangul(name) and len(name) == 3:
            hangul = name
        if han is None and chinese.has_han(name) and len(name) == 3:
            han = name
        if hangul and han:
            break
    family, given = korean.split_hangul(hangul)
    romanised = f"{korean.romanise_rr(family).title()} {korean.romanise_rr(given).title()}"
    han_family, han_given = chinese.split_han(chinese.simplified(han))
    pinyin = f"{chinese.pinyin(han_family).title()} {chinese.pinyin(han_given).title()}"
    return {"full name": hangul, "family alone": family, "romanised": romanised, "pinyin": pinyin}


def _search(account, term):
    from casework.models import Case
    from casework.selectors.search import cases_matching, who_matched

    found = cases_matching(Case.objects.visible_to(account, probed=True), term, seen_by=account)
    return who_matched(found, list(found.matches)[:PAGE])


def measure(account, term: str, *, rounds: int = 5) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _search(account, term)  # warm
    with CaptureQueriesContext(connection) as captured:
        shown = _search(account, term)
    selects = [q["sql"] for q in captured.captured_queries]
    with connection.cursor() as cursor:
        measured = sorted(((*explained(cursor, sql), sql) for sql in selects), reverse=True)
    profile = cProfile.Profile()
    profile.runcall(_search, account, term)
    calls = pstats.Stats(profile).total_calls
    cpu = []
    for _round in range(rounds):
        started = time.process_time()
        _search(account, term)
        cpu.append(time.process_time() - started)
    return {
        "queries": len(selects),
        "rows": sum(row[0] for row in measured),
        "buffers": sum(row[1] for row in measured),
        "per_query": sorted(((row[1], row[2][:90]) for row in measured), reverse=True),
        "calls": calls,
        "cpu_ms": statistics.median(cpu) * 1000,
        "shown": [(pk, match.order) for pk, match in shown.items()],
    }


def search_sql(verbose: bool = False) -> dict:
    terms = sample_terms()
    print("terms:", ", ".join(f"{kind} ({len(term)} characters)" for kind, term in terms.items()))
    results = {}
    for persona in PERSONAS:
        account = user(persona)
        for kind, term in terms.items():
            result = results[(persona, kind)] = measure(account, term)
            print(
                f"{persona:<22} {kind:<13} queries {result['queries']:>2}  "
                f"rows read {result['rows']:>8,}  buffers {result['buffers']:>7,}  "
                f"calls {result['calls']:>7,}  CPU {result['cpu_ms']:6.1f} ms"
            )
            if verbose:
                for buffers, sql in result["per_query"][:3]:
                    print(f"      buffers {buffers:>7,}  {sql}")
    return results


if __name__ == "__main__":
    import sys

    setup_django()
    search_sql(verbose="-v" in sys.argv)
