"""
The caseworker's dashboard: the cases the user works (`my_cases`, and `on_my_case`, the same rule
probed row by row), their counts by risk, the follow-ups due, the recent changes and the people
detained too long. Each list walks its rows in its order and probes each, which costs what its
page costs for a reader of thousands of cases; for a reader of few, it is given those cases
(`among`, `casework.querysets.cases_granted_one_by_one`) and starts from them, instead of
walking every team's rows to find hers.
"""

import datetime

from django.db import connection
from django.db.models import Count, Q, QuerySet, Sum

from ..choices import LegalStatus
from ..models import Case, CaseloadCount, CaseMember, Incident, LegalStatusRecord, Task
from ..querysets import probe_kept, rows_kept

# How far ahead the dashboard looks for follow-ups, and how far back for recent changes.
DUE_SOON_DAYS = 7
RECENT_DAYS = 30


def _among(rows: QuerySet, among) -> QuerySet:
    """
    Those of `rows` of the cases `among` (`among_cases`), the ids of the few cases granted to a
    reader (`cases_granted_one_by_one`), or `rows` when None. Given as values, so that
    PostgreSQL counts on a few cases' rows and reads them by the case index; the list still
    probes the rule of each. (As a subquery it took the supervised teams' branch for thousands
    of cases and walked the list's index to its end.)
    """
    return rows if among is None else rows.among_cases(among)


def my_cases(user) -> QuerySet[Case]:
    """
    The cases the user works: assigned to them, owned by them, or of a team they supervise.
    A copy of the queryset `Case.objects.worked_now_by` keeps for the user (built once per user
    in the process; see `casework.querysets._built_once`): the dashboard asks for it in eight lists.
    """
    return Case.objects.worked_now_by(user)


def open_cases_by_risk(user) -> dict[str, int]:
    """
    How many open cases (open or on hold) the user works at each risk level, as `my_cases`
    would count them: added up from the few rows of `CaseloadCount` that PostgreSQL's triggers
    keep, rather than counted over a caseload that grows with the organisation (22,800 cases
    for a supervisor at 100,000 people, read on every visit of the dashboard). Elsewhere
    (SQLite, `make run`) there are no triggers, and the cases are counted.
    """
    if connection.vendor != "postgresql":
        counted = my_cases(user).open().order_by().values("risk_level").annotate(n=Count("pk"))
        return {row["risk_level"]: row["n"] for row in counted if row["n"]}
    # The rule of the counts' rows written once per user (`rows_kept`), not compiled per visit.
    counted = rows_kept(
        user,
        "open cases by risk",
        lambda: (
            CaseloadCount.objects.worked_now_by(user)
            .order_by()
            .values("risk_level")
            .annotate(n=Sum("open_cases"))
            .values_list("risk_level", "n")
        ),
    )
    return {risk_level: n for risk_level, n in counted if n}


def on_my_case(user, case: str = "case") -> Q:
    """
    Whether the case at `case` (a field of the outer row) is one the user works (`my_cases`),
    asked row by row. The dashboard's lists walk their rows soonest or newest first and stop at
    their limit, so a probe of the few rows read (an index lookup each) replaces
    `case IN (my_cases)`, which PostgreSQL hashed from a scan of every case through the rule,
    once per list. A scalar subquery rather than EXISTS: PostgreSQL turns an EXISTS into that
    same hashed scan whenever it guesses it cheaper, and never does so with a scalar one.
    """
    return probe_kept(
        user,
        "my case",
        case,
        lambda row: my_cases(user).filter(pk=row).order_by().values("pk")[:1],
    )


def my_open_cases_most_at_risk_first(user, *, among=None) -> QuerySet[Case]:
    """
    `my_cases(user).open()`, gravest first, for a list cut at a few dozen (the dashboard's): the
    risk index walked in order and each case read probed (`on_my_case`), where the rule as a
    filter of the list made PostgreSQL hash every assignment of the user first (7,600 for a
    caseworker at 100,000 people, ten times as many at a million) to show 50 cases.
    """
    return (
        _among(Case.objects.open(), among)
        .filter(on_my_case(user, "pk"))
        .most_at_risk_first()
        # What the dashboard's table shows (`case_rows`), its team by name: two whole models a
        # row (a team's dozen columns of letterhead among them) cost more than writing the row.
        .only("reference", "status", "risk_level", "opened_on", "team", "team__name")
    )


def _on_case_seen_by(user, case: str = "case") -> Q:
    """`on_my_case` for the cases the user may see (`Case.objects.visible_to`), row by row."""
    return probe_kept(
        user,
        "case seen",
        case,
        lambda row: Case.objects.visible_to(user).filter(pk=row).order_by().values("pk")[:1],
    )


def _of_my_case(user, person: str = "person") -> Q:
    """
    Whether the person at `person` is a member of a case the user works, asked row by row as
    `on_my_case` asks of a case: their few memberships read through the person index, each
    case probed. `person IN (members of my cases)` gathered the 23,000 members of a caseworker's
    7,500 cases (230,000 at a million people) before the list read its first row. Kept as a
    probe of its own (`probe_kept`, the case's probe inside it): compiled on every visit, it cost
    the two lists of people some 4,000 Python calls each.
    """
    return probe_kept(
        user,
        "member of my case",
        person,
        lambda row: (
            CaseMember.objects.filter(person=row)
            .filter(on_my_case(user))
            .order_by()
            .values("pk")[:1]
        ),
    )


# The columns the dashboard's lists show (`only()`): a follow-up's row, and a status beside its
# person (`status_since`, `person_link`). Another column read would cost a query per row, which
# the dashboard's query guards would catch.
_FOLLOW_UP_SHOWN = ("case", "due_on", "title", "title_key", "title_params", "assignee")
_STATUS_SHOWN = (
    "person",
    "status",
    "effective_from",
    "since_birth",
    "person__reference",
    "person__full_name",
)


def followups_due(user, *, today: datetime.date) -> QuerySet[Task]:
    """
    Open follow-ups due by `today` plus DUE_SOON_DAYS (overdue ones first) that the user is to do
    or that belong to the user's cases.
    """
    return followups_due_by(user, horizon=followups_horizon(today))


def followups_horizon(today: datetime.date) -> datetime.date:
    """The last day the dashboard's follow-ups are due by."""
    return today + datetime.timedelta(days=DUE_SOON_DAYS)


def followups_due_by(user, *, horizon: datetime.date, among=None) -> QuerySet[Task]:
    """`followups_due` by the day `horizon` itself: the dashboard's query keeps its SQL, the day
    a parameter (kept_sql)."""
    return (
        # A follow-up assigned to a reader of few cases is on a case she sees: among them.
        _among(Task.objects.all(), among)
        .filter(completed_at__isnull=True, due_on__lte=horizon)
        # `Task.objects.visible_to(user)` and (mine or the user's to do), asked of the rows read
        # only: every case the user works is one they see, so only a follow-up assigned to them
        # on a case they do not work needs the visibility probe (a case they no longer see
        # keeps its follow-up off the page).
        .filter(on_my_case(user) | (Q(assignee=user) & _on_case_seen_by(user)))
        .select_related("case", "assignee")
        # What a row shows (`followup_rows`): three models' every column built into fifty rows
        # cost more Python than writing the rows.
        .only(*_FOLLOW_UP_SHOWN, "case__reference", "assignee__username")
        # By the case's reference copied beside the follow-up (`Task.case_reference`), the
        # order of the index of open follow-ups the list walks and stops at its page in.
        .order_by("due_on", "case_reference", "pk")
    )


def recent_status_changes(user, *, since: datetime.date, among=None) -> QuerySet[LegalStatusRecord]:
    """Status records of the people of the user's cases that began or were written since `since`."""
    return (
        _among(LegalStatusRecord.objects.all(), among)
        .filter(Q(effective_from__gte=since) | Q(recorded_at__date__gte=since))
        .filter(_of_my_case(user))
        .select_related("person")
        .only(*_STATUS_SHOWN)
        .order_by("-effective_from", "-recorded_at", "pk")
    )


def recent_incidents(user, *, since: datetime.date, among=None) -> QuerySet[Incident]:
    """Incidents on the user's cases that happened or were written since `since`."""
    return (
        _among(Incident.objects.all(), among)
        .filter(Q(occurred_on__gte=since) | Q(recorded_at__date__gte=since))
        .filter(on_my_case(user))
        .select_related("case")
        .only("case", "occurred_on", "kind", "region", "case__reference")
        .order_by("-occurred_on", "-recorded_at", "pk")
    )


def detained_longer_than(user, *, days: int, today: datetime.date) -> QuerySet[LegalStatusRecord]:
    """Current "detained in China" records of the user's cases' people older than `days`, oldest first."""
    return detained_since_before(user, began_before=today - datetime.timedelta(days=days))


def detained_since_before(
    user, *, began_before: datetime.date, among=None
) -> QuerySet[LegalStatusRecord]:
    """`detained_longer_than` by the day itself, for the dashboard's kept SQL (as `followups_due_by`)."""
    return (
        _among(LegalStatusRecord.objects.all(), among)
        .filter(
            status=LegalStatus.DETAINED_CN,
            effective_to__isnull=True,
            effective_from__lt=began_before,
        )
        .filter(_of_my_case(user))
        .select_related("person")
        .only(*_STATUS_SHOWN)
        .order_by("effective_from", "pk")
    )
