"""
The database's own time for each page's queries: every SELECT a page makes, captured through the
test client and re-run with EXPLAIN ANALYZE (planning + execution, best of 3). Unlike a page's
wall time on shared cores, this does not move with the machine's load, so two databases (100,000
and 1,000,000 people) can be compared one after the other and a query that grows with the
caseload stands out.

    DATABASE_URL=… .venv/bin/python -m benchmarks.page_sql
"""

from .common import PERSONAS, setup_django, signed_in_client, user

REPEATS = 3


def _database_ms(cursor, sql: str) -> float:
    best = None
    for _ in range(REPEATS):
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
        plan = cursor.fetchone()[0]
        plan = plan[0] if isinstance(plan, list) else plan
        spent = plan["Execution Time"] + plan["Planning Time"]
        best = spent if best is None else min(best, spent)
    return best


def page_sql(slowest: int = 3) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .pages import PAGE_NAMES, urls_for

    results = {}
    for persona in PERSONAS:
        account = user(persona)
        client = signed_in_client(account)
        urls = urls_for(account)
        for name in PAGE_NAMES[1:]:
            url = urls[name][0]
            client.get(url)  # warm
            with CaptureQueriesContext(connection) as captured:
                client.get(url)
            selects = [
                q["sql"]
                for q in captured.captured_queries
                if q["sql"].lstrip().startswith("SELECT")
            ]
            with connection.cursor() as cursor:
                timed = sorted(((_database_ms(cursor, sql), sql) for sql in selects), reverse=True)
            total = sum(ms for ms, _ in timed)
            results[(persona, name)] = total
            print(f"{persona:<20} {name:<15} SQL {total:8.1f} ms in {len(timed)} selects")
            for ms, sql in timed[:slowest]:
                print(f"      {ms:7.1f} ms  {sql[:110]}")
    return results


if __name__ == "__main__":
    setup_django()
    page_sql()
