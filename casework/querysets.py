"""
Who sees what. `visible_to(user)` on these querysets is the one rule for visibility:
every view, viewset, admin page, download and export starts from it.
"""

import contextvars

from django.apps import apps
from django.core.exceptions import EmptyResultSet
from django.db import connections, models
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Now
from django.db.models.lookups import Exact, IsNull
from django.db.models.sql.where import WhereNode

from accounts.kept_sql import KeptInProcess
from accounts.models import TeamMembership
from accounts.roles import WORKING_ROLES
from vault.blind_index import blind_indexes
from vault.fields import EncryptedQuerySet

from .choices import AssignmentRole

NAME_SCOPE = "person-name"


def _any_of(rows, *, probed: bool) -> Q:
    """
    Whether the outer case has any of `rows` (its assignments of some kind): EXISTS, or with `probed` a scalar subquery that
    PostgreSQL can only run case by case. A list walked in page order and stopped at its page
    (or a count stopped at its bound) reads a page's worth of cases, each probed in the index;
    but PostgreSQL plans the EXISTS for every case the walk might read (it does not count on the
    LIMIT), so it first hashed every assignment of the user: 7,500 rows for a caseworker at
    100,000 people and ten times as many at a million, on every page of her list.
    """
    if probed:
        # The case's own column, which the (case, user, role) index holds: an index-only probe.
        return Q(IsNull(Subquery(rows.values("case")[:1]), False))
    return Q(Exists(rows))


def _worked_by(user, *, assignment_role: str | None = None, probed: bool = False) -> Q:
    """
    Cases `user` works now. The visibility rule, "my cases" and the edit check all start from it.

    - A case of a team the user is a current member of (any role), and assigned to them (in
      `assignment_role`, if given) or owned by them; for `assignment_role` caseworker (the edit
      rule), a member who works the team's cases (caseworker or supervisor), not its advocate. Assignment and ownership alone grant nothing:
      whoever leaves the team stops seeing and changing its cases at once, and sees them again
      when re-added, without anyone having to unassign them first.
    - Every case of a team they supervise.
    - A case shared with them as legal advocate (`case_share`), while they hold a legal-advocate
      membership of any team. Advocates are often not members of the sharing team, so for them
      "current membership" is their standing as an advocate: the share stands until it is
      withdrawn or until they hold no legal-advocate membership anywhere (left their last team
      as advocate), whichever comes first.

    `probed`: the same cases, each tested on its own (`_any_of`), for lists that walk the cases
    in an index's order and stop at a page or a bound.
    """
    CaseAssignment = apps.get_model("casework", "CaseAssignment")
    memberships = TeamMembership.objects.filter(user=user)
    # `team IN (the user's teams)`: a handful of rows read once through the (user, team) unique
    # index and hashed, then a hash probe per case, in lists and single-case checks alike.
    member_teams = memberships.values("team")
    supervised_teams = memberships.filter(role=TeamMembership.Role.SUPERVISOR).values("team")
    # EXISTS rather than `pk IN (...)`: PostgreSQL probes the assignment index for a single case
    # (0.1 ms) and still hashes the user's assignments once when it scans many (lists, counts).
    # `IN` always hashed them all, 3-5 ms for a caseworker with 7,500 cases, even for one case.
    assignments = CaseAssignment.objects.filter(case=OuterRef("pk"), user=user)
    shares = assignments.filter(role=AssignmentRole.LEGAL_ADVOCATE)
    if assignment_role is not None:
        assignments = assignments.filter(role=assignment_role)
    # Cheap tests first, since PostgreSQL evaluates AND/OR left to right: the hashed team lists
    # settle most cases, so a case is probed for an assignment at most once, and a case of a
    # team the user is not in is never probed unless they are an advocate.
    member = Q(team__in=member_teams)
    if assignment_role == AssignmentRole.CASEWORKER:
        # Working a case (the edit rule, casework.permissions.editable_cases) asks more than
        # seeing it: the assignment or ownership counts while the user works the team's cases,
        # not while she is its legal advocate. A caseworker made the team's advocate (an approved
        # role change) keeps her assignments and reads those cases still, but changes none: an
        # advocate never works a case, by whichever route she came to hold one.
        member = Q(team__in=memberships.filter(role__in=WORKING_ROLES).values("team"))
    assignment_counts = member
    if assignment_role in (None, AssignmentRole.LEGAL_ADVOCATE):
        # Uncorrelated, so evaluated once per query (an InitPlan): for anyone who is no
        # advocate, no case outside their teams is probed for a share.
        advocate = memberships.filter(role=TeamMembership.Role.LEGAL_ADVOCATE)
        assignment_counts |= Q(Exists(advocate)) & _any_of(shares, probed=probed)
    worked = Q(team__in=supervised_teams) | (member & Q(owner=user))
    worked |= assignment_counts & _any_of(assignments, probed=probed)
    return worked


def _worked_counts(user) -> Q:
    """
    The rows of `CaseloadCount` that add up to the open cases `user` works, by the rule of
    `_worked_by` (change the two together; tests/casework/test_caseload_counts.py holds them
    equal). A team splits the rule, and a case belongs to one team, so the rows never count a
    case twice: a supervised team's own count; the cases the user owns or is assigned to in the
    other teams they are a member of; and, while they are an advocate anywhere, the cases shared
    with them in teams they are no member of.
    """
    memberships = TeamMembership.objects.filter(user=user)
    member_teams = memberships.values("team")
    supervised_teams = memberships.filter(role=TeamMembership.Role.SUPERVISOR).values("team")
    advocate = memberships.filter(role=TeamMembership.Role.LEGAL_ADVOCATE)
    Kind = apps.get_model("casework", "CaseloadCount").Kind
    supervised = Q(kind=Kind.TEAM, user=None, team__in=supervised_teams)
    member = Q(kind=Kind.WORKED, user=user, team__in=member_teams) & ~Q(team__in=supervised_teams)
    shared = Q(kind=Kind.SHARED, user=user) & ~Q(team__in=member_teams) & Q(Exists(advocate))
    return supervised | member | shared


def _sees_cases(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


# The rule, built once per user in the process


# The built parts of the rule, by (user id, signed in, active, part): see `_built_once`. Each part
# is a few kB of ORM objects; a user has a handful of parts.
_BUILT = KeptInProcess(limit=4096)


def _built_once(user, part: str, build):
    """
    `build()`, the part `part` of the rule for `user`, built once per user in this process and
    kept, as `subquery_kept` keeps its SQL. Every request loads its user afresh (a session's or
    an API token's), and a person page used the rule four times, an API request or a list page
    several: each time the ORM built and resolved its nested subqueries again (~1 ms each, a
    fifth of an API detail request).

    Keeping it cannot show anyone more, or less, than building it anew, because what is built
    reads nothing: the memberships, assignments, shares and break-glass grants are subqueries
    that each query reads when it runs, and a grant's expiry is compared with the statement's
    own clock (`Now()`). A hand-over, a new team, a share withdrawn or a grant expired is
    therefore seen by the next query, with no cache to clear. What the built rule does depend on
    (the user's id, and whether they are signed in and active) keys it; nothing else of the user
    object is read. What is kept is never used as it stands: callers filter with it or take a
    copy (`.all()`), and Django clones a query before resolving it, so two threads may share it.
    """
    return _BUILT.get((user.pk, user.is_authenticated, user.is_active, part), build)


def _case_visibility(user, *, probed: bool = False) -> Q | None:
    """The rule as a condition on Case rows, or None when the user sees no case at all."""
    if not _sees_cases(user):
        return None
    return _built_once(
        user,
        "visibility:probed" if probed else "visibility",
        lambda: _build_case_visibility(user, probed=probed),
    )


def _build_case_visibility(user, *, probed: bool) -> Q:
    BreakGlassAccess = apps.get_model("casework", "BreakGlassAccess")
    # Administrators (superusers included) see a case's content only while a break-glass grant
    # they asked for, with a written reason, is running: until the moment the query runs
    # (`Now()` is PostgreSQL's STATEMENT_TIMESTAMP()), not the moment the rule was built.
    broken_glass = BreakGlassAccess.objects.filter(user=user, expires_at__gt=Now())
    return _worked_by_kept(user, probed=probed) | Q(pk__in=broken_glass.values("case"))


def team_may_be_seen(user, team: str = "team") -> Q:
    """
    A condition on a row that holds a case's team (at `team`) which every case `user` sees meets:
    the team is one they are a member of (in any role), or they may see cases of any team (an
    advocate's shares, a running break-glass grant). It is not the rule and grants nothing: a
    row that meets it is still asked `visible_to`. It lets a walk along copies that hold the team
    (`CaseNameKey.team`) pass over other teams' cases on the copy alone, where asking the rule
    read each such case's row first (half the cases a caseworker's walk probed). Follows
    `_worked_by` and `_build_case_visibility`: every way of seeing a case outside one's teams
    is one of the two uncorrelated tests here, each run once per query (an InitPlan).
    """
    if not _sees_cases(user):
        return Q(pk__in=[])

    def build() -> Q:
        BreakGlassAccess = apps.get_model("casework", "BreakGlassAccess")
        memberships = TeamMembership.objects.filter(user=user)
        advocate = memberships.filter(role=TeamMembership.Role.LEGAL_ADVOCATE)
        broken_glass = BreakGlassAccess.objects.filter(user=user, expires_at__gt=Now())
        return (
            Q(**{f"{team}__in": memberships.values("team")})
            | Q(Exists(advocate))
            | Q(Exists(broken_glass))
        )

    return _built_once(user, f"team may be seen:{team}", build)


def rows_of_teams_maybe_seen(model, user):
    """
    `model`'s rows that meet `team_may_be_seen(user)` (on its `team`), as a queryset whose
    condition is SQL written once per user in the process (`condition_written_once`, kept as
    the rule is): a search compiles its walk once per rank, and compiling the condition's three
    subqueries into each cost ~2,000 Python calls.
    """
    if not _sees_cases(user):
        return model.objects.none()
    return _built_once(
        user,
        f"team may be seen:{model._meta.label}",
        lambda: condition_written_once(model.objects.filter(team_may_be_seen(user))),
    ).all()


def _worked_by_kept(user, *, assignment_role: str | None = None, probed: bool = False) -> Q:
    """`_worked_by`, built once per user, role and form (see `_built_once`)."""
    if not _sees_cases(user):
        return _worked_by(user, assignment_role=assignment_role, probed=probed)
    return _built_once(
        user,
        f"worked:{assignment_role}:{'probed' if probed else 'exists'}",
        lambda: _worked_by(user, assignment_role=assignment_role, probed=probed),
    )


def _cases_visible_to(user):
    """The cases `user` sees, as a queryset (a copy of one built once per user)."""
    Case = apps.get_model("casework", "Case")
    visibility = _case_visibility(user)
    if visibility is None:
        return Case.objects.none()
    return _built_once(user, "visible cases", lambda: Case.objects.filter(visibility)).all()


def _cases_probed_for(user):
    """
    The cases `user` sees, each tested on its own (the case list's form of the rule), as a
    queryset whose condition is SQL written once per user in the process (a copy of one kept by
    `_built_once`). The list compiled the rule's nested subqueries into its page and again into
    its bounded count on every request (~3,000 Python calls each, a sixth of the page's); the
    condition is the rule alone, a function of the user's id, so its SQL is kept as
    `subquery_kept` keeps the rule's subqueries, and each query still reads memberships,
    assignments and grants when it runs. It stays a condition on the case's own row, placed as
    it stands in a query or, renamed, in a subquery (`condition_written_once`).
    """
    Case = apps.get_model("casework", "Case")
    visibility = _case_visibility(user, probed=True)
    if visibility is None:
        return Case.objects.none()
    # For a reader of few cases, started from them (`_among_granted`); kept apart.
    few = reads_few_cases(user)
    return _built_once(
        user,
        "visible cases:probed:few" if few else "visible cases:probed",
        lambda: condition_written_once(
            Case.objects.filter(visibility).filter(_among_granted(user, "pk") if few else Q())
        ),
    ).all()


# The SQL of the rule's subqueries, by (user id, name): see `subquery_kept`.
_SUBQUERIES = KeptInProcess(limit=2048)


def subquery_kept(user, name: str, rows) -> RawSQL | list:
    """
    `rows()`, a queryset of one column of ids that depends on nothing but the user's id (the
    cases they see, or may change), as a subquery for `field__in=`; an empty list for a user who
    is not signed in or not active (asked at every call). Its SQL is written by Django once per
    user and `name` in this process and reused as it stands: building, resolving and compiling
    the rule's nested subqueries cost ~6,000 Python calls each time, more than the rest of the
    query that used them, on every page and API request.

    Keeping it shows no one anything: what is kept is SQL text and its parameters (the user's
    id, role names), a function of the user's id alone, never a row or an answer. Memberships,
    assignments, shares and break-glass grants are read by each query that contains it, when it
    runs (a grant's expiry against the statement's clock, `Now()`). `name` stands for one
    `rows` everywhere. Only as a whole, self-contained subquery: its tables are named inside it
    and it refers to nothing outside, so it means the same wherever it is placed.
    """
    if not _sees_cases(user):
        return []
    sql, params = _kept((user.pk, name), lambda: _sql_of(rows()))
    # Django's own SQL with its parameters still apart, not text from any user: no injection.
    return RawSQL(sql, params, output_field=models.UUIDField())  # noqa: S611


def _kept(key: tuple, write) -> tuple:
    """The SQL and parameters kept under `key`, written by `write()` the first time it is asked."""
    return _SUBQUERIES.get(key, write)


def rows_kept(user, name: str, rows) -> list[tuple]:
    """
    The rows of `rows()`, a query of plain values (no model built) that depends on nothing but
    the user's id, run from its SQL written once per user and `name` in this process, as
    `subquery_kept`'s: the dashboard's counts by risk compiled the rule of `_worked_counts` on
    every visit (~5,000 Python calls) to read a handful of rows. What is kept is SQL and the
    user's id; the rows are read afresh by every call. No rows for a user who is not signed in
    or not active.
    """
    if not _sees_cases(user):
        return []
    sql, params, database = _kept((user.pk, f"rows:{name}"), lambda: _query_sql(rows()))
    with connections[database].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def count_kept(user, name: str, rows) -> int:
    """
    `rows().count()`, for a query that depends on nothing but the user's id, counted from its SQL
    written once per user and `name` in this process, as `rows_kept` runs its rows: the
    dashboard's counts of what waits for a supervisor's approval (intakes, documents) compiled
    their rules on every visit (~4,000 Python calls each) to count a few rows. What is kept is
    SQL and the user's id; the rows are counted afresh by every call. 0 for a user who is not
    signed in or not active, whom no such query shows anything.
    """
    if not _sees_cases(user):
        return 0
    sql, params, database = _kept(
        (user.pk, f"count:{name}"), lambda: _query_sql(rows().order_by().values("pk"))
    )
    with connections[database].cursor() as cursor:
        # Django's own SQL, counted as `count()` counts a query it cannot flatten.
        cursor.execute(f'SELECT COUNT(*) FROM ({sql}) "counted"', params)  # noqa: S608
        return cursor.fetchone()[0]


def _query_sql(queryset) -> tuple[str, tuple, str]:
    """The SQL and parameters of `queryset` as it stands, its order included, and its database."""
    return (*queryset.query.get_compiler(using=queryset.db).as_sql(), queryset.db)


def _sql_of(queryset) -> tuple[str, tuple]:
    """The SQL and parameters of `queryset` (one column's values) for `IN (...)`, unordered."""
    query = queryset.order_by().query
    return query.get_compiler(using=queryset.db).as_sql()


# Where a kept probe's SQL names the row it probes for: replaced, in each query the probe is placed
# in, by that row's column as that query names it. Not a parameter: a column.
_OUTER_ROW = "__shimteo_probed_row__"
# The probe's own aliases (KP0, KP1...; KQ0... for a probe holding probes, see `_probe_sql`): no
# query it is placed in names a table so, so the column put in for `_OUTER_ROW` always means the
# outer row, never a table of the probe.
_PROBE_ALIAS_PREFIXES = ("KP", "KQ", "KR", "KS")


# While a probe's SQL is written (`_probe_sql`): the alias prefixes of the kept probes inside it.
_PREFIXES_WITHIN: contextvars.ContextVar[set | None] = contextvars.ContextVar(
    "shimteo_probe_prefixes_within", default=None
)


class _KeptAroundOuterRow(models.Expression):
    """
    Kept SQL that names the outer query's row (`_OUTER_ROW`), written into `template`: only the
    outer column is compiled per query. `prefixes`: of the aliases in the SQL, its own and those
    of the probes inside it, told to a probe being written around this one (`_probe_sql`).
    """

    template = "({})"

    def __init__(self, sql: str, params: tuple, outer, prefixes: frozenset, **kwargs):
        super().__init__(**kwargs)
        self.sql, self.params, self.outer, self.prefixes = sql, params, outer, prefixes

    def get_source_expressions(self):
        return [self.outer]

    def set_source_expressions(self, exprs):
        (self.outer,) = exprs

    def as_sql(self, compiler, connection):
        column, column_params = compiler.compile(self.outer)
        if column_params:
            raise ValueError("the outer row must be a plain column")
        within = _PREFIXES_WITHIN.get()
        if within is not None:
            within.update(self.prefixes)
        return self.template.format(self.sql.replace(_OUTER_ROW, column)), self.params


class _KeptProbe(_KeptAroundOuterRow):
    """`(kept SQL naming the outer row) IS NOT NULL`."""

    template = "({}) IS NOT NULL"
    conditional = True
    output_field = models.BooleanField()


def probe_kept(user, name: str, outer: str, rows) -> Q:
    """
    `Q(IsNull(Subquery(rows(OuterRef(outer))), False))`, whether the row at `outer` (a field of
    the outer query's row) is found by `rows`, a query of at most one row that depends on nothing
    but the user's id and that row, asked row by row (the dashboard's probes, `_on_my_case`).
    Its SQL is written once per user and `name` in this process, as `subquery_kept`'s: the
    dashboard compiled the rule into seven such probes on every visit, a fifth of its Python.
    What is kept is SQL and the user's id, never an answer, for the reasons `subquery_kept` gives.
    """
    if not _sees_cases(user):
        return Q(IsNull(Subquery(rows(OuterRef(outer))), False))
    outer_row = RawSQL(_OUTER_ROW, (), output_field=models.UUIDField())  # noqa: S611
    sql, params, prefixes = _kept((user.pk, f"probe:{name}"), lambda: _probe_sql(rows(outer_row)))
    return Q(_KeptProbe(sql, params, models.F(outer), prefixes))


def _probe_sql(queryset) -> tuple[str, tuple, frozenset]:
    """
    The probe's SQL and parameters, its tables named by aliases of its own, and the prefixes of
    the aliases it holds (its own, and those of the probes inside it). A probe may hold kept
    probes (whether a person is a member of a case the user works holds whether that case is
    one): its own aliases must differ from theirs, or the column put in for an inner probe's
    outer row (this probe's table) would name the inner probe's own table. So it is written
    with "KP" aliases, and again with "KQ", "KR"... while a probe inside uses them.
    """
    for prefix in _PROBE_ALIAS_PREFIXES:
        query = queryset.query.clone()
        query.change_aliases({alias: f"{prefix}{pos}" for pos, alias in enumerate(query.alias_map)})
        query.alias_prefix = prefix
        query.subquery = True
        within = set()
        token = _PREFIXES_WITHIN.set(within)
        try:
            sql, params = query.get_compiler(using=queryset.db).as_sql()
        finally:
            _PREFIXES_WITHIN.reset(token)
        if prefix in within:
            continue
        if sql.count(_OUTER_ROW) != 1:
            raise ValueError(f"a probe names its outer row once: {sql}")
        return sql, params, frozenset(within | {prefix})
    raise ValueError("probes nested too deep")


class _KeptRowsOf(_KeptAroundOuterRow):
    """`ARRAY(kept SQL naming the outer row)`."""

    template = "ARRAY({})"


def array_kept(name: str, outer: str, rows, output_field):
    """
    `ArraySubquery(rows(OuterRef(outer)))`, the rows of `rows` for the row at `outer` (a field of
    the outer query's row) as one array column, for a query of one column that depends on
    nothing but that row (an API case detail's members and assignees, PostgreSQL only). Its SQL
    is written once per `name` in this process, as `probe_kept`'s is per user: compiling the
    subquery anew on every request cost more Python than the prefetch it replaces. What is kept
    is SQL, never a row: each query reads the rows when it runs.
    """
    outer_row = RawSQL(_OUTER_ROW, (), output_field=models.UUIDField())  # noqa: S611
    # Keyed by None where a user's id would be: the same for every user.
    sql, params, prefixes = _kept((None, f"array:{name}"), lambda: _probe_sql(rows(outer_row)))
    return _KeptRowsOf(sql, params, models.F(outer), prefixes, output_field=output_field)


# Where a condition written once names its own row: replaced, in each query it is placed in, by
# that query's alias of the table (its own name, or V0... when the query is a subquery).
_OWN_ROW = "__shimteo_own_row__"


class _WrittenCondition(models.Expression):
    """A condition on the query's own rows, as SQL written once: only the row's alias is put in."""

    conditional = True
    output_field = models.BooleanField()

    def __init__(self, sql: str, params: tuple, alias: str):
        super().__init__()
        self.sql, self.params, self.alias = sql, params, alias

    def relabeled_clone(self, change_map):
        # The table's alias follows the query's renaming (as a subquery, or written once again
        # by `condition_written_once`), as a column's would. The query's first alias is not
        # always its own table: joins a condition set up and trimmed stay listed, and renaming
        # moves the renamed alias last.
        clone = self.copy()
        clone.alias = change_map.get(self.alias, self.alias)
        return clone

    def as_sql(self, compiler, connection):
        alias = compiler.quote_name_unless_alias(self.alias)
        return f"({self.sql.replace(_OWN_ROW, alias)})", self.params


def condition_written_once(queryset):
    """
    `queryset` again, its condition (for a case list: the visibility rule and any filter set
    before a search) written to SQL once and placed as it stands in each query made from it:
    a search of the case list asks up to seven queries of the same cases, and compiling the
    rule's nested subqueries into each cost ~3,500 Python calls, more than the rest of the
    search's Python. The SQL is the same, so PostgreSQL plans each query as before. Only for a
    condition on the table's own rows (no join); kept for the caller's queries, not between
    requests, since `queryset` may hold any filter.
    """
    query = queryset.query
    used = [alias for alias, count in query.alias_refcount.items() if count]
    # (Joins that a condition's paths set up and then trimmed stay listed, unused.)
    if not query.where or used != [query.base_table]:
        return queryset
    own = query.clone()
    own.change_aliases({query.base_table: _OWN_ROW})
    try:
        sql, params = own.get_compiler(using=queryset.db).compile(own.where)
    except EmptyResultSet:
        return queryset.none()
    written = queryset.all()
    written.query.where = WhereNode()
    return written.filter(_WrittenCondition(sql, tuple(params), query.base_table))


def written_condition_of(queryset) -> tuple | None:
    """
    What the rows of `queryset` (one made by `condition_written_once`) are, as a key: its
    written condition's SQL and parameters, ("", ()) when it has no condition, or None when its
    condition is not written (a join, a filter on another table): SQL made from it may then be
    kept under this key, since two querysets with the same key select the same rows.
    """
    query = queryset.query
    if query.is_empty() or query.where.negated or query.combinator or query.is_sliced:
        return None
    children = query.where.children
    if not children:
        return ("", ())
    # `filter(condition)` puts the condition in as `condition = True`.
    [written] = children if len(children) == 1 else [None]
    if not (isinstance(written, Exact) and written.rhs is True):
        return None
    if not isinstance(written.lhs, _WrittenCondition):
        return None
    key = (written.lhs.sql, written.lhs.params)
    try:
        hash(key)
    except TypeError:
        return None
    return key


def visible_cases_up_to(user, limit: int) -> int:
    """
    How many cases `user` sees, counted up to `limit` (what `visible_to(user)[:limit].count()`
    answers): the case list's count without a filter, which only needs to know that there are
    more than its bound. The cases they see include every open case they work, which
    PostgreSQL's triggers already count (`CaseloadCount`, the dashboard's counts by risk): when
    those counts add up to `limit`, so do the cases seen, and the walk of `limit` cases through
    the rule, each probed for an assignment (~3,000 index probes and 6,000 buffers for a
    caseworker at 100,000 people, on every page of her list), is not run: PostgreSQL evaluates
    the CASE's other branch, an uncorrelated subquery, only when it is reached. Below that the
    cases are counted as before. One query, both parts SQL written once per user (`_kept`);
    the counts and the cases are read when it runs, so a change of caseload is seen at once.
    """
    Case = apps.get_model("casework", "Case")
    CaseloadCount = apps.get_model("casework", "CaseloadCount")
    seen = Case.objects.visible_to(user, probed=True).order_by().values("pk")
    # Elsewhere (SQLite, `make run`) no trigger keeps the counts.
    if not _sees_cases(user) or connections[seen.db].vendor != "postgresql":
        return seen[:limit].count()
    worked_sql, worked_params, _db = _kept(
        (user.pk, "open cases worked"),
        lambda: _query_sql(
            CaseloadCount.objects.worked_now_by(user).order_by().values("open_cases")
        ),
    )
    seen_sql, seen_params, database = _kept(
        (user.pk, "cases seen", reads_few_cases(user)), lambda: _query_sql(seen)
    )
    # Django's own SQL with its parameters still apart, not text from any user: no injection.
    sql = (
        f"SELECT CASE WHEN (SELECT SUM(worked.open_cases) FROM ({worked_sql}) worked) >= %s "  # noqa: S608
        f"THEN %s ELSE (SELECT COUNT(*) FROM ({seen_sql} LIMIT %s) seen) END"
    )
    with connections[database].cursor() as cursor:
        cursor.execute(sql, (*worked_params, limit, limit, *seen_params, limit))
        return cursor.fetchone()[0]


def _granted_one_by_one(user):
    """
    The ids of a few cases among which is every case `user` sees (see `cases_granted_one_by_one`),
    a row for each grant: their assignments and shares, the cases they own, their running
    break-glass grants, and, for a team they supervise, its every case.
    """
    Case = apps.get_model("casework", "Case")
    CaseAssignment = apps.get_model("casework", "CaseAssignment")
    BreakGlassAccess = apps.get_model("casework", "BreakGlassAccess")
    supervised = TeamMembership.objects.filter(user=user, role=TeamMembership.Role.SUPERVISOR)
    return (
        CaseAssignment.objects.filter(user=user)
        .order_by()
        .values_list("case_id")
        .union(
            Case.objects.filter(owner=user).order_by().values_list("pk"),
            BreakGlassAccess.objects.filter(user=user, expires_at__gt=Now())
            .order_by()
            .values_list("case_id"),
            Case.objects.filter(team__in=supervised.values("team")).order_by().values_list("pk"),
            all=True,
        )
    )


def cases_granted_one_by_one(user, *, most: int) -> list | None:
    """
    The ids of a few cases among which is every case `user` sees, when there are at most `most`
    of them; else None. Read from what grants a case one by one (the user's assignments and
    shares, the cases they own, their running break-glass grants) and, for a team they
    supervise, its every case (so a supervisor of a team of more passes `most`). Like `team_may_be_seen`, it is not
    the rule and grants nothing: the cases found are still asked `visible_to`. It lets a reader
    of a few dozen cases among a team's thousands (a caseworker's own caseload) be served from
    them, where walking the team's cases in an index's order probed each for her assignment
    (every case of the team, when hers are fewer than a page). Follows `_worked_by` and
    `_build_case_visibility`: change the three together (tests/casework/test_visibility.py).
    One query, its SQL written once per user: the branches are appended and the whole cut at
    `most` + 1 rows, so a supervisor's team is never read beyond that.
    """
    if not _sees_cases(user):
        return []
    sql, params, database = _kept(
        (user.pk, "cases granted one by one, as rows"),
        lambda: _query_sql(_granted_one_by_one(user)),
    )
    with connections[database].cursor() as cursor:
        # Django's own SQL, its parameters apart, and the bound: no text from any user.
        cursor.execute(f"SELECT * FROM ({sql}) granted LIMIT %s", (*params, most + 1))  # noqa: S608
        rows = cursor.fetchall()
    if len(rows) > most:
        return None
    # As the ORM gives them (SQLite answers a UUID's hex).
    to_python = apps.get_model("casework", "Case")._meta.pk.to_python
    return sorted({to_python(pk) for (pk,) in rows})


# A reader granted at most this many cases (`cases_granted_one_by_one`) reads few cases: their
# lists start from those cases (the case list: `_cases_probed_for`; the dashboard's: given the
# cases' ids; the search: `search._cases_of_few_seen`). Walking a team's cases or records in a
# list's order and probing each, as the lists do for a reader of thousands, read the team's
# every case for a caseworker of 40: her case list took 86 ms at 100,000 people (the floor's
# 12 times) and her dashboard 370 ms.
FEW_CASES = 200


def reads_few_cases(user) -> bool:
    """
    Whether `user` is granted at most FEW_CASES cases (`cases_granted_one_by_one`): asked once
    per request, kept on the user object the request loaded, since the case list asks it of
    each query it builds. Only which plan a list takes depends on it, never what the list
    shows: `_among_granted` narrows to a superset of the cases seen, and the rule is still asked
    of every row.
    """
    few = getattr(user, _READS_FEW_CASES, None)
    return few_cases_granted(user) is not None if few is None else few


def few_cases_granted(user) -> list | None:
    """
    The ids of the cases granted to `user` one by one (`cases_granted_one_by_one`) when there
    are at most FEW_CASES, else None; and whether there are is kept for the request
    (`reads_few_cases`), so that for a reader of many it is asked once. The ids themselves are
    read afresh by each call, since a list narrowed to them must show a case granted a moment
    ago.
    """
    if not _sees_cases(user) or getattr(user, _READS_FEW_CASES, None) is False:
        return None
    granted = cases_granted_one_by_one(user, most=FEW_CASES)
    setattr(user, _READS_FEW_CASES, granted is not None)
    return granted


# The attribute of a request's user that keeps `reads_few_cases`.
_READS_FEW_CASES = "_shimteo_reads_few_cases"


def _among_granted(user, case: str) -> Q:
    """
    Rows whose case (at `case`) is granted to `user` one by one, as a subquery whose SQL is kept
    per user (`subquery_kept`): an uncorrelated condition, hashed once, that the case list's
    walk tests before it probes the rule. It grants nothing: the rule is still asked.
    """
    granted = subquery_kept(user, "cases granted one by one", lambda: _granted_one_by_one(user))
    return Q(**{f"{case}__in": granted})


def visible_case_ids(user) -> RawSQL | list:
    """
    The ids of the cases `user` sees, for `case__in=`: the rule as a subquery, its SQL kept (see
    `subquery_kept`). Where `Case.objects.visible_to(user).values("pk")` would be a subquery.
    """
    return subquery_kept(user, "visible cases", lambda: _cases_visible_to(user).values("pk"))


def _visible_person_ids(user) -> RawSQL | list:
    """The ids of the people `user` sees (members of a visible case), as `visible_case_ids`."""
    CaseMember = apps.get_model("casework", "CaseMember")
    return subquery_kept(
        user,
        "visible people",
        lambda: CaseMember.objects.filter(case__in=visible_case_ids(user)).values("person"),
    )


def person_seen_by(user, person) -> Exists | Q:
    """
    Whether the person at `person` (an OuterRef to a person id) is one `user` may see: the rule
    of `PersonQuerySet.visible_to` as a condition probed row by row (a member of a visible case),
    for the queries that walk rows in their page's order and stop when the page is full, where
    `pk IN (every visible person)` would first gather thousands of people the page never shows.
    """
    CaseMember = apps.get_model("casework", "CaseMember")
    if not _sees_cases(user):
        return Q(pk__in=[])
    return Exists(CaseMember.objects.filter(person=person, case__in=visible_case_ids(user)))


class CaseQuerySet(EncryptedQuerySet):
    def visible_to(self, user, *, probed: bool = False):
        """
        The cases `user` sees. `probed`: the same cases, for a list read most at risk first a
        page at a time and counted up to a bound (the case list): each case its walk reads is
        tested on its own, so a page costs what its cases cost however many the user works.
        Lists and counts that read every visible case (reports) leave it off: for them one pass
        over the user's assignments is cheaper than a probe per case. (The dashboard's lists
        probe each row they read through `selectors.dashboard.on_my_case`; its counts are kept.)
        """
        # The rule's own condition on these rows, not `pk IN (SELECT pk FROM case ...)`: the
        # same rows without a second scan of every case and a join on its ids.
        visibility = _case_visibility(user, probed=probed)
        return self.none() if visibility is None else self.filter(visibility)

    def visible_among_few(self, user):
        """
        `visible_to(user)` for a query that finds its few cases by another index (a person's
        cases): the rule as `pk IN (the visible cases' ids)`, probed for each case found, its
        SQL written once per user (see `subquery_kept`) instead of compiled into this query.
        Lists and counts over many cases keep `visible_to`, the rule as the rows' condition.
        """
        return self.filter(pk__in=visible_case_ids(user))

    def worked_by(self, user, *, assignment_role: str | None = None):
        """Narrows to the cases `user` works (see `_worked_by`); start from `visible_to(user)`."""
        return self.filter(_worked_by_kept(user, assignment_role=assignment_role))

    def worked_now_by(self, user, *, assignment_role: str | None = None):
        """
        `visible_to(user).worked_by(user)` with the rule written once: working a case is one of
        the two ways of seeing it (the other a running break-glass grant), so the cases a user
        works are all among those they see. Written twice, the ORM compiled the rule's
        subqueries twice and PostgreSQL tested both for every case of a dashboard list.
        """
        if not _sees_cases(user):
            return self.none()
        return self.worked_by(user, assignment_role=assignment_role)

    def among_cases(self, cases):
        """The cases of `cases` (see `CaseScopedQuerySet.among_cases`)."""
        return self.filter(pk__in=cases)

    def open(self):
        return self.exclude(status="closed")

    def most_at_risk_first(self):
        return self.order_by("risk_rank", "reference")


class CaseloadCountQuerySet(models.QuerySet):
    def worked_now_by(self, user):
        """The counts whose sum is `Case.objects.worked_now_by(user).open()` counted."""
        return self.filter(_worked_counts(user)) if _sees_cases(user) else self.none()


class CaseManager(models.Manager.from_queryset(CaseQuerySet)):
    """
    `Case.objects`: its `visible_to(user)` and `worked_now_by(user)` hand out a copy of the
    queryset kept for the user (see `_built_once`), with the rule's condition already
    resolved, instead of resolving it again for each query (~3,000 Python calls each). On a
    queryset (`Case.objects.filter(...).visible_to(user)`) and on a relation's manager
    (`team.cases`, whose rows are narrowed first) they filter as CaseQuerySet does.
    """

    def visible_to(self, user, *, probed: bool = False):
        # A relation's manager narrows to its own rows first.
        if type(self) is not CaseManager:
            return super().visible_to(user, probed=probed)
        return _cases_probed_for(user) if probed else _cases_visible_to(user)

    def worked_now_by(self, user, *, assignment_role: str | None = None):
        if type(self) is not CaseManager or not _sees_cases(user):
            return super().worked_now_by(user, assignment_role=assignment_role)
        return _built_once(
            user,
            f"worked cases:{assignment_role}",
            lambda: self.get_queryset().worked_by(user, assignment_role=assignment_role),
        ).all()


class PersonQuerySet(EncryptedQuerySet):
    def visible_to(self, user):
        # pk IN (the members of the visible cases), as it was written with the ORM.
        return self.filter(pk__in=_visible_person_ids(user))

    def among_cases(self, cases):
        """The members of `cases` (see `CaseScopedQuerySet.among_cases`)."""
        return self.filter(pk__in=_members_of(cases))

    def matching_name(self, name: str):
        """People whose name or an alias equals `name` once folded (any Unicode form or case)."""
        # More than one digest only while the index key is rotated (see vault.blind_index).
        return self.with_name_index_in(blind_indexes(NAME_SCOPE, name))

    def with_name_index_in(self, digests):
        """
        People whose name's or an alias's blind index is one of `digests` (`matching_name`'s,
        given as they are, so that a kept query may take them as its parameters).
        """
        if not digests:
            return self.none()
        PersonAlias = apps.get_model("casework", "PersonAlias")
        Person = apps.get_model("casework", "Person")
        aliased = PersonAlias.objects.filter(name_index__in=digests).order_by().values("person")
        named = Person.objects.filter(full_name_index__in=digests).order_by().values("pk")
        # One list of ids from the two indexes: `full_name_index = d OR pk IN (aliases)` cannot
        # use the name's index, and scanned every person (50 ms at 100,000 people; now ~1 ms).
        return self.filter(pk__in=named.union(aliased))


class RecordQuerySet(EncryptedQuerySet):
    """The records a caseworker can correct or void (casework.models.corrections.Correctable)."""

    def in_force(self):
        return self.filter(voided_at__isnull=True)

    def voided(self):
        return self.filter(voided_at__isnull=False)


class InForceManager(models.Manager):
    """
    The default manager of a record that can be voided: a voided record is a mistake, so it is
    left out of every page, list, report, document, check and count that reads `objects`
    (relations such as `person.status_records` included) without each of them having to
    remember it. Only the history pages, "show voided records" and the writers that must keep
    every row (erasure, merge) read `with_voided`. Django's base manager, used for saves,
    deletion and foreign keys, stays unfiltered.
    """

    def get_queryset(self):
        return super().get_queryset().filter(voided_at__isnull=True)


def _members_of(cases) -> QuerySet:
    return apps.get_model("casework", "CaseMember").objects.filter(case__in=cases).values("person")


class CaseScopedQuerySet(RecordQuerySet):
    """Records that belong to a case (notes, tasks, incidents, attachments) are seen through it."""

    def visible_to(self, user):
        return self.filter(case__in=visible_case_ids(user))

    def among_cases(self, cases):
        """
        The records of `cases` (ids given as values: a reader's few cases, `few_cases_granted`),
        for a list to start from them: it grants nothing, `visible_to` still decides.
        """
        return self.filter(case__in=cases)


class PersonScopedQuerySet(RecordQuerySet):
    """Records about a person (aliases, statuses, entitlements) are seen through the person."""

    person_field = "person"

    def visible_to(self, user):
        return self.filter(**{f"{self.person_field}__in": _visible_person_ids(user)})

    def among_cases(self, cases):
        """The records of the members of `cases` (see `CaseScopedQuerySet.among_cases`)."""
        return self.filter(**{f"{self.person_field}__in": _members_of(cases)})


class RelationshipQuerySet(RecordQuerySet):
    """A family tie is seen only when both people are: otherwise it would name someone out of scope."""

    def visible_to(self, user):
        return self.filter(
            from_person__in=_visible_person_ids(user), to_person__in=_visible_person_ids(user)
        )

    def among_cases(self, cases):
        """The ties of the members of `cases` (see `CaseScopedQuerySet.among_cases`)."""
        return self.filter(from_person__in=_members_of(cases))
