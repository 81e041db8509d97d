"""
Read queries over the casework records. Callers pass people and cases they obtained through
`visible_to(user)`; selectors that reach beyond them (to relatives, to a search) take the user.
"""

import datetime
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import EmptyResultSet
from django.db import connection, connections, models
from django.db.models import Case as Case_
from django.db.models import (
    Count,
    Exists,
    ExpressionWrapper,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    TextChoices,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.module_loading import import_string
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from accounts import roles
from accounts.kept_sql import keys_padded, of_user, rows_of_shape, rows_of_shapes
from audit.models import AuditEvent
from consent.models import Consent
from vault.blind_index import blind_indexes

from . import dates, names
from .choices import (
    AssignmentRole,
    CaseStatus,
    EntitlementStatus,
    LegalStatus,
    MemberRole,
    NameKeyKind,
    NoteKind,
    RelationshipKind,
    RiskLevel,
)
from .models import (
    Attachment,
    Case,
    CaseAssignment,
    CaseClosure,
    CaseFlag,
    CaseloadCount,
    CaseMember,
    CaseNameKey,
    CaseNote,
    CheckIn,
    CheckInSchedule,
    Correctable,
    Entitlement,
    Escalation,
    Goal,
    Incident,
    LegalStatusRecord,
    NameKey,
    Person,
    PlanReview,
    RecordRevision,
    Relationship,
    Task,
)
from .querysets import (
    condition_written_once,
    person_seen_by,
    probe_kept,
    rows_kept,
    rows_of_teams_maybe_seen,
    visible_case_ids,
)
from .references import could_be_reference


def current_status(person: Person) -> LegalStatusRecord | None:
    """The open status record, or None when no status was ever recorded."""
    return LegalStatusRecord.objects.filter(person=person, effective_to__isnull=True).first()


def status_timeline(person: Person) -> QuerySet[LegalStatusRecord]:
    """Every status period of the person, oldest first; the last one is current if it is open."""
    return LegalStatusRecord.objects.filter(person=person).order_by("effective_from")


@dataclass(frozen=True)
class MemberStatus:
    person: Person
    role: str
    status: LegalStatusRecord | None


def case_people_with_status(case) -> list[MemberStatus]:
    """
    The people of a case with their role and current status, whatever their number in two
    queries sent together (one round trip on PostgreSQL): the statuses are those of the case's
    people, not of a list of people read first.
    """
    # Both queries' SQL compiled once per process (kept_sql): ≈ 5,000 Python calls a page.
    members, statuses = rows_of_shapes(
        ("case members", _case_members, [case.pk]),
        ("open statuses of a case", _open_statuses_of_case, [case.pk]),
    )
    people = {member.person_id: member.person for member in members}
    open_statuses = {person_id: [] for person_id in people}
    for status in statuses:
        # As a prefetch of the person's records gives them: each knows its person. (One who
        # joined the case between the two reads is not among the members: left out.)
        if status.person_id in people:
            status.person = people[status.person_id]
            open_statuses[status.person_id].append(status)
    return [
        MemberStatus(
            person=member.person,
            role=member.role,
            status=next(iter(open_statuses[member.person_id]), None),
        )
        for member in members
    ]


def _case_members(case_id) -> QuerySet[CaseMember]:
    return (
        CaseMember.objects.filter(case=case_id).select_related("person").order_by("added_at", "pk")
    )


def _open_statuses_of_case(case_id) -> QuerySet[LegalStatusRecord]:
    # In the model's order within one person (its `person` first would join every person's row
    # to order by the Person model's own order, to no effect on one person's records).
    people = CaseMember.objects.filter(case=case_id).values("person")
    return LegalStatusRecord.objects.filter(person__in=people, effective_to__isnull=True).order_by(
        "effective_from", "pk"
    )


def current_entitlements(person: Person) -> QuerySet[Entitlement]:
    """The latest record of each benefit the person sought, one per kind."""
    latest_of_kind = (
        Entitlement.objects.filter(person=OuterRef("person"), kind=OuterRef("kind"))
        .order_by("-as_of", "-recorded_at", "-pk")
        .values("pk")[:1]
    )
    return Entitlement.objects.filter(person=person, pk=Subquery(latest_of_kind)).order_by("kind")


def entitlements_of(
    person: Person, *, include_voided: bool = False
) -> tuple[list[Entitlement], list[Entitlement]]:
    """
    The person's benefits now and their history, from one read of the history: now, the latest
    record in force of each kind, by kind (as `current_entitlements`); the history newest first,
    with the voided records for who asked to see them. The person page read both apart.
    """
    # Its SQL compiled once per process (kept_sql), given the person's id.
    history = rows_of_shape(
        f"benefits of a person:{include_voided}",
        lambda person_id: (
            records(Entitlement, include_voided=include_voided)
            .filter(person=person_id)
            .order_by("-as_of", "-recorded_at")
        ),
        person.pk,
    )
    latest = {}
    for record in history:
        # The order of current_entitlements: latest as of, then latest recorded, then highest key.
        best = latest.get(record.kind)
        if not record.is_voided and (
            best is None
            or (record.as_of, record.recorded_at, record.pk)
            > (best.as_of, best.recorded_at, best.pk)
        ):
            latest[record.kind] = record
    return [latest[kind] for kind in sorted(latest)], history


@dataclass(frozen=True)
class Partner:
    person: Person
    kind: str
    marriage_registered: bool | None


@dataclass(frozen=True)
class Family:
    parents: list[Person]
    partners: list[Partner]
    children: list[Person]
    ties: tuple = ()  # the ties themselves, for their Correct and Void actions


def family_of(person: Person, *, user, seen_cases=()) -> Family:
    """
    The person's parents, partners (with whether the marriage is registered) and children, as far
    as `user` may see them: a relative outside the user's cases is left out, not named.
    `seen_cases`: ids of cases the caller has just read through `visible_to(user)` (the case of
    the case page, the person's cases on the person page); a relative on one of them is seen
    without asking the rule again, which is then asked only of the relatives' other cases.
    """
    # Its SQL compiled once per process (kept_sql): the two people joined, ≈ 4,800 calls a page.
    # The memberships of everyone tied to the person are asked with the ties, in the same round
    # trip (a subquery of the ties, not a list of the people read first).
    ties, memberships = rows_of_shapes(
        ("family ties", _ties_of, [person.pk]),
        ("memberships of the tied", _memberships_of_the_tied, [person.pk]),
    )
    visible = _visible_among(
        {tie.from_person_id for tie in ties} | {tie.to_person_id for tie in ties},
        user=user,
        seen_cases=seen_cases,
        memberships=[(row["person_id"], row["case_id"]) for row in memberships],
    )
    parents, partners, children, shown = [], [], [], []
    for tie in ties:
        # As Relationship.objects.visible_to(user): a tie is shown when both its people are.
        if tie.from_person_id not in visible or tie.to_person_id not in visible:
            continue
        shown.append(tie)
        other = tie.to_person if tie.from_person_id == person.pk else tie.from_person
        if tie.kind == RelationshipKind.PARENT_OF:
            (children if tie.from_person_id == person.pk else parents).append(other)
        else:
            partners.append(
                Partner(person=other, kind=tie.kind, marriage_registered=tie.marriage_registered)
            )
    return Family(parents=parents, partners=partners, children=children, ties=tuple(shown))


def _ties_of(person_id) -> QuerySet[Relationship]:
    return (
        Relationship.objects.filter(Q(from_person=person_id) | Q(to_person=person_id))
        .select_related("from_person", "to_person")
        .order_by("created_at", "pk")
    )


def _memberships_of_the_tied(person_id) -> QuerySet[CaseMember]:
    """The memberships of the people of the person's ties (`_ties_of`), the person among them."""
    ties = Relationship.objects.filter(Q(from_person=person_id) | Q(to_person=person_id))
    # Either end of a tie, as a UNION: `IN (one) OR IN (other)` scanned every membership.
    people = ties.values("from_person").union(ties.values("to_person"), all=True)
    return CaseMember.objects.filter(person__in=people).values("person_id", "case_id")


# What the person page shows of the staff who recorded or witnessed a consent: their names only.
_CONSENT_STAFF_NAMES = ("username", "first_name", "last_name")


def consent_history_of(person: Person, *, user) -> tuple[list, set]:
    """
    The person's consent records, newest first (the first is the one in force,
    consent.checks.current_consent), with who recorded and witnessed each and the parent or
    guardian who answered; and the ids of those guardians `user` may see, who are named (the
    others by their reference only).

    The staff are joined by their names alone, and the guardians, whom few records have, read
    afterwards only when there are any, with whether the user may see each: joining every column
    of two users and of a person cost ~4,000 Python calls to compile on every person page, most
    of it for a guardian that is nearly always absent. Two queries when there are guardians, one
    otherwise, as before.
    """
    # Its SQL compiled once per process (kept_sql), given the person's id.
    consents = rows_of_shape("consent history", _consents_of, person.pk)
    guardian_ids = {consent.guardian_id for consent in consents if consent.guardian_id}
    if not guardian_ids:
        return consents, set()
    guardians = {
        guardian.pk: guardian
        for guardian in Person.objects.filter(pk__in=guardian_ids).annotate(
            shown=ExpressionWrapper(
                Q(pk__in=Person.objects.visible_to(user).values("pk")),
                output_field=models.BooleanField(),
            )
        )
    }
    for consent in consents:
        if consent.guardian_id:
            consent.guardian = guardians[consent.guardian_id]
    return consents, {pk for pk, guardian in guardians.items() if guardian.shown}


def _consents_of(person_id) -> QuerySet[Consent]:
    return (
        Consent.objects.filter(person=person_id)
        .select_related("recorded_by", "witnessed_by_user")
        .only(
            *(f.attname for f in Consent._meta.concrete_fields),
            *(
                f"{staff}__{name}"
                for staff in ("recorded_by", "witnessed_by_user")
                for name in _CONSENT_STAFF_NAMES
            ),
        )
        .order_by("-recorded_at", "-pk")
    )


def _visible_among(person_ids: set, *, user, memberships: list, seen_cases=()) -> set:
    """
    Which of a few people `user` may see (a member of a case visible to them), found from their
    own cases, `memberships` ((person id, case id) of at least these people): the same rule as
    Person.objects.visible_to(user), without hashing every member of every visible case first
    (8 ms for a caseworker with 7,500 cases, against ~2 ms). Cases in `seen_cases` were read
    through `visible_to(user)` by the caller in this request; the rule is asked only about the
    others, and not at all when every relative is on one of those (the usual family, all on one
    case): compiling the rule's subqueries cost more than the query.
    """
    if not person_ids:
        return set()
    memberships = [(pk, case_id) for pk, case_id in memberships if pk in person_ids]
    seen = set(seen_cases)
    seen_people = {person_id for person_id, case_id in memberships if case_id in seen}
    unknown = {case_id for person_id, case_id in memberships if person_id not in seen_people}
    if unknown:
        seen |= set(
            Case.objects.visible_to(user).filter(pk__in=unknown).values_list("pk", flat=True)
        )
    return {person_id for person_id, case_id in memberships if case_id in seen}


# Forgiving name search: the keys a term could be, matched against the people's stored name keys.
# Visibility, ranking and the limit are all resolved in one SQL query (the key index finds the
# keys, the visible_to selector's queryset narrows them as a subquery, a CASE over the kind gives
# each key its order and MIN its person's or case's best), so that a common family name matching
# thousands of people costs no more rows in Python than the page shows.

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


def _union_of_walks(walks: list[tuple[Callable[..., QuerySet], list[tuple]]], stand_ins) -> list:
    """
    The rows of `walk(*v)` for each `walk` and each `v` of its values (a digest's walk, ordered
    and cut by its own LIMIT), in one query: a UNION ALL. Each `walk` is compiled once, given
    `stand_ins` (one per value, each a parameter of its SQL once), and its SQL repeated with each
    `v` put in their place: compiling a walk (its visibility condition) cost ~3,000 Python
    calls, and a romanised name has a dozen digests. The rows are read as the database gives
    them (ids, texts, numbers).
    """
    if not connection.features.supports_slicing_ordering_in_compound:
        # SQLite (the development database) takes no LIMIT inside a UNION: one walk at a time.
        return [row for walk, values in walks for given in values for row in walk(*given)]
    parts, params, database = [], [], None
    for walk, values in walks:
        if not values:
            continue
        queryset = walk(*stand_ins)
        try:
            sql, template = queryset.query.sql_with_params()
        except EmptyResultSet:
            # A walk the ORM knows to find nothing (a user who sees no case), as the queryset.
            continue
        if any(template.count(stand_in) != 1 for stand_in in stand_ins):
            raise ValueError(f"a walk's stand-ins must be parameters once each: {sql}")
        places = [template.index(stand_in) for stand_in in stand_ins]
        for given in values:
            parts.append(f"({sql})")
            params.extend(template)
            for place, value in zip(places, given, strict=True):
                params[place - len(template)] = value
        database = queryset.db
    if not parts:
        return []
    with connections[database].cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        return cursor.fetchall()


# Stand-ins for a walk's digest, kind and codes in its SQL compiled once (`_union_of_walks`).
_DIGEST, _KIND, _CODE, _ALIAS_CODE = (
    "\x00walk's digest",
    "\x00walk's kind",
    -987_654_321,
    -987_654_322,
)


def _keys_in_page_order(digests: dict[str, str], *, seen: Q, count: int) -> list[tuple]:
    """
    (person id, reference, code) of the first `count` people by reference who hold each of
    `digests` in their own name, and of the first `count` who hold it in an alias, among those
    `seen` lets through: one query, a UNION ALL of one walk per digest and origin. Each walk
    reads its digest's keys already in reference order (`casework_namekey_digest_ref`) and stops
    after `count` people, so a family name held by 19,000 people costs a page's worth of
    visibility checks, not 19,000. Within one walk every key has the same code (one kind, one
    origin), so the first `count` by reference are the walk's best.
    """
    on_fields = connection.features.can_distinct_on_fields

    def walk(via_alias: bool):
        def walked(digest, kind, code):
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
                [(digest, kind, _code(kind, via_alias)) for digest, kind in digests.items()],
            )
            for via_alias in (False, True)
        ],
        (_DIGEST, _KIND, _CODE),
    )


def people_search(*, user, name: str, limit: int = 50) -> PeopleFound:
    """
    The people `user` may see whose name or an alias matches `name` however it is spelled:
    the exact name first, then the whole name in another script or spelling, then the family
    name with the given name's initial, the family name alone, the given name alone; by
    reference within each rank. At most `limit` people, and whether there were more.

    Rank by rank, and within a rank only a page's worth of each digest's keys: once the better
    ranks fill the page, the worse are not read. At most one query per rank (five), one for
    people whose keys are not written yet, and one for the page's people.
    """
    digests = _name_digests(name)
    if not digests:
        return PeopleFound(people=[], total=0)
    seen = person_seen_by(user, OuterRef("person_id"))
    best: dict = {}
    for rank_digests in _by_rank(digests):
        for pk, reference, code in _keys_in_page_order(rank_digests, seen=seen, count=limit + 1):
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
    (case id, code) of the first `count` of `cases`, most at risk first, not among `found`,
    with a member who holds one of `digests` (one rank's), each with its best code: walked along
    the cases' copies of the keys (`CaseNameKey`) in list order, one walk per digest that probes
    only the cases holding it, groups a case's entries (members, aliases: the index gives them
    together) into its best code and stops after `count` cases. Walking the cases themselves
    read every case in list order, holding the name or not (3,243 cases for a caseworker's 201
    with the family name 김), and probed its members' keys; starting from the keys sorted every
    holder, a few thousand for a family name. `seen_by`, the reader whose rule narrowed `cases`:
    the entries of cases in teams they have nothing to do with are passed over on the team the
    entry holds, in the index (`rows_of_teams_maybe_seen`), not probed case by case; the rest
    are still asked whether they are among `cases`.
    """
    if seen_by is None:
        entries = CaseNameKey.objects.all()
    else:
        entries = rows_of_teams_maybe_seen(CaseNameKey, seen_by)
    entries = entries.filter(Exists(cases.filter(pk=OuterRef("case_id"))))
    if found:
        entries = entries.exclude(case_id__in=list(found))

    def walk(digest, kind, code, alias_code):
        by_origin = Case_(When(alias__isnull=True, then=Value(code)), default=Value(alias_code))
        return (
            entries.filter(digest=digest, kind=kind)
            .values("risk_rank", "reference", "case_id")
            .annotate(code=Min(by_origin))
            .order_by("risk_rank", "reference", "case_id")
            .values_list("case_id", "risk_rank", "reference", "code")[:count]
        )

    values = [
        (digest, kind, _code(kind, False), _code(kind, True)) for digest, kind in digests.items()
    ]
    walks = _union_of_walks([(walk, values)], (_DIGEST, _KIND, _CODE, _ALIAS_CODE))
    best: dict = {}
    for pk, risk_rank, reference, code in walks:
        # A case met by several walks: its place in the list, and its best code among them.
        place, best_code = best.get(pk, ((risk_rank, reference), code))
        best[pk] = (place, min(code, best_code))
    # The first `count` of the walks merged are within each walk's first `count`: a case fewer
    # than `count` cases precede in the merge has fewer than that before it in each walk.
    ranked = sorted(best.items(), key=lambda item: item[1][0])[:count]
    return [(pk, code) for pk, (_place, code) in ranked]


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
    (case id, person id, role, code) of each of `case_ids`' entries (`CaseNameKey`) holding one
    of `digests`, with the member's role the entry holds and the code worked out here: compiling
    the CASE of `_match_code` through the members' keys cost most of naming who matched (~1,400
    Python calls of the ORM's joins per request), and the join read every member's keys; the
    role probed from each entry's member read ~4 buffers an entry.
    """
    entries = CaseNameKey.objects.filter(
        case_id__in=case_ids, digest__in=list(digests)
    ).values_list("case_id", "person_id", "role", "digest", "kind", "alias_id")
    return [
        (case_id, person_id, role, _code(kind, alias_id is not None))
        for case_id, person_id, role, digest, kind, alias_id in entries
        # A digest is keyed per kind; the kind is still checked, as `_match_code` does.
        if digests[digest] == kind
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
    people = Person.objects.in_bulk({person_id for person_id, _code in best.values()})
    return {
        case_id: replace(MATCH_OF_CODE[code], person=people[person_id])
        for case_id, (person_id, code) in best.items()
    }


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
) -> QuerySet:
    """
    (case id, code) of the first `count` of `cases`, most at risk first, not among `found`, with
    a member who holds one of `digests` (one rank's), where `CaseNameKey` is not kept: from the
    keys or along the list, by how many keys (`held`) the rank's digests have.
    """
    few = sum(held[digest] for digest in digests) <= FEW_HOLDERS
    holding = _cases_of_few if few else _cases_holding
    return (
        holding(cases, digests)
        .exclude(pk__in=list(found))
        .most_at_risk_first()
        # The rank's digests are enough: a case found at this rank holds no key of a
        # better one, or an earlier rank's walk would have found it.
        .annotate(code=_best_code_of_case(digests))
        .values_list("pk", "code")[:count]
    )


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
    digests = _name_digests(term)
    if digests:
        # Members loaded in bulk before `reindex_names`: found by their exact name (rank 0).
        unkeyed = _without_keys(Person.objects.matching_name(term)).values("pk")
        for pk in members.filter(person__in=unkeyed).values_list("case_id", flat=True):
            best.setdefault(pk, NameMatch(rank=0, kind=NameKeyKind.FULL))
    by_name: set = set()
    walking_entries = _case_entries_kept()
    held = _keys_held(digests) if digests and not walking_entries else {}
    for rank_digests in _by_rank(digests) if digests else []:
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
        for pk, code in found:
            best[pk] = MATCH_OF_CODE[code]
            by_name.add(pk)
    kept = list(best)[:limit]
    return CasesFound(
        matches={pk: best[pk] for pk in kept},
        more=len(best) > limit,
        by_name=frozenset(by_name.intersection(kept)),
        digests=digests,
    )


# The caseworker's read pages: dashboard, case list and the case timeline.

# How far ahead the dashboard looks for follow-ups, and how far back for recent changes.
DUE_SOON_DAYS = 7
RECENT_DAYS = 30


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


def _on_my_case(user, case: str = "case") -> Q:
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


def my_open_cases_most_at_risk_first(user) -> QuerySet[Case]:
    """
    `my_cases(user).open()`, gravest first, for a list cut at a few dozen (the dashboard's): the
    risk index walked in order and each case read probed (`_on_my_case`), where the rule as a
    filter of the list made PostgreSQL hash every assignment of the user first (7,600 for a
    caseworker at 100,000 people, ten times as many at a million) to show 50 cases.
    """
    return (
        Case.objects.open()
        .filter(_on_my_case(user, "pk"))
        .most_at_risk_first()
        # What the dashboard's table shows (`case_rows`), its team by name: two whole models a
        # row (a team's dozen columns of letterhead among them) cost more than writing the row.
        .only("reference", "status", "risk_level", "opened_on", "team", "team__name")
    )


def _on_case_seen_by(user, case: str = "case") -> Q:
    """`_on_my_case` for the cases the user may see (`Case.objects.visible_to`), row by row."""
    return probe_kept(
        user,
        "case seen",
        case,
        lambda row: Case.objects.visible_to(user).filter(pk=row).order_by().values("pk")[:1],
    )


def _of_my_case(user, person: str = "person") -> Q:
    """
    Whether the person at `person` is a member of a case the user works, asked row by row as
    `_on_my_case` asks of a case: their few memberships read through the person index, each
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
            .filter(_on_my_case(user))
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


def followups_due_by(user, *, horizon: datetime.date) -> QuerySet[Task]:
    """`followups_due` by the day `horizon` itself: the dashboard's query keeps its SQL, the day
    a parameter (kept_sql)."""
    return (
        Task.objects.filter(completed_at__isnull=True, due_on__lte=horizon)
        # `Task.objects.visible_to(user)` and (mine or the user's to do), asked of the rows read
        # only: every case the user works is one they see, so only a follow-up assigned to them
        # on a case they do not work needs the visibility probe (a case they no longer see
        # keeps its follow-up off the page).
        .filter(_on_my_case(user) | (Q(assignee=user) & _on_case_seen_by(user)))
        .select_related("case", "assignee")
        # What a row shows (`followup_rows`): three models' every column built into fifty rows
        # cost more Python than writing the rows.
        .only(*_FOLLOW_UP_SHOWN, "case__reference", "assignee__username")
        # By the case's reference copied beside the follow-up (`Task.case_reference`), the
        # order of the index of open follow-ups the list walks and stops at its page in.
        .order_by("due_on", "case_reference", "pk")
    )


def recent_status_changes(user, *, since: datetime.date) -> QuerySet[LegalStatusRecord]:
    """Status records of the people of the user's cases that began or were written since `since`."""
    return (
        LegalStatusRecord.objects.filter(
            Q(effective_from__gte=since) | Q(recorded_at__date__gte=since)
        )
        .filter(_of_my_case(user))
        .select_related("person")
        .only(*_STATUS_SHOWN)
        .order_by("-effective_from", "-recorded_at", "pk")
    )


def recent_incidents(user, *, since: datetime.date) -> QuerySet[Incident]:
    """Incidents on the user's cases that happened or were written since `since`."""
    return (
        Incident.objects.filter(Q(occurred_on__gte=since) | Q(recorded_at__date__gte=since))
        .filter(_on_my_case(user))
        .select_related("case")
        .only("case", "occurred_on", "kind", "region", "case__reference")
        .order_by("-occurred_on", "-recorded_at", "pk")
    )


def detained_longer_than(user, *, days: int, today: datetime.date) -> QuerySet[LegalStatusRecord]:
    """Current "detained in China" records of the user's cases' people older than `days`, oldest first."""
    return detained_since_before(user, began_before=today - datetime.timedelta(days=days))


def detained_since_before(user, *, began_before: datetime.date) -> QuerySet[LegalStatusRecord]:
    """`detained_longer_than` by the day itself, for the dashboard's kept SQL (as `followups_due_by`)."""
    return (
        LegalStatusRecord.objects.filter(
            status=LegalStatus.DETAINED_CN,
            effective_to__isnull=True,
            effective_from__lt=began_before,
        )
        .filter(_of_my_case(user))
        .select_related("person")
        .only(*_STATUS_SHOWN)
        .order_by("effective_from", "pk")
    )


def latest_entitlements() -> QuerySet[Entitlement]:
    """Every person's present situation: the latest record of each benefit, for everyone."""
    latest_of_kind = (
        Entitlement.objects.filter(person=OuterRef("person"), kind=OuterRef("kind"))
        .order_by("-as_of", "-recorded_at", "-pk")
        .values("pk")[:1]
    )
    return Entitlement.objects.filter(pk=Subquery(latest_of_kind))


def cases_with_member_status(status: str) -> QuerySet[Case]:
    """Cases with a member whose current legal status is `status` (not scoped: intersect it)."""
    current = LegalStatusRecord.objects.filter(status=status, effective_to__isnull=True)
    members = CaseMember.objects.filter(person__in=current.values("person"))
    return Case.objects.filter(pk__in=members.values("case"))


def cases_with_entitlement_denied(kind: str, *, member_role: str | None = None) -> QuerySet[Case]:
    """
    Cases with a member (in `member_role`, if given) whose present record for benefit `kind` is a
    denial: with kind household_registration and role child, the children without hukou.
    Not scoped: intersect it with a visible queryset.
    """
    denied = latest_entitlements().filter(kind=kind, status=EntitlementStatus.DENIED)
    members = CaseMember.objects.filter(person__in=denied.values("person"))
    if member_role:
        members = members.filter(role=member_role)
    return Case.objects.filter(pk__in=members.values("case"))


def cases_for_listing(cases: QuerySet[Case]) -> QuerySet[Case]:
    """
    `cases` with what a list shows: the team, `member_count`, and `principals` (the principal
    members with their person), in a fixed number of queries whatever the page size.
    """
    return cases_with_member_count(cases).prefetch_related(
        Prefetch("members", queryset=_principals(), to_attr="principals")
    )


def _principals() -> QuerySet[CaseMember]:
    # Only the principal's name is shown: a whole person (eighteen columns, seven of them
    # sealed) built for each of a page's fifty principals was ~40 % of the list's Python.
    return (
        CaseMember.objects.filter(role=MemberRole.PRINCIPAL)
        .select_related("person")
        .only("case", "person", "person__full_name")
        .order_by("added_at", "pk")
    )


def with_principals(cases: list[Case]) -> list[Case]:
    """
    `cases`, each given `principals` as `cases_for_listing`'s prefetch gives them, read by a
    query whose SQL is kept per number of cases (kept_sql): the dashboard's fifty cases'
    prefetch built and compiled its query on every visit (and the case list's page, unfiltered).
    """
    if not cases:
        return cases
    by_case = {case.pk: [] for case in cases}
    found = rows_of_shape(
        "principals of cases", lambda *keys: _principals().filter(case__in=keys), *by_case
    )
    for member in found:
        by_case[member.case_id].append(member)
    for case in cases:
        case.principals = by_case[case.pk]
    return cases


def cases_with_member_count(cases: QuerySet[Case]) -> QuerySet[Case]:
    """`cases` with their team and `member_count` (`cases_for_listing` without the principals)."""
    # A correlated count rather than a join with GROUP BY: PostgreSQL evaluates it only for the
    # rows of the page (after ORDER BY ... LIMIT), and the paginator's count() drops it.
    member_count = (
        CaseMember.objects.filter(case=OuterRef("pk"))
        .order_by()
        .values("case")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return cases.select_related("team").annotate(member_count=Coalesce(Subquery(member_count), 0))


class TimelineKind(TextChoices):
    STATUS = "status", _("Legal status")
    ENTITLEMENT = "entitlement", _("Benefit")
    INCIDENT = "incident", _("Incident")
    NOTE = "note", _("Note")
    TASK = "task", _("Follow-up set")
    TASK_DONE = "task_done", _("Follow-up done")
    FILE = "file", _("File added")
    CHECK_IN = "check_in", _("Check-in")


@dataclass(frozen=True)
class TimelineEntry:
    on: datetime.date  # the day it happened (the day of contact for notes, written for tasks)
    at: datetime.datetime  # when it was written down: orders the entries of one day
    kind: str
    record: object
    person: Person | None = None

    @property
    def label(self) -> str:
        return TimelineKind(self.kind).label


def records(model, *, include_voided: bool = False):
    """A record kind's rows in force, or with the voided ones for who asked to see them."""
    return model.with_voided.all() if include_voided else model.objects.all()


# What the case page's timeline can be narrowed to: a kind of record, or the notes of one kind
# of contact ("note:call"). The value is what the page's address carries.
NOTE_OF_KIND = "note:"
TIMELINE_FILTERS = [
    ("", _("Everything")),
    (TimelineKind.NOTE.value, _("All notes")),
    (
        _("Notes of one kind"),
        [(f"{NOTE_OF_KIND}{value}", label) for value, label in NoteKind.choices],
    ),
    (TimelineKind.INCIDENT.value, _("Incidents")),
    (TimelineKind.STATUS.value, _("Legal status")),
    (TimelineKind.ENTITLEMENT.value, _("Benefits")),
    (TimelineKind.TASK.value, _("Follow-ups")),
    (TimelineKind.FILE.value, _("Files")),
    (TimelineKind.CHECK_IN.value, _("Check-ins")),
]


@dataclass(frozen=True)
class _Moment:
    """Where one kind of entry is in time, in SQL: its day and the moment that orders a day."""

    kind: str
    on: object  # a field name or an expression giving a date
    at: str
    only: Q = field(default_factory=Q)  # the records that have this entry (a follow-up done)


@dataclass(frozen=True)
class _TimelineSource:
    """
    One model's records in a case's timeline: which of them belong to the case, the entries
    each gives (a follow-up gives two, set and done), where those are in time (for the query
    that places them, `moments`), and what their rows show (`related`, `prefetch`).
    """

    model: type[models.Model]
    rows: Callable  # (case, include_voided, note_kind) -> QuerySet of the case's records
    moments: tuple[_Moment, ...]
    entries: Callable  # record -> its TimelineEntry objects
    related: tuple[str, ...] = ()
    prefetch: tuple[str, ...] = ()
    # Who wrote the record down (its foot): the page's staff are read together, in one query.
    staff: tuple[str, ...] = ()

    def records(self, *keys) -> QuerySet:
        """The records of these keys, with what their rows show, in the order they are listed."""
        # Only the joins a row shows: select_related() with no names joins every required
        # foreign key (a note's case and its team).
        rows = self.model._base_manager.filter(pk__in=keys)
        if self.related:
            rows = rows.select_related(*self.related)
        if self.prefetch:
            rows = rows.prefetch_related(*self.prefetch)
        # The model's order, made total by the key: among entries of one moment, as listed.
        return rows.order_by(*rows.model._meta.ordering, "pk")


def _members_records(model):
    def rows(case, include_voided, note_kind=None):
        people = CaseMember.objects.filter(case=case).values("person")
        return records(model, include_voided=include_voided).filter(person__in=people)

    return rows


def _case_records(model):
    def rows(case, include_voided, note_kind=None):
        return records(model, include_voided=include_voided).filter(case=case)

    return rows


def _note_records(case, include_voided, note_kind=None):
    notes = records(CaseNote, include_voided=include_voided).filter(case=case)
    return notes.filter(kind=note_kind) if note_kind else notes


def _check_in_records(case, include_voided, note_kind=None):
    # What each check-in found, as tapped: a duress call reads as its outcome (the supervisors
    # learn of it from their alert, never from the case's pages). Check-ins are never voided.
    return CheckIn.objects.filter(case=case)


def _task_entries(task):
    yield TimelineEntry(
        on=dates.local_day(task.created_at), at=task.created_at, kind=TimelineKind.TASK, record=task
    )
    if task.completed_at is not None:
        yield TimelineEntry(
            on=dates.local_day(task.completed_at),
            at=task.completed_at,
            kind=TimelineKind.TASK_DONE,
            record=task,
        )


def _entry_at(kind: str, on: str, at: str, *, person: str | None = None):
    """A source's `entries`: each record one entry of `kind`, on its day `on` and moment `at`."""

    def entries(record) -> list[TimelineEntry]:
        return [
            TimelineEntry(
                on=getattr(record, on),
                at=getattr(record, at),
                kind=kind,
                record=record,
                person=getattr(record, person) if person else None,
            )
        ]

    return entries


# In this order, each kind's records in their model's order: so are entries of the same moment
# listed (the timeline sorts by moment only, keeping that order among equals).
TIMELINE_SOURCES = {
    TimelineKind.STATUS: _TimelineSource(
        model=LegalStatusRecord,
        rows=_members_records(LegalStatusRecord),
        moments=(_Moment(TimelineKind.STATUS, "effective_from", "recorded_at"),),
        entries=_entry_at(TimelineKind.STATUS, "effective_from", "recorded_at", person="person"),
        related=("person",),
        staff=("recorded_by",),
    ),
    TimelineKind.ENTITLEMENT: _TimelineSource(
        model=Entitlement,
        rows=_members_records(Entitlement),
        moments=(_Moment(TimelineKind.ENTITLEMENT, "as_of", "recorded_at"),),
        entries=_entry_at(TimelineKind.ENTITLEMENT, "as_of", "recorded_at", person="person"),
        related=("person",),
        staff=("recorded_by",),
    ),
    TimelineKind.INCIDENT: _TimelineSource(
        model=Incident,
        rows=_case_records(Incident),
        moments=(_Moment(TimelineKind.INCIDENT, "occurred_on", "recorded_at"),),
        entries=_entry_at(TimelineKind.INCIDENT, "occurred_on", "recorded_at"),
        prefetch=("people",),
        staff=("recorded_by",),
    ),
    TimelineKind.NOTE: _TimelineSource(
        model=CaseNote,
        rows=_note_records,
        moments=(_Moment(TimelineKind.NOTE, "contacted_on", "created_at"),),
        entries=_entry_at(TimelineKind.NOTE, "contacted_on", "created_at"),
        staff=("author",),
    ),
    TimelineKind.TASK: _TimelineSource(
        model=Task,
        rows=_case_records(Task),
        # The day a follow-up was set or done is the reader's (dates.local_day): TruncDate
        # takes the active time zone, as localtime() does.
        moments=(
            _Moment(TimelineKind.TASK, TruncDate("created_at"), "created_at"),
            _Moment(
                TimelineKind.TASK_DONE,
                TruncDate("completed_at"),
                "completed_at",
                Q(completed_at__isnull=False),
            ),
        ),
        entries=_task_entries,
        staff=("assignee", "created_by", "completed_by"),
    ),
    TimelineKind.FILE: _TimelineSource(
        model=Attachment,
        rows=_case_records(Attachment),
        moments=(_Moment(TimelineKind.FILE, TruncDate("uploaded_at"), "uploaded_at"),),
        entries=lambda attachment: [
            TimelineEntry(
                on=dates.local_day(attachment.uploaded_at),
                at=attachment.uploaded_at,
                kind=TimelineKind.FILE,
                record=attachment,
                person=attachment.person,
            )
        ],
        related=("person",),
        staff=("uploaded_by",),
    ),
    TimelineKind.CHECK_IN: _TimelineSource(
        model=CheckIn,
        rows=_check_in_records,
        moments=(_Moment(TimelineKind.CHECK_IN, "day", "recorded_at"),),
        entries=lambda check_in: [
            TimelineEntry(
                on=check_in.day,
                at=check_in.recorded_at,
                kind=TimelineKind.CHECK_IN,
                record=check_in,
                person=check_in.schedule.person,
            )
        ],
        related=("schedule__person",),
        staff=("recorded_by",),
    ),
}
SOURCE_OF_KIND = {
    moment.kind: source for source in TIMELINE_SOURCES.values() for moment in source.moments
}

# The timeline's entries placed newest first by their moment. `first_place` and `last_place`
# are the places (from 1) of the first and last entry of the same moment as this one (rank() and
# a count up to its last peer): a page takes every entry of the moments it touches, and the
# selector orders entries of one moment as the sources list them. `total` counts them all.
_PLACED_ENTRIES = """
SELECT kind, key, first_place, total FROM (
    SELECT entry_kind AS kind, entry_key AS key, rank() OVER moment AS first_place,
        count(*) OVER moment AS last_place, count(*) OVER () AS total
    FROM ({entries}) AS entries
    WINDOW moment AS (ORDER BY entry_on DESC, entry_at DESC)
) AS placed
WHERE last_place > %s{before_stop}
"""
_COUNTED_ENTRIES = "SELECT count(*) FROM ({entries}) AS entries"


# Stand-ins for the case and the kind of note in the keys' SQL compiled once (Timeline._keys_sql).
_STAND_IN_CASE = uuid.UUID(int=0)
_STAND_IN_NOTE_KIND = "\x00 a kind of note"
_KEYS_SQL = {}


class Timeline:
    """
    A case's timeline, read a page at a time: a slice asks the database which entries hold its
    places (one query over every kind's keys and moments), then reads those entries' records
    (one query per kind on the page), so that a page costs the same however long the case.
    Counts, slices, indexes and iterates like the list it was; a Paginator pages it.
    """

    def __init__(self, case: Case, *, show: str = "", include_voided: bool = False):
        self.case = case
        self.include_voided = include_voided
        self.note_kind = None
        if show.startswith(NOTE_OF_KIND):
            self.note_kind = show.removeprefix(NOTE_OF_KIND)
            self.sources = [TIMELINE_SOURCES[TimelineKind.NOTE]]
        elif show:
            self.sources = [TIMELINE_SOURCES[TimelineKind(show)]]
        else:
            self.sources = list(TIMELINE_SOURCES.values())
        self._count = None
        self._read_ahead = None  # (start, stop, the places of that slice) once read

    def expecting(self, start: int, stop: int) -> "Timeline":
        """
        Reads the slice a paginator is about to ask for with the count it asks first, in one
        query (the count is a column of the page's places). Only saves a query: any other slice
        is read when asked, and an empty one (past the end) leaves the count to its own query.
        """
        self._read_ahead = (start, stop, None)
        return self

    def _keys(self, case: Case, note_kind: str | None) -> QuerySet:
        """Each entry's kind, record key, day and moment, of every kind shown (UNION ALL)."""
        parts = [
            source.rows(case, self.include_voided, note_kind)
            .filter(moment.only)
            .order_by()
            .annotate(
                entry_kind=Value(str(moment.kind), output_field=models.CharField()),
                entry_key=models.F("pk"),
                entry_on=moment.on if not isinstance(moment.on, str) else models.F(moment.on),
                entry_at=models.F(moment.at),
            )
            .values_list("entry_kind", "entry_key", "entry_on", "entry_at")
            for source in self.sources
            for moment in source.moments
        ]
        return parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]

    def _keys_sql(self) -> tuple[str, tuple]:
        """
        The keys' SQL and this case's parameters. Building and compiling the union of eight
        querysets cost more than the query (≈ 4,000 Python calls a page); its SQL depends only
        on the kinds shown, the voided choice, whether one kind of note is asked and the reader's
        time zone (the day a follow-up falls on), so it is compiled once per process for each,
        with stand-ins for the case and the kind of note that are then given their values.
        """
        shape = (
            connection.vendor,
            tuple(id(source) for source in self.sources),
            self.include_voided,
            self.note_kind is not None,
            timezone.get_current_timezone_name(),
        )
        if shape not in _KEYS_SQL:
            stand_in_kind = _STAND_IN_NOTE_KIND if self.note_kind is not None else None
            query = self._keys(Case(pk=_STAND_IN_CASE), stand_in_kind).query
            _KEYS_SQL[shape] = query.sql_with_params()
        sql, params = _KEYS_SQL[shape]
        # The case's key as the database is given it: a UUID on PostgreSQL, its 32 hex digits on
        # SQLite (where a stand-in looked for as a UUID was never found: every timeline was empty).
        key = Case._meta.pk.get_db_prep_value
        given = {
            key(_STAND_IN_CASE, connection): key(self.case.pk, connection),
            _STAND_IN_NOTE_KIND: self.note_kind,
        }
        return sql, tuple(
            given.get(param, param) if isinstance(param, str | uuid.UUID) else param
            for param in params
        )

    def count(self) -> int:
        if self._count is None and self._read_ahead and self._read_ahead[2] is None:
            start, stop, _placed = self._read_ahead
            self._read_ahead = (start, stop, self._placed(start, stop))
        if self._count is None:
            sql, params = self._keys_sql()
            with connection.cursor() as cursor:
                cursor.execute(_COUNTED_ENTRIES.format(entries=sql), params)
                self._count = cursor.fetchone()[0]
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __iter__(self):
        return iter(self._entries(0, None))

    def __getitem__(self, index):
        if isinstance(index, slice):
            if index.step not in (None, 1) or (index.start or 0) < 0 or (index.stop or 0) < 0:
                return list(self)[index]
            return self._entries(index.start or 0, index.stop)
        if index < 0:
            index += self.count()
        entries = self._entries(index, index + 1) if index >= 0 else []
        if not entries:
            raise IndexError("timeline index out of range")
        return entries[0]

    def _placed(self, start: int, stop: int | None) -> list[tuple]:
        """(kind, key, first place of its moment) of the entries of the moments in the slice."""
        sql, params = self._keys_sql()
        query = _PLACED_ENTRIES.format(
            entries=sql, before_stop=" AND first_place <= %s" if stop is not None else ""
        )
        bounds = (start, stop) if stop is not None else (start,)
        with connection.cursor() as cursor:
            cursor.execute(query, (*params, *bounds))
            rows = cursor.fetchall()
        if rows:
            self._count = rows[0][3]
        # Keys as the records' own (a UUID), not as this database returns raw ones (SQLite: text).
        return [
            (kind, SOURCE_OF_KIND[kind].model._meta.pk.to_python(key), first)
            for kind, key, first, _total in rows
        ]

    def _entries(self, start: int, stop: int | None) -> list[TimelineEntry]:
        if stop is not None and stop <= start:
            return []
        read = self._read_ahead
        if read and read[2] is not None and read[0] == start and stop is not None:
            # The slice read with the count, or its head (the last page stops at the count).
            placed = read[2] if stop <= read[1] else self._placed(start, stop)
        else:
            placed = self._placed(start, stop)
        if not placed:
            return []
        shown = {(kind, key) for kind, key, _first in placed}
        keys_by_source = {}
        for kind, key, _first in placed:
            keys_by_source.setdefault(id(SOURCE_OF_KIND[kind]), set()).add(key)
        records_read = []
        sources = [source for source in self.sources if keys_by_source.get(id(source))]
        # By key alone: the keys were just read from the case's records of this kind. Its SQL
        # is compiled once per kind and number of keys (kept_sql): building and compiling it
        # cost ≈ 2,000 Python calls a kind. A page of 25 entries reads 3 to 6 kinds, asked of
        # the database together (one round trip, not one a kind).
        read = rows_of_shapes(
            *(
                (
                    f"timeline records:{source.model._meta.label}",
                    source.records,
                    keys_padded(keys_by_source[id(source)]),
                )
                for source in sources
            )
        )
        for source, rows in zip(sources, read, strict=True):
            for record in rows:
                if getattr(record, "case_id", None) == self.case.pk:
                    # The case of the page, not read again should a row ask for it.
                    record.case = self.case
                records_read.append((source, record))
        _with_staff(records_read)
        entries = [
            entry
            for source, record in records_read
            for entry in source.entries(record)
            if (entry.kind, record.pk) in shown
        ]
        entries.sort(key=lambda entry: (entry.on, entry.at), reverse=True)
        skip = start + 1 - min(first for _kind, _key, first in placed)
        return entries[skip : skip + (stop - start)] if stop is not None else entries[skip:]


def _with_staff(records_read: list) -> None:
    """
    Gives each record the staff its entry names (who wrote it down, who a follow-up is for),
    read in one query for the page: a join per user in each kind's query cost more to build
    than the query took (a follow-up's three, ≈ 4,500 Python calls).
    """
    wanted = {
        getattr(record, f"{name}_id")
        for source, record in records_read
        for name in source.staff
        if getattr(record, f"{name}_id") is not None
    }
    staff = staff_by_key(wanted)
    for source, record in records_read:
        for name in source.staff:
            key = getattr(record, f"{name}_id")
            if key in staff:
                setattr(record, name, staff[key])


def staff_by_key(keys) -> dict:
    """
    `User.objects.in_bulk(keys)`, its SQL kept (kept_sql) by the padded number of keys: the
    timeline's staff, built and compiled anew, cost ≈ 1,000 calls a page.
    """
    keys = list(keys)
    if not keys:
        return {}
    users = rows_of_shape("staff by key", _staff_of, *keys_padded(keys))
    return {user.pk: user for user in users}


def _staff_of(*keys) -> QuerySet:
    return get_user_model().objects.filter(pk__in=keys)


def case_timeline(case: Case, *, show: str = "", include_voided: bool = False) -> Timeline:
    """
    Everything that happened in a case, newest first: its people's legal-status periods and
    benefit records, its incidents, notes, follow-ups (set and done), files and check-ins (with
    what each found); or only what `show` (a value of TIMELINE_FILTERS) names. Read a page at a
    time (Timeline): a page takes the same queries whatever the case's size. Voided records
    only when `include_voided` (to whoever may see a record's history).
    """
    return Timeline(case, show=show, include_voided=include_voided)


def case_flags(case, *, raised_by: bool = False) -> list:
    """
    The flags raised on a case (unsafe to contact, medical emergency...), in the order of their
    kinds, gravest first: the warning shown on every page of the case. Who raised each is read
    with them only when asked (`raised_by`): the flags page says it, the headers do not.
    """
    kinds = list(case.flags.model.Kind.values)
    flags = case.flags.filter(active=True)
    if raised_by:
        flags = flags.select_related("set_by")
    return sorted(flags, key=lambda flag: kinds.index(flag.kind))


def audit_events_visible_to(events, user):
    """
    The audit events `user` may read (audit.models calls it, through SHIMTEO_AUDIT_VISIBILITY):
    superusers the whole trail; supervisors the events of their teams' cases, taken from the cases
    `Case.objects.visible_to` already lets them see, and the events about a team rather than a
    case (an administrator's change of its accounts or roles, which name the team in their
    detail). Everyone else reads none.
    """
    if not (user and user.is_authenticated and user.is_active):
        return events.none()
    if user.is_superuser:
        return events.all()
    teams = roles.supervised_teams(user)
    cases = Case.objects.visible_to(user).filter(team__in=teams)
    team_ids = list(teams.values_list("pk", flat=True))
    visible = Q(case_id__in=cases.values("pk"))
    if team_ids:
        visible |= Q(case_id__isnull=True, detail__team__in=team_ids)
    return events.filter(visible)


# Who viewed a case: read from the audit trail, which knows no case; the case's people are ours.

# Seeing a record: opening its page or downloading its files.
SEEING = (AuditEvent.Action.VIEW, AuditEvent.Action.DOWNLOAD)


@dataclass(frozen=True)
class CaseViewer:
    actor_id: int
    username: str  # the account's, or the one the audit kept once the account is deleted
    last_viewed_at: datetime.datetime
    views: int


def case_viewers(case, *, people=None) -> list[CaseViewer]:
    """
    The staff who viewed a case or one of its people, most recent first, with their last view.
    `people`: the case's people when the caller has them already (the case page), else read.
    """
    if people is None:
        people = CaseMember.objects.filter(case_id=case.pk).values_list("person_id", flat=True)
    else:
        people = [person.pk for person in people]
    person_ids = [str(pk) for pk in people]
    # Its SQL compiled once per process and number of people (kept_sql): ≈ 2,500 calls a page.
    rows = rows_of_shape("case viewers", _views_of, case.pk, *keys_padded(person_ids))
    return [
        CaseViewer(
            actor_id=row["actor"],
            username=row["username"] or row["snapshot"],
            last_viewed_at=row["last_viewed_at"],
            views=row["views"],
        )
        for row in rows
    ]


class _OfGroup(Subquery):
    """
    A subquery of a grouped query's row, asked once a group (of the columns it names, already
    grouped) and not a group itself: as a plain `Subquery`, Django would group by it, and the
    database run it for every row before grouping. A join instead would drop the rows of
    deleted accounts (the actor has no constraint; Django joins a non-null key as inner).
    """

    def get_group_by_cols(self):
        return []


def _views_of(case_id, *person_ids) -> QuerySet:
    """
    Who viewed the case or its people: per user, their last view and how many, and their
    username now (asked in the same query, not read in one of its own; none once the account
    is deleted).
    """
    return (
        AuditEvent.objects.filter(action__in=SEEING, actor_id__isnull=False)
        .filter(
            Q(case_id=case_id) | Q(target_type=Person._meta.label_lower, target_id__in=person_ids)
        )
        .values("actor")
        .annotate(
            last_viewed_at=Max("occurred_at"),
            views=Count("sequence"),
            snapshot=Max("actor_username"),
            username=_OfGroup(
                get_user_model()
                .objects.filter(pk=OuterRef("actor"))
                .values(get_user_model().USERNAME_FIELD)
            ),
        )
        .order_by("-last_viewed_at")
    )


# A record's history: what each correction replaced, and its void.


@dataclass(frozen=True)
class Revision:
    revision: RecordRevision
    earlier: list[tuple[str, object]]  # (field label, value as shown)


def record_revisions(record: Correctable) -> list[Revision]:
    """The corrections and void of a record, newest first, with the values they replaced."""
    revisions = record.revisions.select_related("made_by").order_by("-number")
    return [
        Revision(
            revision=revision,
            earlier=[
                _shown(record, name, value)
                for name, value in sorted(revision.earlier.items())
                if name in record.correctable_fields
            ],
        )
        for revision in revisions
    ]


def _shown(record, name: str, value) -> tuple[str, object]:
    field = record._meta.get_field(name)
    label = capfirst(field.verbose_name)
    if value is None or value == "":
        return label, "—"
    if field.choices:
        return label, dict(field.flatchoices).get(value, value)
    if isinstance(field, models.DateField):
        # Written as every page writes a date (config/formats), not as it is stored.
        return label, date_format(datetime.date.fromisoformat(value))
    if field.is_relation:
        related = field.related_model._base_manager.filter(pk=value).first()
        return label, getattr(related, "reference", None) or str(related or "—")
    if isinstance(value, bool):
        return label, _("Yes") if value else _("No")
    return label, value


# Safety check-ins


def check_ins_missed(schedules=None):
    """
    Active schedules of open cases with the local day each person was last heard from ("no
    contact" does not count: they are still unheard of).
    """
    schedules = CheckInSchedule.objects.all() if schedules is None else schedules
    last_heard = (
        CheckIn.objects.filter(schedule=OuterRef("pk"))
        .exclude(outcome=CheckIn.Outcome.NO_CONTACT)
        .values("schedule")
        .annotate(day=Max("day"))
        .values("day")
    )
    return (
        schedules.filter(active=True)
        .exclude(case__status=CaseStatus.CLOSED)
        .annotate(last_heard_on=Subquery(last_heard))
        .select_related("case__team")
    )


def check_in_state(schedule: CheckInSchedule, *, today: datetime.date):
    """(due day, missed?, past the grace period?) of a schedule annotated by `check_ins_missed`."""
    return miss_state(
        schedule.due_after(schedule.last_heard_on), grace_days=schedule.grace_days, today=today
    )


def miss_state(due: datetime.date | None, *, grace_days: int, today: datetime.date):
    """(due day, missed?, past the grace period?) of a check-in due on `due`, on `today`."""
    if due is None:
        return None, False, False
    return due, today > due, today > due + datetime.timedelta(days=grace_days)


@dataclass
class CheckInDue:
    schedule: object
    due_on: datetime.date
    missed: bool
    past_grace: bool


def _check_in_rows(schedules, *, now=None) -> list[CheckInDue]:
    return _check_in_states(check_ins_missed(schedules.select_related("person")), now=now)


def _check_in_states(schedules, *, now=None) -> list[CheckInDue]:
    """The due day and state of each schedule read by `check_ins_missed`, missed ones first."""
    rows = []
    for schedule in schedules:
        today = dates.today(team=schedule.case.team, now=now)
        due_on, missed, past_grace = check_in_state(schedule, today=today)
        if due_on is not None:
            rows.append(CheckInDue(schedule, due_on, missed, past_grace))
    return sorted(rows, key=lambda d: (not d.past_grace, not d.missed, d.due_on))


def check_ins_due(user, *, now: datetime.datetime | None = None) -> list[CheckInDue]:
    """
    The check-ins of the user's cases due by today in each case's team's zone, missed ones
    first: a miss stays here until someone records what happened.
    """
    # The cases the user works are among those they see: probed per schedule, as the other
    # lists of the dashboard are, rather than both sets of cases gathered first.
    # Its SQL kept per user (kept_sql): building and compiling it cost ~5,000 Python calls a visit.
    schedules = rows_of_shape(
        of_user("check-ins due", user),
        lambda: check_ins_missed(
            CheckInSchedule.objects.filter(_on_my_case(user)).select_related("person")
        ),
    )
    return [
        row
        for row in _check_in_states(schedules, now=now)
        if row.due_on <= dates.today(team=row.schedule.case.team, now=now)
    ]


def case_check_ins(case: Case) -> list[CheckInDue]:
    """The active check-in schedules kept through `case`, with when each is next due."""
    return _check_in_rows(CheckInSchedule.objects.filter(case=case))


def distress_calls(user, *, since: datetime.date) -> QuerySet[Escalation]:
    """
    Distress escalations since `since` on the cases the user works, newest first. A duress call
    is shown to the supervisors of the case's team only: the caseworker's screen must read as
    after a safe check-in.
    """
    calls = Escalation.objects.filter(
        level=Escalation.Level.DISTRESS, created_at__date__gte=since
    ).filter(_on_my_case(user))
    supervised = roles.supervised_teams(user)
    calls = calls.filter(Q(check_in__duress=False) | Q(case__team__in=supervised))
    return (
        calls.select_related("case", "check_in")
        .only("created_at", "case", "check_in", "case__reference", "check_in__duress")
        .order_by("-created_at")
    )


# The case plan, closing a case


@dataclass
class Plan:
    goals: list
    reviews: list
    every_weeks: int | None
    next_review_on: datetime.date | None
    review_overdue: bool


def plan_of(case: Case, *, today: datetime.date, present: frozenset[str] | None = None) -> Plan:
    """
    The case plan in three queries whatever its size (and one per app above casework): the goals
    (open first) with their steps (follow-ups, done or not, and the steps the apps above keep,
    such as referrals), the reviews, and when the next review is due (every N weeks
    from the last review, or from the day the case opened). `present`: the case's lists known
    to have rows (`case_lists_present`); the goals and reviews are read only if named there.
    """
    goals = []
    if present is None or "goals" in present:
        steps = Task.objects.select_related("assignee").order_by(
            "completed_at", "due_on", "created_at"
        )
        goals = list(
            Goal.objects.filter(case=case)
            .select_related("person", "responsible")
            .prefetch_related(Prefetch("steps", queryset=steps, to_attr="plan_steps"))
        )
    other_steps = other_plan_steps(goals)
    for goal in goals:
        goal.other_steps = other_steps.get(goal.pk, [])
    reviews = []
    if present is None or "plan reviews" in present:
        reviews = list(PlanReview.objects.filter(case=case).select_related("reviewed_by")[:5])
    every = case.plan_review_weeks
    next_on = None
    if every:
        since = reviews[0].reviewed_on if reviews else case.opened_on
        next_on = since + datetime.timedelta(weeks=every)
    return Plan(
        goals=goals,
        reviews=reviews,
        every_weeks=every,
        next_review_on=next_on,
        review_overdue=bool(next_on and next_on < today and case.status != CaseStatus.CLOSED),
    )


@dataclass(frozen=True)
class PlanStep:
    """
    A step of a goal that an app above casework keeps (a referral): what it is, its status in
    words, its page, and whether it is over.
    """

    label: str
    status: str
    url: str
    done: bool


def other_plan_steps(goals: list) -> dict:
    """
    The steps the apps above casework keep for `goals` (`SHIMTEO_PLAN_STEP_HOOKS`: each takes
    the goals and returns `{goal id: [PlanStep]}` in one query), merged by goal.
    """
    merged: dict = {}
    if not goals:
        return merged
    for hook in settings.SHIMTEO_PLAN_STEP_HOOKS:
        for goal_id, steps in import_string(hook)(goals=goals).items():
            merged.setdefault(goal_id, []).extend(steps)
    return merged


@dataclass(frozen=True)
class OpenItem:
    """
    Something else still open on a case being closed (from an app above casework). With `key`
    (unique on the case) and `resolve` (called as `resolve(actor=…)` inside the closing's
    transaction, through the owning app's own service), it may be resolved from the closing
    page (ticked under `resolve_label`, which says what resolving does); without, it is resolved
    on its own page or carried over.
    """

    label: str
    url: str = ""
    key: str = ""
    resolve: Callable[..., object] | None = None
    resolve_label: str = ""

    @property
    def resolvable(self) -> bool:
        return bool(self.key and self.resolve)


@dataclass
class OpenOnClosing:
    tasks: list
    check_ins: list
    others: list


def open_on_closing(case: Case) -> OpenOnClosing:
    """
    What is still open on a case about to close: its follow-ups, its active check-in schedules,
    and what the apps above casework hold open (`SHIMTEO_CLOSURE_CHECK_HOOKS`: each takes the
    case and returns `OpenItem`s, resolved on their own pages or carried over).
    """
    others = other_open_items(case)
    return OpenOnClosing(
        tasks=list(
            Task.objects.filter(case=case, completed_at__isnull=True)
            .select_related("assignee")
            .order_by("due_on", "created_at")
        ),
        check_ins=list(
            CheckInSchedule.objects.filter(case=case, active=True)
            .select_related("person")
            .order_by("person__reference")
        ),
        others=others,
    )


def other_open_items(case: Case) -> list[OpenItem]:
    """What the apps above casework hold open on `case` (`SHIMTEO_CLOSURE_CHECK_HOOKS`)."""
    return [
        item
        for hook in settings.SHIMTEO_CLOSURE_CHECK_HOOKS
        for item in import_string(hook)(case=case)
    ]


# The case page's small lists of one case, by name: the model each is read from, and the
# condition beyond the case that a row must meet to be listed (an empty Q: any row of the case).
_CASE_LISTS = {
    "closures": (CaseClosure, Q()),
    "attachments": (Attachment, Q()),
    "open tasks": (Task, Q(completed_at__isnull=True)),
    "check-ins": (CheckInSchedule, Q()),
    "goals": (Goal, Q()),
    "plan reviews": (PlanReview, Q()),
    "flags": (CaseFlag, Q(active=True)),
}


# Each list's column in a query of cases (`case_lists_columns`): "open tasks" → "has_open_tasks".
_LIST_COLUMNS = {name: "has_" + name.replace(" ", "_").replace("-", "_") for name in _CASE_LISTS}


def case_lists_columns() -> dict[str, Exists]:
    """
    `case_lists_present` as columns of a query of cases, each an `Exists` over the row's case:
    the case page reads them with the case itself, in the same query.
    """
    return {
        # Every row, a voided one too: the base manager, not one that leaves the voided out.
        _LIST_COLUMNS[name]: Exists(model._base_manager.filter(condition, case=OuterRef("pk")))
        for name, (model, condition) in _CASE_LISTS.items()
    }


def case_lists_present(case: Case) -> frozenset[str]:
    """
    Which of the case page's small lists of `case` (`_CASE_LISTS`: closings, files, open
    follow-ups, check-in schedules, the plan's goals and reviews, raised flags) may have rows.
    Most cases have none of most of them, and building and compiling each list's query cost
    2,500 to 6,000 Python calls to read nothing: the page reads only the lists named here. Any
    row of the case counts (a voided one too): a list not named has nothing to show to anyone,
    whatever their rights. Taken from the case's own row when it was read with
    `case_lists_columns()`, else from one query, its SQL compiled once per process.
    """
    columns = _LIST_COLUMNS
    if all(hasattr(case, column) for column in columns.values()):
        present = {column: getattr(case, column) for column in columns.values()}
    else:
        [present] = rows_of_shape(
            "case lists present",
            lambda case_id: Case.objects.filter(pk=case_id).values(**case_lists_columns()),
            case.pk,
        ) or [dict.fromkeys(columns.values(), False)]
    return frozenset(name for name, column in columns.items() if present[column])


def case_closures(case: Case) -> list:
    """
    Every closing of the case, the latest first. Who closed and who reopened it are not read:
    the case page, which lists them, names neither (two user joins cost more to compile than
    the query took to run, for a case most often never closed).
    """
    return list(case.closures.all())


# The supervisor's workload view


OPEN_STATUSES = (CaseStatus.OPEN, CaseStatus.ON_HOLD)


@dataclass
class Workload:
    user: object
    by_risk: dict
    open_cases: int
    overdue_followups: int
    missed_check_ins: int
    last_activity: datetime.datetime | None

    @property
    def risk_counts(self) -> list[int]:
        """The open cases by risk, gravest first (the order of the page's columns)."""
        return [self.by_risk[level] for level in RiskLevel.gravest_first()]

    @property
    def grave(self) -> int:
        return self.by_risk[RiskLevel.CRITICAL] + self.by_risk[RiskLevel.HIGH]


WORKLOAD_ORDERS = {
    "name": lambda row: row.user.get_username(),
    "open": lambda row: -row.open_cases,
    "grave": lambda row: -row.grave,
    "overdue": lambda row: -row.overdue_followups,
    "missed": lambda row: -row.missed_check_ins,
    "activity": lambda row: row.last_activity.timestamp() if row.last_activity else 0,
}


def workload(teams, *, today: datetime.date, order: str = "name") -> list[Workload]:
    """
    Per caseworker of `teams` (a supervisor's): their open cases of those teams by risk, their
    overdue follow-ups, the missed check-ins of their cases, and when they last did anything.
    Counted in SQL in four grouped queries, whatever the number of caseworkers or cases.
    """
    team_ids = list(teams.values_list("pk", flat=True))
    last = (
        AuditEvent.objects.filter(actor=OuterRef("pk"))
        .order_by("-occurred_at")
        .values("occurred_at")[:1]
    )
    users = list(
        roles.caseworkers_in(team_ids).annotate(last_activity=Subquery(last)).order_by("username")
    )
    ids = [user.pk for user in users]
    assignments = CaseAssignment.objects.filter(
        user__in=ids,
        role=AssignmentRole.CASEWORKER,
        case__team__in=team_ids,
        case__status__in=OPEN_STATUSES,
    )
    cases = {
        row["user"]: row
        for row in assignments.values("user").annotate(
            total=Count("pk"),
            **{level: Count("pk", filter=Q(case__risk_level=level)) for level in RiskLevel.values},
        )
    }
    overdue = dict(
        Task.objects.filter(
            assignee__in=ids,
            completed_at__isnull=True,
            due_on__lt=today,
            case__team__in=team_ids,
            case__status__in=OPEN_STATUSES,
        )
        .values("assignee")
        .annotate(n=Count("pk"))
        .values_list("assignee", "n")
    )
    missed = dict(
        assignments.filter(
            case__flags__kind=CaseFlag.Kind.MISSED_CHECK_IN, case__flags__active=True
        )
        .values("user")
        .annotate(n=Count("case", distinct=True))
        .values_list("user", "n")
    )
    rows = [
        Workload(
            user=user,
            by_risk={level: cases.get(user.pk, {}).get(level, 0) for level in RiskLevel.values},
            open_cases=cases.get(user.pk, {}).get("total", 0),
            overdue_followups=overdue.get(user.pk, 0),
            missed_check_ins=missed.get(user.pk, 0),
            last_activity=user.last_activity,
        )
        for user in users
    ]
    return sorted(rows, key=WORKLOAD_ORDERS.get(order, WORKLOAD_ORDERS["name"]))


# The household across cases


@dataclass
class HouseholdMember:
    person: Person
    status: LegalStatusRecord | None
    benefits: list
    cases: list


@dataclass
class FamilyUnit:
    """
    One branch of a family tree: a person with the partners beside them (each with the tie that
    joins them), and below, the branches of their children.
    """

    person: Person
    partners: list  # (partner, tie)
    children: list  # FamilyUnit


@dataclass
class Household:
    members: list
    ties: list
    tree: list  # FamilyUnit: the eldest generation, parents above children


def family_tree(people: list, ties: list) -> list[FamilyUnit]:
    """
    The shown people as a tree, from the ties among them (no query): each person once, beside
    their partners, under their parents. The tree starts from those who have no parent shown and
    whose partners have none either (a daughter-in-law stands beside her husband, under his
    parents); whoever a tie does not reach, or a loop of ties leaves out, starts a branch of their
    own.
    """
    parents: dict = {p.pk: [] for p in people}
    children: dict = {p.pk: [] for p in people}
    partners: dict = {p.pk: [] for p in people}
    for from_person, tie, to_person in ties:
        if tie.is_couple:
            partners[from_person.pk].append((to_person, tie))
            partners[to_person.pk].append((from_person, tie))
        else:
            parents[to_person.pk].append(from_person)
            children[from_person.pk].append(to_person)
    placed: set = set()

    def branch(person) -> FamilyUnit:
        placed.add(person.pk)
        beside = [
            (partner, tie) for partner, tie in partners[person.pk] if partner.pk not in placed
        ]
        placed.update(partner.pk for partner, _tie in beside)
        below = []
        for member in [person, *(partner for partner, _tie in beside)]:
            below.extend(child for child in children[member.pk] if child not in below)
        return FamilyUnit(
            person=person,
            partners=beside,
            children=[branch(child) for child in below if child.pk not in placed],
        )

    def has_parents(person) -> bool:
        return bool(parents[person.pk]) or any(
            parents[partner.pk] for partner, _tie in partners[person.pk]
        )

    tree = []
    for starts_a_branch in (lambda person: not has_parents(person), lambda person: True):
        for person in people:
            if person.pk not in placed and starts_a_branch(person):
                tree.append(branch(person))
    return tree


def household_of(person: Person, *, user, depth: int = 3) -> Household:
    """
    The family of `person` across every case its members are on, as far as `user` sees: the
    people joined to them by ties (up to `depth` steps: parents, their children, their
    partners), each with their current status, benefits and the cases the user sees them in.
    A constant number of queries, whatever the size of the family.
    """
    seen = {person.pk}
    frontier = {person.pk}
    ties: dict = {}
    for _step in range(depth):
        found = Relationship.objects.filter(
            Q(from_person__in=frontier) | Q(to_person__in=frontier)
        ).order_by("created_at", "pk")
        frontier = set()
        for tie in found:
            ties[tie.pk] = tie
            for pk in (tie.from_person_id, tie.to_person_id):
                if pk not in seen:
                    seen.add(pk)
                    frontier.add(pk)
        if not frontier:
            break
    open_statuses = LegalStatusRecord.objects.filter(effective_to__isnull=True)
    memberships = CaseMember.objects.filter(case__in=visible_case_ids(user)).select_related("case")
    people = list(
        Person.objects.filter(pk__in=seen, memberships__case__in=visible_case_ids(user))
        .distinct()
        .prefetch_related(
            Prefetch("status_records", queryset=open_statuses, to_attr="open_statuses"),
            Prefetch(
                "entitlements",
                queryset=Entitlement.objects.order_by("kind", "-as_of", "-recorded_at"),
                to_attr="all_benefits",
            ),
            Prefetch("memberships", queryset=memberships, to_attr="visible_memberships"),
        )
        .order_by("reference")
    )
    shown = {p.pk for p in people}
    members = []
    for member in people:
        latest = {}
        for benefit in member.all_benefits:
            latest.setdefault(benefit.kind, benefit)
        members.append(
            HouseholdMember(
                person=member,
                status=next(iter(member.open_statuses), None),
                benefits=list(latest.values()),
                cases=[m.case for m in member.visible_memberships],
            )
        )
    by_pk = {p.pk: p for p in people}
    tie_rows = [
        (by_pk[tie.from_person_id], tie, by_pk[tie.to_person_id])
        for tie in ties.values()
        if tie.from_person_id in shown and tie.to_person_id in shown
    ]
    return Household(members=members, ties=tie_rows, tree=family_tree(people, tie_rows))
