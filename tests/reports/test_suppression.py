"""
Suppression cannot be undone from what is published: no value below the threshold is shown, and
no hidden value can be worked out from the visible cells and the printed totals, neither by
subtracting within one row or column nor by combining several rows and columns.

The check of the last point is written here independently of reports.suppression: a hidden value
is determined exactly when dropping its column from the system of published equations lowers
the system's rank (then no other table consistent with what is published has another value there).
"""

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from reports.suppression import determined, suppress_counts, suppress_table

SMALLISH = st.one_of(st.integers(0, 6), st.integers(0, 40))


def published_equations(height, width, *, row_totals, col_totals):
    """The equations a reader gets from the totals: lists of (position, coefficient)."""
    equations = []
    if row_totals:
        for i in range(height):
            equations.append([(("cell", i, j), 1) for j in range(width)] + [(("row", i), -1)])
    if col_totals:
        for j in range(width):
            equations.append([(("cell", i, j), 1) for i in range(height)] + [(("col", j), -1)])
    if row_totals and col_totals:
        equations.append([(("row", i), 1) for i in range(height)] + [(("grand",), -1)])
        equations.append([(("col", j), 1) for j in range(width)] + [(("grand",), -1)])
    return equations


def rank(matrix):
    rows = [[Fraction(v) for v in row] for row in matrix if any(row)]
    found = 0
    width = len(rows[0]) if rows else 0
    for col in range(width):
        pivot = next((r for r in range(found, len(rows)) if rows[r][col]), None)
        if pivot is None:
            continue
        rows[found], rows[pivot] = rows[pivot], rows[found]
        for r in range(found + 1, len(rows)):
            factor = rows[r][col] / rows[found][col]
            rows[r] = [a - factor * b for a, b in zip(rows[r], rows[found], strict=True)]
        found += 1
    return found


def derivable(hidden, equations):
    """The hidden positions a reader can compute from the published values."""
    unknowns = sorted(hidden)
    matrix = [[dict(eq).get(p, 0) for p in unknowns] for eq in equations]
    full = rank(matrix)
    return {
        p for k, p in enumerate(unknowns) if rank([row[:k] + row[k + 1 :] for row in matrix]) < full
    }


def shown_values(table):
    positions = {}
    for i, row in enumerate(table.cells):
        for j, value in enumerate(row):
            positions[("cell", i, j)] = value
    for i, value in enumerate(table.row_totals or []):
        positions[("row", i)] = value
    for j, value in enumerate(table.col_totals or []):
        positions[("col", j)] = value
    if table.row_totals is not None and table.col_totals is not None:
        positions[("grand",)] = table.grand_total
    return positions


@settings(max_examples=300, deadline=None)
@given(
    data=st.data(),
    height=st.integers(1, 5),
    width=st.integers(1, 5),
    threshold=st.integers(2, 6),
    row_totals=st.booleans(),
    col_totals=st.booleans(),
)
def test_suppression_cannot_be_undone(data, height, width, threshold, row_totals, col_totals):
    """No small value shows, no line has a single hidden value, and no hidden value is derivable."""
    cells = data.draw(
        st.lists(
            st.lists(SMALLISH, min_size=width, max_size=width), min_size=height, max_size=height
        )
    )
    table = suppress_table(cells, threshold=threshold, row_totals=row_totals, col_totals=col_totals)
    shown = shown_values(table)
    hidden = {p for p, value in shown.items() if value is None}
    true = {("cell", i, j): v for i, row in enumerate(cells) for j, v in enumerate(row)}
    true |= {("row", i): sum(row) for i, row in enumerate(cells)}
    true |= {("col", j): sum(row[j] for row in cells) for j in range(width)}
    true[("grand",)] = sum(map(sum, cells))

    for position, value in shown.items():
        if value is not None:
            # What is shown is true, and never a small count; zeros may show.
            assert value == true[position]
            assert not 0 < value < threshold, position
        else:
            assert position in hidden
    assert all(p in hidden for p, v in true.items() if p in shown and 0 < v < threshold)

    equations = published_equations(height, width, row_totals=row_totals, col_totals=col_totals)
    for equation in equations:
        in_line = [p for p, _coefficient in equation if p in hidden]
        assert len(in_line) != 1, (cells, in_line)
    assert not derivable(hidden, equations), cells


@settings(max_examples=300, deadline=None)
@given(
    data=st.data(),
    height=st.integers(1, 6),
    width=st.integers(1, 5),
    row_totals=st.booleans(),
    col_totals=st.booleans(),
)
def test_the_values_found_determined_are_those_a_reader_can_compute(
    data, height, width, row_totals, col_totals
):
    """`determined` (whole-number elimination) agrees with the independent rank check."""
    equations = published_equations(height, width, row_totals=row_totals, col_totals=col_totals)
    positions = sorted({position for equation in equations for position, _ in equation})
    if not positions:
        return
    hidden = data.draw(st.sets(st.sampled_from(positions)))
    as_dicts = [dict(equation) for equation in equations]
    assert determined(as_dicts, set(hidden)) == derivable(hidden, equations)


def test_two_hidden_blocks_joined_by_one_cell_are_protected():
    """
    Two 2x2 blocks of small counts joined by one more small count: every row and column has two
    hidden cells, yet adding rows and subtracting columns gives the joining cell back. It is
    protected by hiding more.
    """
    big = 50
    cells = [[big] * 5 for _ in range(5)]
    for i, j in [(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3), (0, 2)]:
        cells[i][j] = 1
    equations = published_equations(5, 5, row_totals=True, col_totals=True)
    primary = {("cell", i, j) for i in range(5) for j in range(5) if cells[i][j] == 1}
    assert derivable(primary, equations) == {("cell", 0, 2)}
    table = suppress_table(cells, threshold=5)
    assert not derivable(table.hidden, equations)
    assert primary < table.hidden


def test_a_single_small_count_takes_the_next_smallest_with_it():
    """One hidden count in a list with its total would be its total minus the others."""
    assert suppress_counts([12, 3, 7, 0], 5) == [12, None, None, 0]
    assert suppress_counts([12, 3, 2, 9], 5) == [12, None, None, 9]
    assert suppress_counts([12, 30], 5) == [12, 30]


def test_zeros_are_shown():
    """A zero names nobody and is shown; a non-zero count is hidden to cover a small one."""
    table = suppress_table([[3, 0, 9]], threshold=5, col_totals=False)
    assert table.cells == [[None, 0, None]]
    assert table.row_totals == [12]
    table = suppress_table([[3, 0]], threshold=5, col_totals=False)
    assert table.cells == [[None, 0]]
    assert table.row_totals == [None]
    table = suppress_table([[7, 0]], threshold=5, col_totals=False)
    assert table.cells == [[7, 0]]


def test_a_small_total_is_hidden_with_its_cells():
    """A row total below the threshold is a small count too."""
    table = suppress_table([[1, 2], [20, 30]], threshold=5)
    assert table.row_totals[0] is None
    assert table.cells[0] == [None, None]
