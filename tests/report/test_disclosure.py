"""Small-cell suppression (arvo/report/disclosure.py)."""

from __future__ import annotations

from arvo.report import disclosure
from arvo.report.disclosure import SUPPRESSED, complement, hidden, is_small, suppress


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
