"""The per-file decimal rule (arvo.ingest.numbers), value by value."""

from __future__ import annotations

import pandas as pd
import pytest

from arvo.ingest.numbers import parse


def _parse(values: list[str | None]) -> list[tuple[float | None, str]]:
    number, reason = parse(pd.Series(values, dtype=object), pd.Series(["f"] * len(values)),
                           "cost_eur")
    return [(None if pd.isna(n) else n, r if isinstance(r, str) else "")
            for n, r in zip(number, reason, strict=True)]


@pytest.mark.parametrize("values, expected", [
    # a ';' file may well use decimal points: read as written, never x100
    (["109.47", "95.5", "1234"], [109.47, 95.5, 1234.0]),
    (["45,50", "1 234,75", "120", "\u22123,5", "+5,5"], [45.5, 1234.75, 120.0, -3.5, 5.5]),
    (["1.234,56", "1.234.567", "12,5"], [1234.56, 1234567.0, 12.5]),
    (["1,234.50", "2,500"], [1234.5, 2500.0]),  # '2,500' settled by the ',' thousands
    (["95.50", "12.500"], [95.5, 12.5]),  # zeros past the cents are fine
    (["1\u00a0234,50", "123\u202f456,78", None, ""], [1234.5, 123456.78, None, None]),
])
def test_values_read_by_the_rule_of_their_column(values, expected):
    assert [n for n, _ in _parse(values)] == expected
    assert all(r == "" for _, r in _parse(values))


def test_a_mixed_column_refuses_every_value_with_a_mark():
    got = _parse(["45,50", "109.47", "100"])
    assert got[2] == (100.0, "")
    for number, reason in got[:2]:
        assert number is None
        assert "mixes decimal marks ('109.47' with '.' and '45,50' with ',')" in reason


@pytest.mark.parametrize("value, what", [
    ("1.234", "is ambiguous"), ("12,500", "is ambiguous"), ("n/a", "is not a number"),
    ("1e5", "is not a number"), ("12 34", "is not a number"),
    ("0.123", "more than 2 decimals"), ("109.4712", "more than 2 decimals"),
])
def test_what_cannot_be_read_safely_is_refused(value, what):
    number, reason = _parse([value, "7"])[0]
    assert number is None and what in reason and reason.startswith(f"cost_eur '{value}'")


def test_the_rule_is_per_file():
    number, reason = parse(pd.Series(["1.234", "45,50", "1.234", "109.47"], dtype=object),
                           pd.Series(["a", "a", "b", "b"]), "cost_eur")
    # in file a ',' is the decimal mark, so '1.234' is unsettled; in b '.' is: 1.234 has
    # three decimals
    assert "ambiguous" in reason[0] and number[1] == 45.5
    assert "more than 2 decimals" in reason[2] and number[3] == 109.47


def test_one_text_reads_by_the_evidence_of_its_own_file():
    # each distinct text is classified once; its reading still comes from its file
    number, reason = parse(pd.Series(["1.500", "12.5", "1.500", "1.234.567"], dtype=object),
                           pd.Series(["a", "a", "b", "b"]), "cost_eur")
    assert list(number) == [1.5, 12.5, 1500.0, 1234567.0]
    assert reason.isna().all()
