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


def complement(rows: list[dict[str, Any]], count: str) -> set[int]:
    """Index of the row to hide with the small cells of `count`, so they cannot be
    differenced.

    When exactly one row has a small `count`, its value could be recovered from a total (or
    from another table's total) minus the rows shown; hiding the next smallest row too
    leaves only the sum of two. So too when the small rows add up to 1 to 4 (two rows of
    1: the total less the rows shown is 2, so each is 1).
    """
    small = [i for i, r in enumerate(rows) if is_small(r[count])]
    if not small or (len(small) > 1 and not is_small(sum(rows[i][count] for i in small))):
        return set()
    others = [i for i, r in enumerate(rows) if i not in small and (r[count] or 0) > 0]
    return {min(others, key=lambda i: rows[i][count])} if others else set()


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
    yet, then the first row and column. A row or column whose hidden cells add up to 1 to
    4 would still narrow them to a few values (two small cells of a row summing to 2 are
    both 1), so the smallest cell it shows is hidden too, with a rectangle of its own,
    until no row or column hides a small sum. A table in which no rectangle can be drawn
    (one row or column, or cells missing by design around the small one) hides every
    non-zero cell; there its totals may still give a cell, so a table with a missing cell
    is laid out with at least 3 rows and 3 columns and the missing one in a corner.
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
        todo = sorted({min((c for c in line if c not in hide and cells[c]),
                           key=lambda c: (cells[c], c), default=None)
                       for line in lines if is_small(sum(cells[c] for c in line if c in hide))}
                      - {None})
    return hide


def table_cells(counts: list[list[int | None]]) -> list[list[Any]]:
    """A table of counts (row and column totals shown) through `table_hidden`: small cells
    "<5", the cells hidden with them "..", None kept (no such cell)."""
    hide = table_hidden(counts)
    return [[n if n is None or (i, j) not in hide else SUPPRESSED if is_small(n)
             else COMPLEMENTARY for j, n in enumerate(row)] for i, row in enumerate(counts)]
