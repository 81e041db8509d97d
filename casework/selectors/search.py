"""
Forgiving name search: the keys a term could be, matched against the people's stored name keys.
Visibility, ranking and the limit are all resolved in one SQL query (the key index finds the
keys, the visible_to selector's queryset narrows them as a subquery, a CASE over the kind gives
each key its order and MIN its person's or case's best), so that a common family name matching
thousands of people costs no more rows in Python than the page shows.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from django.core.exceptions import EmptyResultSet
from django.db import connection, connections, models
from django.db.models import Case as Case_
from django.db.models import Exists, Min, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils.translation import gettext_lazy as _

from accounts.kept_sql import KeptInProcess, keys_padded, of_user, rows_of_shape
from vault.blind_index import Digest, blind_indexes

from .. import names
from ..choices import MemberRole, NameKeyKind
from ..models import Case, CaseMember, CaseNameKey, NameKey, Person
from ..querysets import (
    NAME_SCOPE,
    condition_written_once,
    few_cases_granted,
    person_seen_by,
    rows_of_teams_maybe_seen,
    written_condition_of,
)
from ..references import could_be_reference

REFERENCE_RANK = -1
KIND_ORDER = {kind: position for position, kind in enumerate(names.RANKS)}
# At most this many cases answer a search of the case list (SEARCH_CASES_LIMIT pages'
# worth); beyond it the page says there are more and asks for the given name.
SEARCH_CASES_LIMIT = 200


@dataclass(frozen=True)
class NameMatch:
    """Why a person, or a case through a member, answered a search: the best key it matched."""

    rank: int
    kind: str = ""
    via_alias: bool = False
    # Who matched, when the match is one member of a case found: a Person, or None.
    person: object = field(default=None, compare=False)

    @property
    def reason(self) -> str:
        if self.rank == REFERENCE_RANK:
            return str(_("matched the reference"))
        if self.kind == NameKeyKind.FULL and self.via_alias:
            return str(names.ALIAS_REASON)
        return str(names.REASONS[self.kind])

    @property
    def order(self) -> tuple:
        """Best first: by rank; within one, by kind (a Korean reading before a romanisation)."""
        return (self.rank, KIND_ORDER.get(self.kind, 0), self.via_alias)

    def better_than(self, other: "NameMatch | None") -> bool:
        return other is None or self.order < other.order


def _code(kind: str, via_alias: bool) -> int:
    """A match's `order` as one integer, so that SQL can take the best (MIN) and sort by it."""
    return (names.RANKS[kind] * len(KIND_ORDER) + KIND_ORDER[kind]) * 2 + int(via_alias)


# The NameMatch of each code.
MATCH_OF_CODE = {
    _code(kind, via_alias): NameMatch(rank=rank, kind=kind, via_alias=via_alias)
    for kind, rank in names.RANKS.items()
    for via_alias in (False, True)
}
EXACT_CODE = _code(NameKeyKind.FULL, False)


def _name_digests(term: str) -> dict[str, str]:
    """{digest: kind} of every key the term could be, under the current and any old index key."""
    return {
        digest: kind
        for kind, text in names.name_keys(term, searching=True)
        for digest in blind_indexes(names.key_scope(kind), text)
    }


# The kinds of key that are a whole name, in its own or another script or spelling (its
# romanisation, the Korean reading of its characters, its pinyin, one form of its characters),
# not a part of it that thousands share.
WHOLE_NAME_KINDS = frozenset(kind for kind, rank in names.RANKS.items() if rank <= 1)


def whole_name_digests(name: str) -> set[str]:
    """
    The digests of every whole form `name` may take (`WHOLE_NAME_KINDS`), to compare with the
    stored name keys when checking whether someone is already on file: 박숙희, Pak Suk Hui and
    朴淑姬 share one.
    """
    if any(character.isdigit() for character in name):
        # Romanisations and readings drop digits, so "Alias 3" would meet "Alias 7": a name
        # with digits in it (a code, a numbered placeholder) is compared exactly, or not at all.
        return set()
    return {digest for digest, kind in _name_digests(name).items() if kind in WHOLE_NAME_KINDS}


def _by_kind(digests: dict[str, str]) -> dict[str, list[str]]:
    kinds: dict[str, list[str]] = {}
    for digest, kind in digests.items():
        kinds.setdefault(kind, []).append(digest)
    return kinds


def _keys_matching(digests: dict[str, str], prefix: str = "") -> Q:
    """
    The name keys (through `prefix`, a path to NameKey) with any of the term's digests: one
    `digest IN (...)` that the covering index answers alone; digests are keyed per kind, so a
    digest of one kind is no other kind's, and `_match_code` still checks the kind.
    """
    return Q(**{f"{prefix}digest__in": list(digests), f"{prefix}kind__in": set(digests.values())})


def _match_code(digests: dict[str, str], prefix: str = "") -> Case_:
    """A matched key's code (`_code`): a CASE over its kind and whether an alias gave it."""
    whens = []
    for kind, kind_digests in _by_kind(digests).items():
        matched = {f"{prefix}kind": kind, f"{prefix}digest__in": kind_digests}
        whens.append(
            When(**matched, **{f"{prefix}alias__isnull": True}, then=Value(_code(kind, False)))
        )
        whens.append(When(**matched, then=Value(_code(kind, True))))
    return Case_(*whens, default=None, output_field=models.IntegerField())


def name_matches(term: str, *, among=None) -> dict:
    """
    {person id: NameMatch} of the people whose name or alias matches `term` in any of its
    forms, each with its best match; `among` (a queryset of person ids) narrows them. For a few
    known people (a page's); a search of everyone goes through `people_search`.
    People whose keys are not written yet (rows bulk-loaded before `reindex_names`) are still
    found by their exact name, through the name's own blind index.
    """
    digests = _name_digests(term)
    if not digests:
        return {}
    keys = NameKey.objects.filter(_keys_matching(digests))
    exact = Person.objects.matching_name(term)
    if among is not None:
        keys, exact = keys.filter(person__in=among), exact.filter(pk__in=among)
    best = {
        person_id: MATCH_OF_CODE[code]
        for person_id, code in keys.values("person_id")
        .annotate(code=Min(_match_code(digests)))
        .values_list("person_id", "code")
    }
    for pk in exact.values_list("pk", flat=True):
        # Only for people without keys: the keys say whether it was the name or an alias.
        best.setdefault(pk, NameMatch(rank=0, kind=NameKeyKind.FULL))
    return best


@dataclass
class PeopleFound:
    """
    A search's answer: the best `people` first (each with its `.match`), `total` of them, and
    whether there were `more` than the limit (then `total` is the limit, not a count).
    """

    people: list
    total: int
    more: bool = False


def _without_keys(people: QuerySet) -> QuerySet:
    """Those of `people` (few: an exact name) whose name keys are not written yet."""
    return people.filter(~Exists(NameKey.objects.filter(person=OuterRef("pk"))))


def _by_rank(digests: dict[str, str]) -> list[dict[str, str]]:
    """The term's {digest: kind}, one dict per rank, best rank first."""
    ranks: dict[int, dict[str, str]] = {}
    for digest, kind in digests.items():
        ranks.setdefault(names.RANKS[kind], {})[digest] = kind
    return [ranks[rank] for rank in sorted(ranks)]


def _union_of_walks(
    walks: list[tuple[Callable[..., QuerySet], list[tuple]]], stand_ins, *, kept_as=None
) -> list:
    """
    The rows of `walk(*v)` for each `walk` and each `v` of its values (a digest's walk, ordered
    and cut by its own LIMIT, its last value), in one query: a UNION ALL. Each `walk` is compiled
    once, given `stand_ins` (one per value, each a parameter of its SQL once; the last, the
    LIMIT, made one here), and its SQL repeated with each `v` put in their place: compiling a
    walk (its visibility condition) cost ~3,000 Python calls, and a romanised name has a dozen
    digests. `kept_as`: a key that stands for everything else the walks' SQL depends on (the
    rows walked, the reader), under which their SQL is kept for the process (`_WALKS`) and not
    compiled again; None, compiled for this call. The rows are read as the database gives them
    (ids, texts, numbers).
    """
    if not connection.features.supports_slicing_ordering_in_compound:
        # SQLite (the development database) takes no LIMIT inside a UNION: one walk at a time.
        return [row for walk, values in walks for given in values for row in walk(*given)]
    parts, params, database = [], [], None
    for position, (walk, values) in enumerate(walks):
        if not values:
            continue
        if kept_as is None:
            compiled = _walk_sql(walk, stand_ins)
        else:
            compiled = _WALKS.get(
                (kept_as, position, len(stand_ins)),
                lambda walk=walk: _walk_sql(walk, stand_ins),
            )
        if compiled is None:
            # A walk the ORM knows to find nothing (a user who sees no case), as the queryset.
            continue
        sql, template, places, database = compiled
        for given in values:
            parts.append(f"({sql})")
            params.extend(template)
            for place, value in zip(places, given, strict=True):
                params[place - len(template)] = value
    if not parts:
        return []
    with connections[database].cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        return cursor.fetchall()


def _walk_sql(walk: Callable[..., QuerySet], stand_ins) -> tuple | None:
    """
    (SQL, parameters, where each stand-in is among them, database) of `walk(*stand_ins)`, its
    LIMIT (the last stand-in, which Django writes into the SQL as a number) made a parameter;
    None when the ORM knows the walk finds nothing.
    """
    queryset = walk(*stand_ins)
    try:
        sql, template = queryset.query.sql_with_params()
    except EmptyResultSet:
        return None
    limit = f" LIMIT {stand_ins[-1]}"
    if not sql.endswith(limit) or sql.count(limit) != 1:
        raise ValueError(f"a walk ends with its LIMIT, the last stand-in: {sql}")
    sql = sql[: -len(limit)] + " LIMIT %s"
    template = (*template, stand_ins[-1])
    if any(template.count(stand_in) != 1 for stand_in in stand_ins):
        raise ValueError(f"a walk's stand-ins must be parameters once each: {sql}")
    return sql, template, [template.index(stand_in) for stand_in in stand_ins], queryset.db


# The walks' SQL by (`kept_as`, which walk, number of stand-ins): a few per reader and list.
# What is kept is SQL text and its parameters, never a row: each search runs it afresh.
_WALKS = KeptInProcess(limit=1024)

# Stand-ins for a walk's digest, kind, codes, LIMIT and the cases it passes over, in its SQL
# compiled once (`_union_of_walks`).
_DIGEST, _KIND, _CODE, _ALIAS_CODE, _COUNT = (
    "\x00walk's digest",
    "\x00walk's kind",
    -987_654_321,
    -987_654_322,
    987_654_323,
)


def _found_stand_ins(number: int) -> list[uuid.UUID]:
    """Stand-ins for `number` cases already found: no case's id (version 4, a fixed tail)."""
    return [uuid.UUID(f"5eedcafe-0000-4000-8000-{position:012x}") for position in range(number)]


def _keys_in_page_order(
    digests: dict[str, str], *, seen: Q, count: int, kept_as=None
) -> list[tuple]:
    """
    (person id, reference, code) of the first `count` people by reference who hold each of
    `digests` in their own name, and of the first `count` who hold it in an alias, among those
    `seen` lets through: one query, a UNION ALL of one walk per digest and origin. Each walk
    reads its digest's keys already in reference order (`casework_namekey_digest_ref`) and stops
    after `count` people, so a family name held by 19,000 people costs a page's worth of
    visibility checks, not 19,000. Within one walk every key has the same code (one kind, one
    origin), so the first `count` by reference are the walk's best. `kept_as`: what `seen`
    stands for (its reader), to keep the walks' SQL (`_union_of_walks`).
    """
    on_fields = connection.features.can_distinct_on_fields

    def walk(via_alias: bool):
        def walked(digest, kind, code, count):
            keys = NameKey.objects.filter(
                seen, digest=digest, kind=kind, alias__isnull=not via_alias
            )
            rows = keys.values_list("person_id", "reference", Value(code)).order_by("reference")
            if via_alias:
                # Two aliases of one person can give one key: count people, not keys. DISTINCT
                # ON the walk's own order keeps it a walk; a plain DISTINCT sorted every key.
                rows = rows.distinct("reference") if on_fields else rows.distinct()
            return rows[:count]

        return walked

    return _union_of_walks(
        [
            (
                walk(via_alias),
                [(digest, kind, _code(kind, via_alias), count) for digest, kind in digests.items()],
            )
            for via_alias in (False, True)
        ],
        (_DIGEST, _KIND, _CODE, _COUNT),
        kept_as=kept_as,
    )


def people_search(*, user, name: str, limit: int = 50) -> PeopleFound:
    """
    The people `user` may see whose name or an alias matches `name` however it is spelled:
    the exact name first, then the whole name in another script or spelling, then the family
    name with the given name's initial, the family name alone, the given name alone; by
    reference within each rank. At most `limit` people, and whether there were more.

    Rank by rank, and within a rank only a page's worth of each digest's keys: once the better
    ranks fill the page, the worse are not read. At most one query per rank (five), one for
    people whose keys are not written yet, and one for the page's people. For a reader of a
    few cases, every rank from those cases' copies of the keys (`_people_of_few_seen`).
    """
    digests = _name_digests(name)
    if not digests:
        return PeopleFound(people=[], total=0)
    seen = person_seen_by(user, OuterRef("person_id"))
    best: dict = {}
    # A reader of few cases (a caseworker's own): from their cases' entries (`_people_of_few_seen`).
    granted = few_cases_granted(user) if _case_entries_kept() else None
    if granted is not None:
        best = _people_of_few_seen(user, granted, digests)
    for rank_digests in _by_rank(digests) if granted is None else []:
        for pk, reference, code in _keys_in_page_order(
            rank_digests, seen=seen, count=limit + 1, kept_as=of_user("people seen", user)
        ):
            if pk not in best or code < best[pk][0]:
                best[pk] = (code, reference)
        if len(best) > limit:
            # Every person of a worse rank comes after these.
            break
    # People loaded in bulk before `reindex_names` are found by their exact name (rank 0).
    unkeyed = _without_keys(Person.objects.matching_name(name)).filter(
        person_seen_by(user, OuterRef("pk"))
    )
    for pk, reference in unkeyed.values_list("pk", "reference"):
        best[pk] = (EXACT_CODE, reference)
    ranked = sorted(best.items(), key=lambda item: item[1])
    more = len(ranked) > limit
    chosen = ranked[:limit]
    people = Person.objects.in_bulk([pk for pk, _row in chosen])
    found = []
    for pk, (code, _reference) in chosen:
        person = people[pk]
        person.match = MATCH_OF_CODE[code]
        found.append(person)
    return PeopleFound(people=found, total=len(found), more=more)


@dataclass
class CasesFound:
    """
    A case search's answer: {case id: NameMatch} best first, and whether there were `more`.
    A case found by a member's name does not name the member yet (`NameMatch.person` is None):
    `who_matched` names them for the cases a page shows, since reading and decrypting the
    members of every case found (up to SEARCH_CASES_LIMIT) cost most of a search whose page
    shows a tenth of them.
    """

    matches: dict
    more: bool = False
    # The ids of the cases a member's name or alias found, and the term's {digest: kind}
    # (keyed digests, never the term) to name who matched in them.
    by_name: frozenset = frozenset()
    digests: dict = field(default_factory=dict, repr=False)
    # {case id: (risk rank, reference)} of every case of `matches`: its place in the list.
    places: dict = field(default_factory=dict, repr=False)

    def in_list_order(self) -> list:
        """
        The ids of `matches` as the list shows them: by their match's order (the reference, the
        exact name…), then most at risk first, then by reference, as `CaseFilterSet.best_first`
        orders them in SQL.
        """
        return sorted(self.matches, key=lambda pk: (self.matches[pk].order, self.places[pk]))


def _cases_holding(cases: QuerySet[Case], digests: dict[str, str]) -> QuerySet[Case]:
    """
    Those of `cases` with a member who holds one of `digests` in a name or an alias, each case
    probed: for a walk of the cases in list order that stops at its limit, right when many
    hold the digests (a common family name), since a page's worth of them come early.
    """
    keys = NameKey.objects.filter(person=OuterRef("person_id"), digest__in=list(digests))
    return cases.filter(Exists(CaseMember.objects.filter(case=OuterRef("pk")).filter(Exists(keys))))


# A rank whose digests have at most this many keys is searched from its keys (`_cases_of_few`),
# a rank with more by walking the cases in list order (`_cases_holding`). From the keys, each key
# costs a few index probes (member, case, visibility): ~10 buffers; the walk costs about as much
# per case it reads, and reads ~limit / (share of cases holding the digests) of them, so it wins
# only once the digests are common: at 100,000 people, beyond a few thousand holders.
FEW_HOLDERS = 5000


def _keys_held(digests: dict[str, str]) -> dict[str, int]:
    """
    {digest: how many keys hold it, counted up to FEW_HOLDERS + 1} for every digest of a term, in
    one query: per digest, a count of the covering index's entries stopped at the cap, so a
    family name held by 19,000 people costs what 5,001 of its entries cost (~35 index pages;
    more where the table's pages are not yet all-visible to an index-only scan).
    """
    # The table's own name is the only text put in; the digests and the cap are parameters.
    # In the index's order, so that PostgreSQL reads it (index-only) and stops at the cap; without
    # an order it read every entry of a common digest into a bitmap, then the table's pages.
    table = connection.ops.quote_name(NameKey._meta.db_table)
    count = (
        f"SELECT COUNT(*) FROM (SELECT 1 FROM {table} WHERE digest = %s"  # noqa: S608
        " ORDER BY reference LIMIT %s) k"
    )
    counted = " UNION ALL ".join(f"SELECT %s, ({count})" for _digest in digests)
    params = [value for digest in digests for value in (digest, digest, FEW_HOLDERS + 1)]
    with connection.cursor() as cursor:
        cursor.execute(counted, params)
        return dict(cursor.fetchall())


def _cases_of_few(cases: QuerySet[Case], digests: dict[str, str]) -> QuerySet[Case]:
    """
    Those of `cases` with a member who holds one of `digests`, found from the digests' few keys
    (at most FEW_HOLDERS, `_keys_held`): their people, those people's cases, each case then
    tested for visibility. Asked as `_cases_holding` asks, PostgreSQL walked the cases in list
    order even for a digest few hold (a pinyin family name held by 2,700: 169,000 buffers for
    a caseworker whose cases hold it 170 times, against 17,000 from the keys). The keys'
    subquery is cut at FEW_HOLDERS + 1 rows, which it never reaches once counted (the count
    takes every kind, the subquery only the term's, so it has fewer rows still); a subquery with
    a LIMIT is not merged into the outer query, so it is read first.
    """
    holders = NameKey.objects.filter(_keys_matching(digests)).values("person")
    members = CaseMember.objects.filter(person__in=holders[: FEW_HOLDERS + 1]).values("case")
    return cases.filter(pk__in=members)


def _case_entries_kept() -> bool:
    """Whether `CaseNameKey` is kept: by PostgreSQL's triggers (migration 0023), nowhere else."""
    return connection.vendor == "postgresql"


def _cases_walking_entries(
    cases: QuerySet[Case], digests: dict[str, str], *, found, count: int, seen_by=None
) -> list[tuple]:
    """
    (case id, code, (risk rank, reference)) of the first `count` of `cases`, most at risk first,
    not among `found`, with a member who holds one of `digests` (one rank's), each with its best
    code and its place in the list: walked along the cases' copies of the keys (`CaseNameKey`) in
    list order, one walk per digest that probes only the cases holding it, groups a case's
    entries (members, aliases: the index gives them together) into its best code and stops
    after `count` cases. Walking the cases themselves
    read every case in list order, holding the name or not (3,243 cases for a caseworker's 201
    with the family name 김), and probed its members' keys; starting from the keys sorted every
    holder, a few thousand for a family name. `seen_by`, the reader whose rule narrowed `cases`:
    the entries of cases in teams they have nothing to do with are passed over on the team the
    entry holds, in the index (`rows_of_teams_maybe_seen`), not probed case by case; the rest
    are still asked whether they are among `cases`.
    """
    # The cases already found, padded (`keys_padded`) so that the kept SQL takes a few numbers
    # of them, not one for each: a case twice in the list is passed over once.
    passed = keys_padded(list(found))

    def walk(digest, kind, code, alias_code, *passed_and_count):
        *passed, count = passed_and_count
        # Built here, only when the walk is compiled: building it cost ~1,000 Python calls.
        if seen_by is None:
            entries = CaseNameKey.objects.all()
        else:
            entries = rows_of_teams_maybe_seen(CaseNameKey, seen_by)
        entries = entries.filter(Exists(cases.filter(pk=OuterRef("case_id"))))
        by_origin = Case_(When(alias__isnull=True, then=Value(code)), default=Value(alias_code))
        walked = entries.filter(digest=digest, kind=kind)
        if passed:
            walked = walked.exclude(case_id__in=passed)
        return (
            walked.values("risk_rank", "reference", "case_id")
            .annotate(code=Min(by_origin))
            .order_by("risk_rank", "reference", "case_id")
            .values_list("case_id", "risk_rank", "reference", "code")[:count]
        )

    values = [
        (digest, kind, _code(kind, False), _code(kind, True), *passed, count)
        for digest, kind in digests.items()
    ]
    # The walks' SQL depends on the cases walked (their written condition), the reader whose
    # teams they pass over, and how many cases they pass over: kept under those, when the
    # cases' condition is written once (else compiled for this search).
    condition = written_condition_of(cases)
    kept_as = None
    if condition is not None:
        reader = None if seen_by is None else of_user("teams", seen_by)
        kept_as = ("cases walking entries", condition, reader, len(passed))
    walks = _union_of_walks(
        [(walk, values)],
        (_DIGEST, _KIND, _CODE, _ALIAS_CODE, *_found_stand_ins(len(passed)), _COUNT),
        kept_as=kept_as,
    )
    best: dict = {}
    for pk, risk_rank, reference, code in walks:
        # A case met by several walks: its place in the list, and its best code among them.
        place, best_code = best.get(pk, ((risk_rank, reference), code))
        best[pk] = (place, min(code, best_code))
    # The first `count` of the walks merged are within each walk's first `count`: a case fewer
    # than `count` cases precede in the merge has fewer than that before it in each walk.
    ranked = sorted(best.items(), key=lambda item: item[1][0])[:count]
    return [(pk, code, place) for pk, (place, code) in ranked]


# A reader of few cases (`querysets.few_cases_granted`: a caseworker's own caseload, not a
# team's) is searched from their cases' entries, each case's few dozen read by the case index:
# FEW_CASES (200) cases cost ~9,000 entries, what a walk reads for a caseworker whose cases are
# one in fifty of her team's.


def _cases_of_few_seen(
    cases: QuerySet[Case], granted: list, digests: dict[str, str], *, found, count: int
) -> list[tuple]:
    """
    (case id, code, (risk rank, reference)) of the first `count` of `cases` not among `found`
    with a member who holds one of `digests` (every rank's), by rank, then most at risk first:
    what the walks of every rank find (`_cases_walking_entries`), from the few cases the reader
    may see (`granted`, `cases_granted_one_by_one`) instead of along the team's entries of each
    digest. Walking a team's thousands of holders of a family name to find the few in a
    caseload of 40 probed every holder for visibility (28 ms at 100,000 people, against 6).
    Those of `granted` among `cases` first (the rule and the list's filters, their SQL kept per
    list and padded number of cases), then those cases' entries (`_entries_of_cases`).
    """
    condition = written_condition_of(cases)

    def among(*ids):
        return cases.filter(pk__in=ids).order_by().values("pk")

    padded = keys_padded(granted)
    if condition is None:
        rows = among(*padded)
    else:
        rows = rows_of_shape(("cases among those granted", condition), among, *padded)
    seen = [row["pk"] for row in rows]
    best: dict = {}
    for pk, _person, _role, risk_rank, reference, code in _entries_of_cases(seen, digests):
        if pk not in found:
            best[pk] = ((risk_rank, reference), min(code, best.get(pk, (None, code))[1]))
    ranked = sorted(best.items(), key=lambda item: (MATCH_OF_CODE[item[1][1]].rank, item[1][0]))
    return [(pk, code, place) for pk, (place, code) in ranked[:count]]


def _entries_of_cases(case_ids, digests: dict[str, str]) -> list[tuple]:
    """
    (case id, person id, role, risk rank, reference, code) of each entry (`CaseNameKey`) of
    `case_ids` that holds one of `digests`: every entry of those cases read by the case index
    (a few dozen a case) and then kept to the term's digests. Given to PostgreSQL as one
    condition, the digests made it also read their entries in the search's index (66,000 to
    198,000 of them for a common name at a million people) to intersect the two: the cases'
    entries are read first (MATERIALIZED). Plain SQL, so nothing is compiled per search.
    """
    if not case_ids:
        return []
    table = connection.ops.quote_name(CaseNameKey._meta.db_table)
    with connection.cursor() as cursor:
        # The table's name is the only text put in; the cases and digests are parameters.
        cursor.execute(
            f"WITH entries AS MATERIALIZED (SELECT case_id, person_id, role, risk_rank,"  # noqa: S608
            f" reference, digest, kind, alias_id FROM {table} WHERE case_id = ANY(%s))"
            " SELECT case_id, person_id, role, risk_rank, reference, digest, kind,"
            " alias_id IS NOT NULL FROM entries WHERE digest = ANY(%s)",
            [list(case_ids), list(digests)],
        )
        entries = cursor.fetchall()
    return [
        (case_id, person_id, role, risk_rank, reference, _code(kind, via_alias))
        for case_id, person_id, role, risk_rank, reference, digest, kind, via_alias in entries
        # A digest is keyed per kind; the kind is still checked, as `_match_code` does.
        if digests.get(digest) == kind
    ]


def _people_of_few_seen(user, granted: list, digests: dict[str, str]) -> dict:
    """
    {person id: (best code, reference)} of every person `user` sees among the members of the
    few cases granted to them (`granted`) who holds one of `digests` (every rank's): what the
    people search's walks find (`_keys_in_page_order`) for a reader of few cases, from her
    cases' entries instead of along every holder of each digest in the organisation, each
    probed for visibility. The people found are then asked the rule, by SQL kept per reader
    and padded number of people.
    """
    codes: dict = {}
    for _case, person, _role, _risk, _reference, code in _entries_of_cases(granted, digests):
        codes[person] = min(code, codes.get(person, code))
    if not codes:
        return {}
    seen = rows_of_shape(
        of_user("people seen among those found", user),
        lambda *ids: Person.objects.visible_to(user).filter(pk__in=ids).values("pk", "reference"),
        *keys_padded(list(codes)),
    )
    return {row["pk"]: (codes[row["pk"]], row["reference"]) for row in seen}


_MEMBER_KEYS = "person__name_keys__"


def _members_matching(digests: dict[str, str]) -> QuerySet[CaseMember]:
    """The members whose name or alias holds one of `digests`, a row per matching key."""
    return CaseMember.objects.filter(_keys_matching(digests, _MEMBER_KEYS)).order_by()


def _best_code_of_case(digests: dict[str, str]) -> Subquery:
    """
    The best code among the outer case's members' keys of `digests` (one rank's): what orders it
    among the cases found. A correlated subquery, so PostgreSQL computes it only for the rows the
    rank's walk returns, each from the members' keys through the (person, digest) index.
    """
    members = CaseMember.objects.filter(case=OuterRef(OuterRef("pk"))).values("person")
    codes = (
        NameKey.objects.filter(_keys_matching(digests), person__in=members)
        .annotate(code=_match_code(digests))
        .order_by("code")
        .values("code")[:1]
    )
    return Subquery(codes, output_field=models.IntegerField())


def _members_matching_by_entries(case_ids, digests: dict[str, str]) -> list[tuple]:
    """
    (case id, person id, role, code) of each of `case_ids`' entries holding one of `digests`
    (`_entries_of_cases`), with the member's role the entry holds: compiling the CASE of
    `_match_code` through the members' keys cost most of naming who matched (~1,400 Python
    calls of the ORM's joins per request), and the join read every member's keys; the role
    probed from each entry's member read ~4 buffers an entry.
    """
    return [
        (case_id, person_id, role, code)
        for case_id, person_id, role, _risk, _reference, code in _entries_of_cases(
            case_ids, digests
        )
    ]


def _who_matched(case_ids, digests: dict[str, str]) -> dict:
    """
    {case id: NameMatch} of the member whose name or alias matched best, for the few cases of a
    page: the match names them (`NameMatch.person`), not the case's principal, since a child's
    alias may be what was found. Principals first among equal matches.
    """
    if _case_entries_kept():
        rows = _members_matching_by_entries(case_ids, digests)
    else:
        rows = (
            _members_matching(digests)
            .filter(case__in=case_ids)
            .values("case_id", "person_id", "role")
            .annotate(best=Min(_match_code(digests, _MEMBER_KEYS)))
            .values_list("case_id", "person_id", "role", "best")
        )
    best: dict = {}
    for case_id, person_id, _role, code in sorted(
        rows, key=lambda row: (row[3], row[2] != MemberRole.PRINCIPAL, str(row[1]))
    ):
        best.setdefault(case_id, (person_id, code))
    people = _people_by_id({person_id for person_id, _code in best.values()})
    return {
        case_id: replace(MATCH_OF_CODE[code], person=people[person_id])
        for case_id, (person_id, code) in best.items()
    }


def _people_by_id(ids) -> dict:
    """`Person.objects.in_bulk(ids)`, its SQL kept per padded number of ids (kept_sql)."""
    if not ids:
        return {}
    people = rows_of_shape(
        "people by id", lambda *keys: Person.objects.filter(pk__in=keys), *keys_padded(list(ids))
    )
    return {person.pk: person for person in people}


def who_matched(found: CasesFound, case_ids) -> dict:
    """
    {case id: NameMatch} of `case_ids` (those of a page) among the cases `found`, a case found
    by a member's name naming that member: one query for the members who matched, one to read
    them, whatever the number of cases found.
    """
    shown = [pk for pk in case_ids if pk in found.matches]
    named = _who_matched([pk for pk in shown if pk in found.by_name], found.digests)
    return {pk: named.get(pk, found.matches[pk]) for pk in shown}


def _cases_of_rank(
    cases: QuerySet[Case], digests: dict[str, str], held: dict, *, found, count: int
) -> list[tuple]:
    """
    (case id, code, (risk rank, reference)) of the first `count` of `cases`, most at risk first,
    not among `found`, with a member who holds one of `digests` (one rank's), where `CaseNameKey`
    is not kept: from the keys or along the list, by how many keys (`held`) the rank's digests
    have.
    """
    few = sum(held[digest] for digest in digests) <= FEW_HOLDERS
    holding = _cases_of_few if few else _cases_holding
    rows = (
        holding(cases, digests)
        .exclude(pk__in=list(found))
        .most_at_risk_first()
        # The rank's digests are enough: a case found at this rank holds no key of a
        # better one, or an earlier rank's walk would have found it.
        .annotate(code=_best_code_of_case(digests))
        .values_list("pk", "code", "risk_rank", "reference")[:count]
    )
    return [(pk, code, (risk_rank, reference)) for pk, code, risk_rank, reference in rows]


def cases_matching(
    cases: QuerySet[Case], term: str, *, limit: int | None = None, seen_by=None
) -> CasesFound:
    """
    The cases among `cases` whose reference, or a member's, is `term`, or with a member whose
    name matches it in any spelling: at most `limit` of them, by the best rank of their
    members' matches, then most at risk, then by reference, and whether there were more.
    `seen_by`: the user whose rule (`visible_to`) narrowed `cases`, which lets the walks pass
    over the cases of other teams without reading them (`_cases_walking_entries`); it never
    adds a case, every case found is still among `cases`.

    Rank by rank, each rank one query that walks the cases most at risk first and stops at the
    limit, or, when the rank's digests have at most FEW_HOLDERS keys (one capped count for all
    ranks), starts from those keys; each case found with its best match's code; the ranks after
    a full page are not read. Who matched is named later, for the cases shown (`who_matched`).
    """
    limit = SEARCH_CASES_LIMIT if limit is None else limit
    cases = condition_written_once(cases)
    reference = term.strip().upper()
    members = CaseMember.objects.filter(case__in=cases.values("pk"))
    # A case's own reference, or a member's (P-…); a name (Hangul, Chinese characters, a space)
    # is none, and is not looked up: two queries, each compiling the visibility rule.
    by_reference = set()
    if could_be_reference(reference):
        by_reference = {
            *cases.filter(reference=reference).values_list("pk", "risk_rank", "reference"),
            *members.filter(person__reference=reference).values_list(
                "case_id", "case__risk_rank", "case__reference"
            ),
        }
    best: dict = {
        pk: NameMatch(rank=REFERENCE_RANK)
        for pk, _risk, _ref in sorted(by_reference, key=lambda row: row[1:])
    }
    places = {pk: (risk_rank, reference) for pk, risk_rank, reference in by_reference}
    digests = _name_digests(term)
    if digests:
        # Members loaded in bulk before `reindex_names`: found by their exact name (rank 0).
        for pk, risk_rank, reference in _cases_of_unkeyed_members(cases, term):
            best.setdefault(pk, NameMatch(rank=0, kind=NameKeyKind.FULL))
            places[pk] = (risk_rank, reference)
    by_name: set = set()
    walking_entries = _case_entries_kept()
    held = _keys_held(digests) if digests and not walking_entries else {}
    granted = None
    if digests and walking_entries and seen_by is not None and len(best) <= limit:
        granted = few_cases_granted(seen_by)
    if granted is not None:
        found = _cases_of_few_seen(cases, granted, digests, found=best, count=limit + 1 - len(best))
        for pk, code, place in found:
            best[pk] = MATCH_OF_CODE[code]
            places[pk] = place
            by_name.add(pk)
    for rank_digests in _by_rank(digests) if digests and granted is None else []:
        if len(best) > limit:
            break
        if walking_entries:
            found = _cases_walking_entries(
                cases, rank_digests, found=best, count=limit + 1 - len(best), seen_by=seen_by
            )
        else:
            found = _cases_of_rank(
                cases, rank_digests, held, found=best, count=limit + 1 - len(best)
            )
        for pk, code, place in found:
            best[pk] = MATCH_OF_CODE[code]
            places[pk] = place
            by_name.add(pk)
    kept = list(best)[:limit]
    return CasesFound(
        matches={pk: best[pk] for pk in kept},
        more=len(best) > limit,
        by_name=frozenset(by_name.intersection(kept)),
        digests=digests,
        places={pk: places[pk] for pk in kept},
    )


def _cases_of_unkeyed_members(cases: QuerySet[Case], term: str) -> list[tuple]:
    """
    (case id, risk rank, reference) of those of `cases` with a member named `term` exactly (by
    the name's own blind index) whose name keys are not written yet: people loaded in bulk
    before `reindex_names`. Asked on every search, whatever the term, its SQL is kept per list
    (its written condition) and number of the name's digests, when the list's condition is
    written once; compiled afresh otherwise: compiling it, with the visibility rule, cost
    ~2,500 Python calls of each search.
    """
    digests = blind_indexes(NAME_SCOPE, term)
    if not digests:
        return []

    def members(*digests):
        # Given back as digests: the index's field takes nothing else (a kept query's stand-ins
        # are texts of the same value).
        named = Person.objects.with_name_index_in([Digest(digest) for digest in digests])
        unkeyed = _without_keys(named).values("pk")
        return (
            CaseMember.objects.filter(case__in=cases.values("pk"), person__in=unkeyed)
            .order_by()
            .values("case_id", "case__risk_rank", "case__reference")
        )

    condition = written_condition_of(cases)
    if condition is None:
        rows = members(*digests)
    else:
        rows = rows_of_shape(
            ("members named exactly, keys unwritten", condition), members, *digests
        )
    return [(row["case_id"], row["case__risk_rank"], row["case__reference"]) for row in rows]
