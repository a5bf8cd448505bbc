"""Disclosure control: the small-cell rule every aggregate of an Arvo report passes through.

A cell based on 1 to SMALL_CELL - 1 clients, pairs or episodes is replaced by a marker
(`SUPPRESSED`, printed "<5") before it reaches a template; a second cell is hidden
(`COMPLEMENTARY`, "..") when a lone small cell could otherwise be recovered from a total
(`complement` for a list with its total, `table_hidden` for a table with its row and
column totals).
"""

from __future__ import annotations

from typing import Any

SMALL_CELL = 5
"""Cells based on fewer than this many clients, pairs or episodes are suppressed."""

MIN_PEERS = 2
"""A peers' median is shown only over at least this many other providers."""


class _Suppressed:
    """Marker that replaces a hidden value before it reaches a template."""

    def __init__(self, text: str, title: str):
        self.text, self.title = text, title

    def __str__(self) -> str:
        return self.text

    __repr__ = __str__


SUPPRESSED = _Suppressed(f"<{SMALL_CELL}", f"Alle {SMALL_CELL} havaintoa: peitetty")
"""A small cell: shown as "<5"."""

COMPLEMENTARY = _Suppressed("..", "Peitetty, jottei pientä lukua voi päätellä summasta")
"""A cell hidden only so that a small cell cannot be recovered from a total: shown as ".."."""

SINGLE_PEER = _Suppressed("..", f"Alle {MIN_PEERS} vertailutuottajaa: peitetty")
"""A peers' median over fewer than MIN_PEERS providers (it would be one provider's rate)."""


def hidden(value: Any) -> bool:
    """True for SUPPRESSED, COMPLEMENTARY and SINGLE_PEER."""
    return isinstance(value, _Suppressed)


def is_small(n: float | int | None) -> bool:
    """True for a count of 1 to SMALL_CELL - 1 (zero discloses nothing and is shown as 0)."""
    return n is not None and 0 < n < SMALL_CELL


def suppress(value: Any, *counts: float | int | None) -> Any:
    """The single small-cell rule of Arvo reports.

    `value` is returned unchanged unless any of `counts` (the clients, pairs or episodes
    the value is based on) is from 1 to SMALL_CELL - 1, in which case SUPPRESSED is
    returned and the templates print "<5". Every aggregate the commissioner sees, and
    every peer aggregate a provider sees, passes through here.
    """
    return SUPPRESSED if any(is_small(n) for n in counts) else value


def share_is_small(numerator: int | None, denominator: int | None) -> bool:
    """True when a share of `numerator` out of `denominator` may not be shown: the
    numerator, the denominator or the rest (denominator - numerator: those not counted)
    is from 1 to SMALL_CELL - 1, since a share shown with its denominator gives away its
    numerator."""
    rest = None if denominator is None else denominator - (numerator or 0)
    return any(is_small(n) for n in (numerator, denominator, rest))


def suppress_rate(rate: Any, numerator: int | None, denominator: int | None,
                  *counts: float | int | None) -> tuple[Any, Any, Any]:
    """A rate with the counts it rests on, `(rate, numerator, denominator)`, through the
    small-cell rule: all three are SUPPRESSED when the share is small (`share_is_small`)
    or any of `counts` is from 1 to SMALL_CELL - 1."""
    if share_is_small(numerator, denominator) or any(is_small(n) for n in counts):
        return SUPPRESSED, SUPPRESSED, SUPPRESSED
    return rate, numerator, denominator


def protected(small: list[int], others: list[int]) -> bool:
    """True when the hidden cells of one list, row or column give away neither a small
    one nor a small sum.

    `small`: the hidden small values; `others`: the other non-zero values hidden with
    them. A reader knows each "<5" is 1 to 4, each ".." is 5 or more (a list hides no
    zero and no small value with ".."), and their sum: the total less the cells shown.
    That sum must not be 1 to 4 itself (two cells of 1 beside a total sum to 2, so each
    is 1), and must leave each small cell two values at least: the sum less the least
    the others can be is its highest, the sum less the most they can be its lowest. A 1
    hidden with a 5 sums to 6, and is 6 less at least 5: 1. Two cells of 4 sum to 8, and
    each is 8 less at most 4: 4.
    """
    if not small:
        return True
    total, top, k = sum(small) + sum(others), SMALL_CELL - 1, len(small)
    if is_small(total):
        return False
    highest = min(top, total - (k - 1) - SMALL_CELL * len(others))
    lowest = 1 if others else max(1, total - top * (k - 1))
    return highest > lowest


def _to_add(small: list[int], others: list[int],
            candidates: list[tuple[int, Any]]) -> list[Any]:
    """Of `candidates` (a value and a key, not hidden yet), the keys to hide beside `small`
    and `others` so that `protected` holds: the smallest one that does it alone, else
    the largest ones until it holds (all of them, if nothing does)."""
    if protected(small, others):
        return []
    ordered = sorted(c for c in candidates if c[0] > 0)
    alone = [key for n, key in ordered if protected(small, [*others, n])]
    if alone:
        return alone[:1]
    added: list[Any] = []
    for n, key in reversed(ordered):
        added.append(key)
        others = [*others, n]
        if protected(small, others):
            break
    return added


def complement(rows: list[dict[str, Any]], count: str) -> set[int]:
    """Index of the rows to hide with the small cells of `count`, so that they cannot be
    differenced from a total (in the list or in another table).

    A lone small row, a total less the rows shown would give; so the smallest other row
    is hidden that leaves it two values at least (`protected`: beside a 1, a row of 6 or
    more; a 5 would give it). So too when the small rows give one another away (two rows
    of 1 beside a total are 1 each; two of 4 are 4 each).
    """
    return complement_rows(rows, (count,), {i for i, r in enumerate(rows) if is_small(r[count])})


def complement_rows(rows: list[dict[str, Any]], counts: tuple[str, ...],
                    hidden_rows: set[int], unhideable: set[int] = frozenset()) -> set[int]:
    """The rows to hide beside `hidden_rows` (hidden already, for a small count of any of
    `counts`) so that, in every column of `counts`, the total less the rows shown gives
    away no small value of theirs and no small sum (`protected`). For a rate: its
    numerator, its rest and its denominator; a row hidden for a rest of 2 would have its
    numerator given by the numerators' total unless a second row is hidden.
    `unhideable`: rows the report does not show but gives by difference (the pairs in no
    segment): protected when small, never chosen to protect another."""
    hide = set(hidden_rows)
    while True:
        for count in counts:
            values = [(rows[i][count] or 0, i) for i in range(len(rows))]
            add = _to_add([n for n, i in values if i in hide and is_small(n)],
                          [n for n, i in values if i in hide and n and not is_small(n)],
                          [(n, i) for n, i in values if i not in hide | unhideable])
            if add:
                hide |= set(add)
                break
        else:
            return hide - hidden_rows


def table_hidden(counts: list[list[int | None]]) -> set[tuple[int, int]]:
    """The cells `(row, column)` to hide in a table of counts whose row and column totals
    are shown, in the table or elsewhere in the report (None: no such cell).

    Every small cell, and with each the other three corners of a rectangle: the hypercube
    method of tau-ARGUS in two dimensions (Hundepool et al., *Statistical Disclosure
    Control*, Wiley 2012, ch. 4). Then every hidden cell lies on a cycle of hidden cells,
    so no combination of the row and column totals less the cells shown gives it exactly
    (the criterion of Statistics Norway's GaussSuppression): the totals leave each hidden
    value a range. Of the rectangles, the one with the fewest zeros not hidden yet is
    chosen (a hidden zero leaves the range one-sided), then the fewest clients not hidden
    yet, then the first row and column. A row or column whose hidden cells still give a
    small one away (`protected`: two small cells of a row summing to 2 are both 1; a 1
    hidden with a 5 is 1) hides a cell it shows too, with a rectangle of its own, the
    smallest that is enough; and so does a row or column of a small cell that the rows
    and columns together still give (`determined`), until neither is left. A table in
    which no rectangle can be drawn (one row or column, or cells missing by design around
    the small one) hides every non-zero cell; there its totals may still give a cell, so
    a table with a missing cell is laid out with at least 3 rows and 3 columns and the
    missing one in a corner.
    """
    cells = {(i, j): n for i, row in enumerate(counts) for j, n in enumerate(row)
             if n is not None}
    lines = [[c for c in cells if c[0] == i] for i in {c[0] for c in cells}] + \
        [[c for c in cells if c[1] == j] for j in {c[1] for c in cells}]
    hide: set[tuple[int, int]] = set()
    todo = sorted(c for c, n in cells.items() if is_small(n))
    while todo:
        hide |= set(todo)
        for i, j in todo:
            options = []
            for i2, j2 in cells:
                corners = [c for c in ((i, j2), (i2, j), (i2, j2)) if c not in hide]
                if i2 != i and j2 != j and all(c in cells for c in corners):
                    options.append((sum(cells[c] == 0 for c in corners),
                                    sum(cells[c] for c in corners), i2, j2))
            if not options:
                return {c for c, n in cells.items() if n}
            *_, i2, j2 = min(options)
            hide |= {(i, j2), (i2, j), (i2, j2)}
        todo = sorted({c for line in lines for c in _to_add(
            [cells[c] for c in line if c in hide and is_small(cells[c])],
            [cells[c] for c in line if c in hide and cells[c] and not is_small(cells[c])],
            [(cells[c], c) for c in line if c not in hide])}) or _widening(cells, hide)
    return hide


def determined(cells: dict[tuple[int, int], int], hide: set[tuple[int, int]]
               ) -> list[tuple[int, int]]:
    """The hidden small cells whose value the row and column totals give, to a reader who
    knows each "<5" is 1 to 4, each ".." 5 or more (0 where it is 0) and every row's and
    column's total: the least and the most each can be, by linear programming over the
    hidden cells (the intruder of tau-ARGUS's protection intervals, Hundepool et al.
    2012, ch. 4), are the same."""
    from scipy.optimize import linprog

    order = sorted(hide)
    lines = [(axis, line) for axis in (0, 1) for line in sorted({c[axis] for c in order})]
    eq = [[float(c[axis] == line) for c in order] for axis, line in lines]
    sums = [sum(cells[c] for c in order if c[axis] == line) for axis, line in lines]
    bounds = [(1, SMALL_CELL - 1) if is_small(cells[c]) else (SMALL_CELL, None) if cells[c]
              else (0, 0) for c in order]
    found = []
    for k, c in enumerate(order):
        if is_small(cells[c]):
            unit = [float(k == m) for m in range(len(order))]
            low = linprog(unit, A_eq=eq, b_eq=sums, bounds=bounds)
            high = linprog([-u for u in unit], A_eq=eq, b_eq=sums, bounds=bounds)
            # the true values are a solution: a solver that finds none hides more, to be safe
            if not (low.success and high.success) or -high.fun - low.fun < 0.5:
                found.append(c)
    return found


def _widening(cells: dict[tuple[int, int], int], hide: set[tuple[int, int]]
              ) -> list[tuple[int, int]]:
    """The cell to hide next when the totals still give a small cell (`determined`): the
    smallest non-zero cell shown in its row or column (none when all are hidden)."""
    for i, j in determined(cells, hide):
        shown = [(n, c) for c, n in cells.items()
                 if (c[0] == i or c[1] == j) and c not in hide and n]
        if shown:
            return [min(shown)[1]]
    return []


def table_cells(counts: list[list[int | None]]) -> list[list[Any]]:
    """A table of counts (row and column totals shown) through `table_hidden`: small cells
    "<5", the cells hidden with them "..", None kept (no such cell)."""
    hide = table_hidden(counts)
    return [[n if n is None or (i, j) not in hide else SUPPRESSED if is_small(n)
             else COMPLEMENTARY for j, n in enumerate(row)] for i, row in enumerate(counts)]
