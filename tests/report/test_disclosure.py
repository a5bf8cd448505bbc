"""Small-cell suppression (arvo/report/disclosure.py)."""

from __future__ import annotations

import random

import numpy as np

from arvo.report import disclosure
from arvo.report.disclosure import (
    SUPPRESSED,
    complement,
    hidden,
    is_small,
    suppress,
    table_cells,
    table_hidden,
)


def test_suppress_is_the_small_cell_rule():
    assert suppress(0.42, 3) is SUPPRESSED
    assert suppress(0.42, 5) == 0.42
    assert suppress(0.42, 100, 4) is SUPPRESSED
    assert suppress(None, 0) is None  # zero discloses nothing
    assert suppress(7, None) == 7


def test_small_is_one_to_four():
    assert [n for n in range(7) if is_small(n)] == [1, 2, 3, 4]
    assert not is_small(None)
    assert hidden(disclosure.COMPLEMENTARY) and hidden(disclosure.SINGLE_PEER)
    assert not hidden("..")


def test_a_lone_small_cell_hides_the_next_smallest_too():
    rows = [{"n": 3}, {"n": 97}, {"n": 900}, {"n": 0}]
    assert complement(rows, "n") == {1}
    # two small cells: neither can be recovered from the total alone
    assert complement([{"n": 3}, {"n": 2}, {"n": 50}], "n") == set()
    assert complement([{"n": 3}], "n") == set()
    # two small cells that add up to 2: each is 1, so the next smallest is hidden too
    assert complement([{"n": 1}, {"n": 1}, {"n": 50}, {"n": 60}], "n") == {2}


def recoverable(counts, hide):
    """The hidden cells that the row and column totals give exactly: those whose
    indicator lies in the row space of the totals' equations over the hidden cells."""
    cells = sorted(hide)
    lines = [[int(c[0] == i) for c in cells] for i in range(len(counts))] + \
        [[int(c[1] == j) for c in cells] for j in range(len(counts[0]))]
    a = np.array(lines, dtype=float)
    rank = np.linalg.matrix_rank(a)
    return [c for k, c in enumerate(cells)
            if np.linalg.matrix_rank(np.vstack([a, np.eye(len(cells))[k]])) == rank]


def test_a_table_hides_a_rectangle_with_each_small_cell():
    counts = [[2, 40, 9], [30, 50, 8], [60, 70, 80]]
    assert table_hidden(counts) == {(0, 0), (0, 2), (1, 0), (1, 2)}  # the fewest hidden
    assert table_cells(counts)[0] == [SUPPRESSED, 40, disclosure.COMPLEMENTARY]
    # not a rectangle through a zero while there is another: a hidden 0 at (1, 2) would
    # leave the range one-sided
    counts = [[2, 40, 9], [30, 50, 0], [60, 70, 80]]
    assert table_hidden(counts) == {(0, 0), (0, 1), (1, 0), (1, 1)}
    # a small cell alone in its row: only through zeros
    assert table_hidden([[2, 0], [0, 9]]) == {(0, 0), (0, 1), (1, 0), (1, 1)}


def test_hiding_by_rows_alone_leaves_a_small_cell_to_its_column_total():
    counts = [[2, 9], [7, 8]]
    by_rows = {(0, 0), (0, 1)}  # complement() on the first row
    assert recoverable(counts, by_rows) == [(0, 0), (0, 1)]
    assert table_hidden(counts) == {(0, 0), (0, 1), (1, 0), (1, 1)}
    assert recoverable(counts, table_hidden(counts)) == []


def test_no_hidden_cell_of_a_random_table_is_given_by_its_totals():
    met = 0
    for seed in range(200):
        rng = random.Random(seed)
        rows, cols = rng.randint(2, 6), rng.randint(2, 6)
        counts = [[rng.choice([0, 1, 2, 3, 4, 5, 8, 20, 100]) for _ in range(cols)]
                  for _ in range(rows)]
        if rows >= 3 and cols >= 3 and rng.random() < 0.5:
            counts[-1][-1] = None  # no such cell (as "(none)" to "(none)")
        hide = table_hidden(counts)
        small = {(i, j) for i, r in enumerate(counts) for j, n in enumerate(r) if is_small(n)}
        assert small <= hide
        if small:
            met += 1
            assert recoverable([[n or 0 for n in r] for r in counts], hide) == [], counts
            assert small_sums(counts, hide) == [], counts
    assert met > 150


def small_sums(counts, hide):
    """Rows and columns whose hidden cells add up to 1 to 4 while they show a non-zero
    cell (a line of only hidden cells has a total of 1 to 4 itself, hidden where shown)."""
    found = []
    for name, line in [(f"row {i}", [((i, j), n) for j, n in enumerate(r)])
                       for i, r in enumerate(counts)] + \
            [(f"column {j}", [((i, j), r[j]) for i, r in enumerate(counts)])
             for j in range(len(counts[0]))]:
        hidden_sum = sum(n or 0 for c, n in line if c in hide)
        if is_small(hidden_sum) and any(n and c not in hide for c, n in line):
            found.append(name)
    return found


def test_hidden_cells_of_a_row_do_not_add_up_to_a_small_sum():
    """The demo's moves 2024-12 -> 2025-03: two clients entered service use in two
    segments, one each. Hidden with a rectangle alone, the row's total (its "moved")
    less the cells shown gave their sum, 2, and so each of them: 1."""
    counts = [[1533, 82, 30, 26, 16, 9], [72, 612, 15, 19, 7, 65],
              [26, 23, 1616, 271, 13, 11], [24, 25, 261, 7563, 433, 437],
              [30, 12, 13, 426, 9911, 1759], [1, 13, 1, 362, 1707, None]]
    hide = table_hidden(counts)
    assert {(5, 0), (5, 2), (4, 0), (4, 2)} <= hide  # the rectangle
    assert (5, 1) in hide  # the row's smallest cell shown, 13, with a rectangle of its own
    assert small_sums(counts, hide) == [] and recoverable(
        [[n or 0 for n in r] for r in counts], hide) == []


def test_a_table_no_rectangle_can_protect_hides_every_non_zero_cell():
    assert table_hidden([[2, 9, 0, 30]]) == {(0, 0), (0, 1), (0, 3)}
    assert table_hidden([[None, 5], [2, 4]]) == {(0, 1), (1, 0), (1, 1)}
