"""Small-cell suppression (arvo/report/disclosure.py)."""

from __future__ import annotations

import itertools
import random

import numpy as np

from arvo.report import disclosure
from arvo.report.disclosure import (
    SUPPRESSED,
    complement,
    determined,
    hidden,
    is_small,
    protected,
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
    # a 1 hidden with a 5: ".." is 5 or more, so the 1 is the sum (6) less 5; the 20 is
    # hidden instead
    assert complement([{"n": 1}, {"n": 5}, {"n": 20}], "n") == {2}
    assert complement([{"n": 1}, {"n": 6}, {"n": 20}], "n") == {1}
    # two cells of 4 beside a total: each is the sum (8) less at most 4
    assert complement([{"n": 4}, {"n": 4}, {"n": 50}], "n") == {2}
    # nothing else to hide: the list hides all it can (its total is the caller's)
    assert complement([{"n": 1}, {"n": 5}], "n") == {1}


def test_protected_leaves_a_small_cell_two_values_and_no_small_sum():
    assert protected([], [])
    assert not protected([1], []) and not protected([4], [])  # the total less the rest
    assert not protected([1], [5]) and protected([1], [6]) and protected([4], [5])
    assert not protected([1, 1], []) and not protected([1, 2], [])  # sums of 2 and 3
    assert protected([2, 3], []) and protected([3, 4], []) and not protected([4, 4], [])
    assert not protected([1, 1, 1, 1, 1], []) and protected([1, 1, 1, 1, 1], [6])


def _values(small, others):
    """By enumeration: the values each small cell can take, to a reader who knows each is
    1 to 4, each other is 5 or more, and their sum."""
    total = sum(small) + sum(others)
    ranges = [range(1, 5)] * len(small) + [range(5, total + 1)] * len(others)
    found = [set() for _ in small]
    for values in itertools.product(*ranges):
        if sum(values) == total:
            for k in range(len(small)):
                found[k].add(values[k])
    return found


def test_no_small_cell_of_a_list_is_given_by_its_total():
    """Every list of 2 to 4 rows of 0, 1, 2, 3, 4, 5, 6, 8 and 12 through `complement`:
    by enumeration, each small row keeps two values at least and the hidden rows' sum is
    not small, unless the list hides every non-zero row (its total is then the caller's
    to hide)."""
    met = 0
    for size in (2, 3, 4):
        for counts in itertools.product([0, 1, 2, 3, 4, 5, 6, 8, 12], repeat=size):
            rows = [{"n": n} for n in counts]
            extra = complement(rows, "n")
            small = [n for n in counts if is_small(n)]
            others = [counts[i] for i in extra]
            assert not any(is_small(n) for n in others)
            if len(small) + len(others) == sum(n > 0 for n in counts):
                continue  # all hidden
            met += bool(small)
            assert not is_small(sum(small) + sum(others)), counts
            assert all(len(v) >= 2 for v in _values(small, others)), counts
    assert met > 3000


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
            cells = {(i, j): n for i, r in enumerate(counts) for j, n in enumerate(r)
                     if n is not None}
            for i, j in determined(cells, hide):
                # only where the cell's row and column hide all they have
                assert all(c in hide or not n for c, n in cells.items()
                           if c[0] == i or c[1] == j), (counts, (i, j))
    assert met > 150


def test_determined_is_what_enumeration_finds():
    """`determined` (linear programming) against every filling of the hidden cells that
    meets the totals, small cells 1 to 4 and the others 5 or more, on random 2 x 2 to 3 x 3
    tables whose hidden cells are drawn at random."""
    met = 0
    for seed in range(150):
        rng = random.Random(seed)
        shape = (rng.randint(2, 3), rng.randint(2, 3))
        cells = {(i, j): rng.choice([1, 2, 3, 4, 5, 6, 9, 14])
                 for i in range(shape[0]) for j in range(shape[1])}
        hide = {c for c, n in cells.items() if is_small(n) or rng.random() < 0.4}
        order = sorted(hide)
        if not any(is_small(cells[c]) for c in order) or len(order) > 6:
            continue
        met += 1
        sums = {(axis, c[axis]): 0 for c in order for axis in (0, 1)}
        for c in order:
            for axis in (0, 1):
                sums[axis, c[axis]] += cells[c]
        seen = {c: set() for c in order}
        top = max(sums.values())
        for values in itertools.product(*[range(1, 5) if is_small(cells[c]) else
                                          range(5, top + 1) for c in order]):
            got = dict.fromkeys(sums, 0)
            for c, v in zip(order, values, strict=True):
                got[0, c[0]] += v
                got[1, c[1]] += v
            if got == sums:
                for c, v in zip(order, values, strict=True):
                    seen[c].add(v)
        by_enumeration = [c for c in order if is_small(cells[c]) and len(seen[c]) == 1]
        assert determined(cells, hide) == by_enumeration, (cells, sorted(hide))
    assert met > 60


def test_a_rectangle_through_a_5_is_widened():
    """A 1 in a rectangle whose corner in its row is 5: the row's hidden sum, 6, less the
    5 gives it (".." is 5 or more). The 9 beside it is hidden too."""
    counts = [[1, 5, 9, 40], [5, 9, 30, 40], [40, 40, 40, 40]]
    cells = {(i, j): n for i, r in enumerate(counts) for j, n in enumerate(r)}
    assert determined(cells, {(0, 0), (0, 1), (1, 0), (1, 1)}) == [(0, 0)]
    hide = table_hidden(counts)
    assert {(0, 0), (0, 2)} <= hide and determined(cells, hide) == []


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
