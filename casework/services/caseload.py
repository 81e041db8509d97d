"""
The dashboard's open cases by risk (`casework.models.CaseloadCount`), counted again from the cases
and assignments. PostgreSQL's triggers keep the counts in every writer's transaction (casework
migration 0021), so this is a repair and a check, never a step of ordinary work: after rows were
written with the triggers disabled (`session_replication_role = replica`, a restore of the data
without them), or to prove that none was.
"""

from django.db import connection, transaction

from ..models import CaseloadCount

# (kind, user id or None, team id, risk level)
CountKey = tuple[str, int | None, int, str]


def _counts() -> dict[CountKey, int]:
    rows = CaseloadCount.objects.exclude(open_cases=0).values_list(
        "kind", "user_id", "team_id", "risk_level", "open_cases"
    )
    return {(kind, user, team, risk): n for kind, user, team, risk, n in rows}


def caseload_recount(*, dry_run: bool = False) -> dict[CountKey, tuple[int, int]]:
    """
    Count every team's and user's open cases by risk again and keep the recount (or, with
    `dry_run`, roll it back). Returns the counts that differed: key → (kept, recounted).
    Writers wait for it (a lock on the counts) and add their own changes once it commits.
    """
    if connection.vendor != "postgresql":
        return {}  # No triggers and nothing kept: the dashboard counts the cases.
    with transaction.atomic():
        kept = _counts()
        with connection.cursor() as cursor:
            cursor.execute("SELECT casework_caseload_recount()")
        recounted = _counts()
        if dry_run:
            transaction.set_rollback(True)
    return {
        key: (kept.get(key, 0), recounted.get(key, 0))
        for key in kept.keys() | recounted.keys()
        if kept.get(key, 0) != recounted.get(key, 0)
    }
