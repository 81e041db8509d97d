"""
What the case list's queries read, in rows and buffers, for users who see more and more cases:
the work that does not move with the machine's load, and that must not grow with the caseload
(issue 22 point 3). Every SELECT of a page, captured through the test client, is re-run with
EXPLAIN (ANALYZE, BUFFERS): the rows its scans read (returned and filtered out, times their
loops) and the buffers it touched.

    DATABASE_URL=… .venv/bin/python -m benchmarks.case_list_sql

The personas: the caseworker (7,500 cases at 100,000 people), the supervisor of the larger team
(22,800) and a supervisor of every team, made for the run in a transaction that is rolled back.
"""

from contextlib import contextmanager

from .common import PERSONAS, setup_django, signed_in_client, user

EVERY_TEAM = "every-team supervisor (rolled back)"
SCAN_NODES = {"Seq Scan", "Index Scan", "Index Only Scan", "Bitmap Heap Scan"}


def _rows_read(node) -> int:
    """Rows the plan's scans read: those they returned and those their filters removed."""
    own = 0
    if node.get("Node Type") in SCAN_NODES:
        loops = node.get("Actual Loops", 1)
        removed = node.get("Rows Removed by Filter", 0) + node.get(
            "Rows Removed by Index Recheck", 0
        )
        own = (node.get("Actual Rows", 0) + removed) * loops
    return own + sum(_rows_read(child) for child in node.get("Plans", []))


def explained(cursor, sql: str) -> tuple[int, int]:
    """(rows read by scans, shared buffers hit or read) of one run of `sql`, warm."""
    cursor.execute(sql)  # warm
    cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql)
    plan = cursor.fetchone()[0]
    plan = (plan[0] if isinstance(plan, list) else plan)["Plan"]
    return _rows_read(plan), plan.get("Shared Hit Blocks", 0) + plan.get("Shared Read Blocks", 0)


@contextmanager
def _every_team_supervisor():
    """A user supervising every team, rolled back when done (the database stays as seeded)."""
    from django.db import transaction

    from accounts.models import Team, TeamMembership, User
    from demo.staff import demo_authenticator

    with transaction.atomic():
        account = User.objects.create(username="bench.every-team-supervisor")
        demo_authenticator(account)
        TeamMembership.objects.bulk_create(
            TeamMembership(user=account, team=team, role=TeamMembership.Role.SUPERVISOR)
            for team in Team.objects.all()
        )
        try:
            yield account
        finally:
            transaction.set_rollback(True)


def _pages(account, *, searching: bool) -> dict[str, tuple[str, str, dict]]:
    from django.urls import reverse

    from .pages import _reached_through_links

    case_list = reverse("casework:case_list")
    pages = {
        "case list": ("get", case_list, {}),
        "case list p.40": ("get", _reached_through_links(account, 40), {}),
    }
    if searching:
        pages["search 김"] = ("post", case_list, {"q": "김"})
    return pages


def _measure(label: str, account, slowest: int, *, searching: bool = True) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from casework.models import Case

    client = signed_in_client(account)
    visible = Case.objects.visible_to(account).count()
    results = {}
    for name, (method, url, data) in _pages(account, searching=searching).items():
        getattr(client, method)(url, data)  # warm
        with CaptureQueriesContext(connection) as captured:
            response = getattr(client, method)(url, data)
        if response.status_code != 200:
            raise RuntimeError(f"{method.upper()} {url} answered {response.status_code}")
        selects = [q["sql"] for q in captured.captured_queries if q["sql"].lstrip()[:6] == "SELECT"]
        with connection.cursor() as cursor:
            measured = sorted(((*explained(cursor, sql), sql) for sql in selects), reverse=True)
        rows = sum(row[0] for row in measured)
        buffers = sum(row[1] for row in measured)
        results[(label, name)] = (rows, buffers, len(captured))
        print(
            f"{label:<38} {visible:>7} cases  {name:<15} rows read {rows:>8,}  "
            f"buffers {buffers:>7,}  queries {len(captured)}"
        )
        for query_rows, query_buffers, sql in measured[:slowest]:
            print(f"      rows {query_rows:>8,}  buffers {query_buffers:>7,}  {sql[:100]}")
    return results


def case_list_sql(slowest: int = 3) -> dict:
    results = {}
    for persona in PERSONAS:
        results.update(_measure(persona, user(persona), slowest))
    with _every_team_supervisor() as account:
        # No search: its audit events would hold the chain's lock until the rollback.
        results.update(_measure(EVERY_TEAM, account, slowest, searching=False))
    return results


if __name__ == "__main__":
    setup_django()
    case_list_sql()
