"""
Small-count suppression for published tables, with complementary suppression.

A table is its cells and the totals we print beside them. Each printed total is a linear equation
over the cells (row i: x_i1 + ... + x_im = R_i; the grand total: R_1 + ... + R_n = G, and so on),
so a hidden value is safe only if no combination of those equations pins it down. Hiding the
cells and totals below the threshold (primary suppression) is not enough: a row with one hidden
cell gives it back by subtraction, and two blocks of hidden cells joined by a single cell give
that cell back by adding and subtracting whole rows and columns. So, after the primary
suppression, we look for every hidden value the visible values still determine, and hide one
more value of its row or column (the smallest, non-zero where possible) until none is left.

Zeros stay visible: a zero says that nobody is in a group, which names no one, and hiding every
zero would hide most of a sparse table. A zero is hidden only when it is the only value left
that can protect a hidden one.

What this does not defend against: an attacker who also uses that counts are whole numbers at
least zero (interval attacks), or who has the same table for an overlapping period or scope.
"""

import math
from dataclasses import dataclass

from django.conf import settings

# Positions in the table: ("cell", i, j), ("row", i) for a row total, ("col", j) for a column
# total, ("grand",) for the grand total.
Position = tuple


def small_count_threshold() -> int:
    """Counts below this are hidden: settings.SHIMTEO_SMALL_COUNT_THRESHOLD, 5 by default."""
    return int(getattr(settings, "SHIMTEO_SMALL_COUNT_THRESHOLD", 5))


@dataclass(frozen=True)
class SuppressedTable:
    """A table ready to publish: None wherever a value is hidden."""

    cells: list[list[int | None]]
    row_totals: list[int | None] | None
    col_totals: list[int | None] | None
    grand_total: int | None
    hidden: frozenset

    @property
    def hidden_count(self) -> int:
        return len(self.hidden)


def suppress_table(
    cells: list[list[int]],
    *,
    threshold: int,
    row_totals: bool = True,
    col_totals: bool = True,
) -> SuppressedTable:
    """
    Suppress `cells` (a list of rows of counts) and the totals that will be printed with them:
    a total per row, a total per column, and the grand total when both are printed.
    """
    values = _values(cells, row_totals=row_totals, col_totals=col_totals)
    equations = _equations(cells, row_totals=row_totals, col_totals=col_totals)
    hidden = {position for position, value in values.items() if 0 < value < threshold}
    while True:
        exposed = determined(equations, hidden)
        if not exposed:
            break
        complement = _complement(min(exposed), values, equations, hidden)
        if complement is None:
            break
        hidden.add(complement)
    return _publish(cells, values, hidden, row_totals=row_totals, col_totals=col_totals)


def suppress_counts(counts: list[int], threshold: int) -> list[int | None]:
    """A single list of counts published with its total: the counts, None where hidden."""
    table = suppress_table([[count] for count in counts], threshold=threshold, row_totals=False)
    return [row[0] for row in table.cells]


@dataclass(frozen=True)
class SuppressedList:
    """
    A list of counts published with their total, every category printed: None where hidden.
    `small` holds the indexes hidden because the count is below the threshold (zeros too);
    the others hidden are complements, at least the threshold, hidden to protect them.
    """

    counts: list[int | None]
    total: int | None
    small: frozenset

    def is_small(self, index: int) -> bool:
        return index in self.small


def suppress_list(counts: list[int], threshold: int, *, with_total: bool) -> SuppressedList:
    """
    Every category of a list printed, whether empty or not: each count below `threshold`,
    zero included, is hidden ("fewer than 5" must not tell a reader that someone is there).

    With its total printed, the total is an equation over the hidden counts, and a reader who
    knows each small one lies between 0 and threshold - 1 can narrow them: 10, 3, 4 and a total
    of 17 leave 3 + 4 = 7 to two counts below 5, so they are 3 and 4. So more counts are hidden
    (the smallest visible first: a complement, at least the threshold) until every small
    hidden count can still be anything from 0 to threshold - 1. The check is exact for one list
    and its total: with R the hidden remainder, p small hidden counts and c complements, each
    small count can reach threshold - 1 when R - c * threshold >= threshold - 1, and 0 when
    p = 1 and c >= 1, or R <= (p - 1) * (threshold - 1) without complements.
    """
    counts = [int(count) for count in counts]
    total = sum(counts)
    small = {i for i, count in enumerate(counts) if count < threshold}
    hidden = set(small)
    total_hidden = with_total and total < threshold
    while with_total and not total_hidden and small:
        remainder = sum(counts[i] for i in hidden)
        complements = len(hidden) - len(small)
        top = threshold - 1
        if complements:
            safe = remainder - complements * threshold >= top
        else:
            safe = len(small) > 1 and top <= remainder <= (len(small) - 1) * top
        if safe:
            break
        visible = [i for i in range(len(counts)) if i not in hidden]
        if not visible:
            total_hidden = True
            break
        hidden.add(min(visible, key=lambda i: (counts[i], i)))
    return SuppressedList(
        counts=[None if i in hidden else count for i, count in enumerate(counts)],
        total=None if not with_total or total_hidden else total,
        small=frozenset(small),
    )


def determined(equations: list[dict], hidden: set) -> set:
    """
    The hidden positions whose value follows from the visible ones through `equations` (each a
    {position: coefficient} summing to zero). Exact: row reduction of the equations restricted
    to the hidden positions; a hidden value is determined exactly when a reduced row has it as
    its only unknown.
    """
    unknowns = sorted(hidden)
    column = {position: index for index, position in enumerate(unknowns)}
    rows = []
    for equation in equations:
        row = [0] * len(unknowns)
        for position, coefficient in equation.items():
            if position in column:
                row[column[position]] = int(coefficient)
        if any(row):
            rows.append(row)
    reduced = _row_reduce(rows, len(unknowns))
    found = set()
    for row in reduced:
        nonzero = [index for index, value in enumerate(row) if value]
        if len(nonzero) == 1:
            found.add(unknowns[nonzero[0]])
    return found


def _row_reduce(rows: list[list[int]], width: int) -> list[list[int]]:
    """
    Gauss-Jordan elimination in whole numbers: each row it returns is a multiple of the row of
    the reduced row echelon form, so it has the same zeros, which is all `determined` reads.
    """
    # Whole numbers, not fractions: each step of a Fraction takes a gcd and builds an object,
    # and the children's table (30 years of birth, three columns, some sixty values hidden one
    # after the other) spent 330 ms of its 660 in fractions at 100,000 people.
    rows = [list(row) for row in rows]
    pivot_row = 0
    for col in range(width):
        pivot = next((r for r in range(pivot_row, len(rows)) if rows[r][col]), None)
        if pivot is None:
            continue
        rows[pivot_row], rows[pivot] = rows[pivot], rows[pivot_row]
        lead_row = rows[pivot_row]
        lead = lead_row[col]
        for r in range(len(rows)):
            factor = rows[r][col]
            if r != pivot_row and factor:
                combined = [lead * a - factor * b for a, b in zip(rows[r], lead_row, strict=True)]
                # Kept small: the same row divided by what its entries share.
                divisor = math.gcd(*combined) or 1
                rows[r] = [value // divisor for value in combined]
        pivot_row += 1
        if pivot_row == len(rows):
            break
    return rows[:pivot_row]


def _values(cells, *, row_totals: bool, col_totals: bool) -> dict:
    values = {}
    for i, row in enumerate(cells):
        for j, value in enumerate(row):
            values[("cell", i, j)] = int(value)
        if row_totals:
            values[("row", i)] = sum(int(value) for value in row)
    width = len(cells[0]) if cells else 0
    if col_totals:
        for j in range(width):
            values[("col", j)] = sum(int(row[j]) for row in cells)
    if row_totals and col_totals and cells:
        values[("grand",)] = sum(int(value) for row in cells for value in row)
    return values


def _equations(cells, *, row_totals: bool, col_totals: bool) -> list[dict]:
    height, width = len(cells), len(cells[0]) if cells else 0
    equations = []
    if row_totals:
        for i in range(height):
            equation = {("cell", i, j): 1 for j in range(width)}
            equation[("row", i)] = -1
            equations.append(equation)
    if col_totals:
        for j in range(width):
            equation = {("cell", i, j): 1 for i in range(height)}
            equation[("col", j)] = -1
            equations.append(equation)
    if row_totals and col_totals and height:
        equations.append({**{("row", i): 1 for i in range(height)}, ("grand",): -1})
        equations.append({**{("col", j): 1 for j in range(width)}, ("grand",): -1})
    return equations


def _complement(exposed: Position, values: dict, equations: list[dict], hidden: set):
    """The visible value to hide so that `exposed` is protected: first from its own lines."""
    own = [eq for eq in equations if exposed in eq]
    near = [eq for eq in equations if hidden.intersection(eq)]
    for group in (own, near, equations):
        candidates = {p for eq in group for p in eq if p not in hidden}
        if candidates:
            # Smallest first, a non-zero before a zero, a cell before a total; then by place, so
            # that the same table is always suppressed the same way.
            return min(candidates, key=lambda p: (values[p] == 0, p[0] != "cell", values[p], p))
    return None


def _publish(cells, values, hidden, *, row_totals: bool, col_totals: bool) -> SuppressedTable:
    def shown(position):
        return None if position in hidden else values[position]

    width = len(cells[0]) if cells else 0
    return SuppressedTable(
        cells=[[shown(("cell", i, j)) for j in range(len(row))] for i, row in enumerate(cells)],
        row_totals=[shown(("row", i)) for i in range(len(cells))] if row_totals else None,
        col_totals=[shown(("col", j)) for j in range(width)] if col_totals else None,
        grand_total=shown(("grand",)) if ("grand",) in values else None,
        hidden=frozenset(hidden),
    )
