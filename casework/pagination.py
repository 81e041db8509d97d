"""Pages of a long list without counting all of it, and without OFFSET past the first."""

import re

from django.core.paginator import Paginator
from django.db.models import CharField, F, Func, QuerySet, Value
from django.db.models.lookups import GreaterThan, LessThan
from django.utils.functional import cached_property

from accounts.kept_sql import rows_of_shape

# A list counts its rows up to this many (or to the page asked for, if further): "1,000 cases"
# is as useful to a reader as "7,479", and the exact figure cost a scan of every case through the
# visibility rule on every page of the list.
COUNT_UP_TO = 1000
# No list is this long: a page number past it is read as this one, so a typed or forged number
# (a thousand digits) never reaches the database as a bound it cannot hold (PostgreSQL's LIMIT
# is a bigint) and still gets the last page, as Django's paginator gives for any page too far.
MAX_PAGE_ASKED = 100_000


class CountUpToPaginator(Paginator):
    """
    A paginator that counts `counted` (the list's rows, without its annotations and order) only
    up to `COUNT_UP_TO` rows, or to the page after the one asked for: `more` then says the list
    goes on. PostgreSQL stops at the bound instead of testing every case against the visibility
    rule; every page up to the one asked for, and the next, stay reachable.
    """

    def __init__(self, object_list, per_page, *, counted: QuerySet, page_asked, count_up_to=None):
        super().__init__(object_list, per_page)
        self.counted = counted.order_by().values("pk")
        # `count_up_to(n)`, when given, answers what `counted[:n].count()` would, another way.
        self.count_up_to = count_up_to
        try:
            asked = min(max(1, int(page_asked)), MAX_PAGE_ASKED)
        except (TypeError, ValueError):
            asked = 1
        self.bound = max(COUNT_UP_TO, (asked + 1) * per_page)

    @cached_property
    def _counted_up_to_bound(self) -> int:
        if self.count_up_to is not None:
            return self.count_up_to(self.bound + 1)
        return self.counted[: self.bound + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._counted_up_to_bound, self.bound)

    @property
    def more(self) -> bool:
        """Whether the list has more rows than `count`."""
        return self._counted_up_to_bound > self.bound


# Keyset pages ------------------------------------------------------------------------------------
#
# Past the first page the case list is read from where the page before it ended, not by counting
# rows from the top: "the 25 cases after (risk 2, C-7K3M…)" walks the (risk_rank, reference)
# index from that point, where OFFSET 975 read and tested 1,000 cases through the visibility
# rule to throw 975 away. The links carry the key of the last (or first) case shown, as it was
# shown: a case that changes risk or closes between two pages moves or leaves, and every other
# case is still listed once, where an offset would have skipped or repeated one.

# A case's place in the list most at risk first (CaseQuerySet.most_at_risk_first), unique.
CASE_KEY = ("risk_rank", "reference")
_CURSOR = re.compile(r"(?P<rank>[0-9]{1,2})~(?P<reference>[A-Z0-9-]{1,20})")


def case_cursor(case) -> str:
    """The link's key of `case`: its risk rank and reference (neither identifies anyone)."""
    return f"{case.risk_rank}~{case.reference}"


class _Row(Func):
    """A row value, `(a, b)`: compared whole, as the index that orders them compares its keys."""

    template = "(%(expressions)s)"
    output_field = CharField()


# `(risk_rank, reference) > (2, 'C-7K3M…')` is where the index walk starts: PostgreSQL descends
# the (risk_rank, reference) index to that key. Written `risk_rank >= 2 AND (risk_rank > 2 OR
# reference > 'C-7K3M…')` it started at the first case of risk 2 and tested every case of that
# risk up to the key against the visibility rule: 4,500 cases for a caseworker's page 40.
_CASE_KEY_ROW = _Row(*(F(field) for field in CASE_KEY))


def _key_row(rank: int, reference: str) -> _Row:
    return _Row(Value(rank), Value(reference))


def _read_cursor(value) -> tuple[int, str] | None:
    """(risk rank, reference) of a cursor, or None for anything else (the page is then by number)."""
    match = _CURSOR.fullmatch(value or "")
    return (int(match["rank"]), match["reference"]) if match else None


class KeysetPage:
    """
    A page of a list ordered by CASE_KEY, read after or before a case's key. Answers what the
    case list's template asks of a Django page (`number`, `has_next`, `paginator.count` …), and
    the keys its links carry on (`next_cursor`, `previous_cursor`).
    """

    def __init__(self, object_list, *, number: int, has_previous: bool, has_next: bool, paginator):
        self.object_list = object_list
        self.number = number
        self.paginator = paginator
        self._has_previous = has_previous
        self._has_next = has_next

    def has_previous(self) -> bool:
        return self._has_previous

    def has_next(self) -> bool:
        return self._has_next

    def has_other_pages(self) -> bool:
        return self._has_previous or self._has_next

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def next_cursor(self) -> str:
        return case_cursor(self.object_list[-1]) if self.object_list else ""

    @property
    def previous_cursor(self) -> str:
        # Back to the first page is the first page itself, however the list changed meanwhile.
        if self.number <= 2 or not self.object_list:
            return ""
        return case_cursor(self.object_list[0])


def _reader(cases, kept_as: str | None):
    """
    `read(name, build, *keys)`: the rows of `build(cases, *keys)`. With `kept_as`, the name of
    `cases` for the process (its SQL the same on every request: the user's whole list, unfiltered,
    `of_user`), the query's SQL is compiled once per process and given each page's key as its
    parameters (accounts.kept_sql): building and compiling the list's query, the visibility
    rule's nested subqueries within it, was about a fifth of the page's Python.
    """
    if kept_as is None:
        return lambda name, build, *keys: list(build(cases, *keys))
    return lambda name, build, *keys: rows_of_shape(
        f"{kept_as}:{name}", lambda *keys: build(cases, *keys), *keys
    )


def keyset_page(
    cases, *, per_page: int, after, before, number, paginator, kept_as: str | None = None
) -> KeysetPage:
    """
    The page of `cases` (ordered by CASE_KEY) after the cursor `after`, or before `before`;
    when neither is a cursor, the page numbered `number` (the first, or a typed address), read
    by `paginator` as before. `number` is the page's number as the link that led here said,
    shown beside the bounded count; reading back to the start of the list makes it page 1.
    `kept_as`: a name standing for `cases` (and nothing else) in this process; the queries of
    the pages after or before a key, and of the first page, are then run from SQL kept under it.
    """
    try:
        number = min(max(1, int(number)), MAX_PAGE_ASKED)
    except (TypeError, ValueError):
        number = 1
    read = _reader(cases, kept_as)
    if (key := _read_cursor(after)) is not None:
        rows = read(
            f"after:{per_page}",
            lambda cases, rank, reference: cases.filter(
                GreaterThan(_CASE_KEY_ROW, _key_row(rank, reference))
            ).order_by(*CASE_KEY)[: per_page + 1],
            *key,
        )
        return KeysetPage(
            rows[:per_page],
            number=max(number, 2),
            has_previous=True,
            has_next=len(rows) > per_page,
            paginator=paginator,
        )
    if (key := _read_cursor(before)) is not None:
        rows = read(
            f"before:{per_page}",
            lambda cases, rank, reference: cases.filter(
                LessThan(_CASE_KEY_ROW, _key_row(rank, reference))
            ).order_by(*(f"-{field}" for field in CASE_KEY))[: per_page + 1],
            *key,
        )
        at_start = len(rows) <= per_page
        return KeysetPage(
            rows[:per_page][::-1],
            number=1 if at_start else max(number, 2),
            has_previous=not at_start,
            has_next=True,
            paginator=paginator,
        )
    numbered = paginator.get_page(number)
    shown = numbered.object_list
    if kept_as is not None and shown.query.low_mark == 0:
        # The first page (the list as it opens): kept by its length, a page or what the count
        # left of it. A typed page number further on is read by OFFSET, compiled as before.
        end = shown.query.high_mark
        shown = read(f"first:{end}", lambda cases: cases[:end])
    return KeysetPage(
        list(shown),
        number=numbered.number,
        has_previous=numbered.has_previous(),
        has_next=numbered.has_next(),
        paginator=paginator,
    )
