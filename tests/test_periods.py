"""Periods and months (arvo/periods.py): the one `YYYY-MM` rule and month arithmetic."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from arvo.config import REPO_ROOT
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


MONTH_PATTERN = re.compile(r"\{4\}-(\\d|\[0-9\]|\(0\[1-9\])")
"""A regular expression of a `YYYY-MM` month written in source: `\\d{4}-\\d{2}`,
`[0-9]{4}-(0[1-9]|1[0-2])`, ..."""


def month_rules(root: Path) -> list[str]:
    """The places under `root`'s arvo/ and flows/ that write a `YYYY-MM` pattern of their
    own instead of using arvo/periods.py."""
    return [f"{p.relative_to(root)}:{n}"
            for folder in ("arvo", "flows") for p in sorted((root / folder).rglob("*.py"))
            if p.name != "periods.py"
            for n, line in enumerate(p.read_text("utf-8").splitlines(), 1)
            if MONTH_PATTERN.search(line)]


def test_a_month_rule_of_its_own_is_found(tmp_path):
    (tmp_path / "arvo").mkdir()
    (tmp_path / "flows").mkdir()
    (tmp_path / "arvo" / "a.py").write_text(
        'import re\n_MONTH = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])$")\n'
        'ok = re.fullmatch(r"\\d{4}-\\d{2}", "2025-01")\n', encoding="utf-8")
    (tmp_path / "arvo" / "periods.py").write_text(
        'MONTH = re.compile(r"^\\d{4}-(0[1-9]|1[0-2])$")\n', encoding="utf-8")
    assert month_rules(tmp_path) == ["arvo/a.py:2", "arvo/a.py:3"]


def test_the_month_rule_is_written_once():
    assert month_rules(REPO_ROOT) == [], "use arvo.periods (is_month, check_month, MONTH)"
