"""Periods and months (arvo/periods.py): the one `YYYY-MM` rule and month arithmetic."""

from __future__ import annotations

import pytest

from arvo.periods import add_months, check_month, half_year_periods, is_month, window_months


@pytest.mark.parametrize("value", ["2025-01", "2025-12", "1999-10"])
def test_months(value):
    assert is_month(value) and check_month(value) == value


@pytest.mark.parametrize("value", ["2025-1", "2025-13", "2025-00", "25-01", "2025-01-01",
                                   " 2025-01", "joulukuu", None, 202501])
def test_not_months(value):
    assert not is_month(value)
    with pytest.raises(ValueError, match="is not a month YYYY-MM"):
        check_month(value)


@pytest.mark.parametrize("month, n, expected", [
    ("2025-01", 0, "2025-01"), ("2025-01", -1, "2024-12"), ("2024-12", 1, "2025-01"),
    ("2025-06", -18, "2023-12"), ("2025-11", 14, "2027-01")])
def test_add_months(month, n, expected):
    assert add_months(month, n) == expected


def test_window_is_the_twelve_months_ending_with_the_period():
    months = window_months("2025-02")
    assert months[0] == "2024-03" and months[-1] == "2025-02" and len(months) == 12
    assert window_months("2025-02", 3) == ["2024-12", "2025-01", "2025-02"]


def test_half_year_periods_of_the_demo():
    assert half_year_periods("2024-01", 24) == ["2025-06", "2025-12"]
    with pytest.raises(ValueError, match="start month"):
        half_year_periods("2024-1", 24)
