"""The benchmark's figures: the CSV, the latest figure of each size, the exponents and the
table in the docs (arvo/bench/figures.py)."""

from __future__ import annotations

import pytest

from arvo.bench import figures
from arvo.bench.runs import Stage

RUN = {"commit": "abc1234", "cpus": 2, "period": "2025-12"}


def _record(path, residents, months, wall, at, scenario="monthly"):
    figures.append(path, [Stage(scenario, "total", wall, 1000, "rows read", 900.0),
                          Stage(scenario, "report", 2.0, 0, "reports", None)],
                   measured_at=at, residents=residents, months=months, **RUN)


def test_exponent_recovers_a_power_law():
    assert figures.exponent([(x, 3 * x ** 0.5) for x in (50_000, 200_000, 500_000)]) \
        == pytest.approx(0.5)
    assert figures.exponent([(12, 7.0), (24, 7.0), (48, 7.0)]) == pytest.approx(0.0)
    assert figures.exponent([(50_000, 10.0), (50_000, 12.0)]) is None  # one size only


def test_csv_keeps_every_run_and_the_table_shows_the_latest(tmp_path):
    path = tmp_path / "figures.csv"
    _record(path, 50_000, 24, 40.0, "2026-12-01T10:00")
    _record(path, 50_000, 24, 30.0, "2026-12-02T10:00")  # a later run of the same size
    _record(path, 200_000, 24, 60.0, "2026-12-02T11:00")
    rows = figures.read(path)
    assert len(rows) == 6
    assert path.read_text().count("measured_at") == 1  # one header
    totals = [r for r in figures.latest(rows) if r["stage"] == "total"]
    assert [(r["residents"], r["wall_seconds"]) for r in totals] == [("50000", "30.0"),
                                                                    ("200000", "60.0")]
    # the exponent takes the median of a size's runs: 35 s -> 70 s for 4x the residents
    _record(path, 200_000, 24, 80.0, "2026-12-02T12:00")
    assert figures.scaling(figures.read(path)) == [
        "monthly total wall ~ residents^0.50 at months = 24 (sizes 50,000, 200,000; "
        "medians of 2, 2 runs of abc1234)"]
    table = figures.table(rows)
    assert "| 50,000 | 24 | monthly | total | 30.0 s | 1,000 rows read | 33 | 900 |" in table
    assert "40.0 s" not in table


def test_growth_with_the_history_is_told_from_growth_with_the_month(tmp_path):
    path = tmp_path / "figures.csv"
    # the longer history's region holds a month twice as large, and the wall doubles:
    # all of the growth is the month's data, none the history's
    for months, wall, rows in ((12, 10.0, 1000), (48, 20.0, 2000)):
        figures.append(path, [Stage("monthly", "total", wall, rows, "rows read", None)],
                       measured_at="2026-12-02T10:00", residents=50_000, months=months, **RUN)
    assert figures.scaling(figures.read(path)) == [
        "monthly total wall ~ months of history^0.50 at residents = 50,000 (sizes 12, 48; "
        "medians of 1, 1 runs of abc1234); wall per row read ~ months of history^0.00"]


def test_an_exponent_is_fitted_to_the_latest_commits_runs_alone(tmp_path):
    path = tmp_path / "figures.csv"
    _record(path, 50_000, 24, 10.0, "2026-12-01T10:00")  # abc1234
    _record(path, 500_000, 24, 99.0, "2026-12-01T11:00")  # abc1234: left out below
    for residents, wall, at in ((50_000, 20.0, "2026-12-02T10:00"),
                                (200_000, 40.0, "2026-12-02T11:00")):
        figures.append(path, [Stage("monthly", "total", wall, 1000, "rows read", None)],
                       measured_at=at, residents=residents, months=24,
                       **{**RUN, "commit": "def5678"})
    assert figures.scaling(figures.read(path)) == [
        "monthly total wall ~ residents^0.50 at months = 24 (sizes 50,000, 200,000; "
        "medians of 1, 1 runs of def5678)"]


def test_docs_block_is_rewritten_and_the_rest_kept(tmp_path):
    doc = tmp_path / "operations.md"
    doc.write_text(f"# Ops\nbefore\n{figures.BEGIN}\nold table\n{figures.END}\nafter\n")
    path = tmp_path / "figures.csv"
    _record(path, 50_000, 12, 20.0, "2026-12-02T10:00")
    figures.write_docs(doc, figures.read(path))
    text = doc.read_text()
    assert text.startswith("# Ops\nbefore\n") and text.endswith(f"{figures.END}\nafter\n")
    assert "old table" not in text and "| 50,000 | 12 | monthly | total | 20.0 s |" in text
    doc.write_text("# Ops without the markers\n")
    with pytest.raises(ValueError, match="no <!-- arvo bench: begin -->"):
        figures.write_docs(doc, figures.read(path))


def test_rows_per_second_needs_rows_and_time():
    assert Stage("cold", "ingest", 4.0, 1000, "rows read", None).rows_per_second == 250
    assert Stage("cold", "ingest", 0.0, 1000, "rows read", None).rows_per_second is None
    assert Stage("cold", "report", 4.0, 0, "reports", None).rows_per_second is None


def test_ratios_compare_each_stage_with_its_sql_and_name_the_target(tmp_path):
    path = tmp_path / "figures.csv"
    figures.append(path, [Stage("monthly", "transform", 15.0, 10, "lake rows", 900.0),
                          Stage("monthly", "transform as DuckDB SQL", 6.0, 10, "lake rows",
                                None),
                          Stage("monthly", "validation (Great Expectations)", 3.0, 5, "rows",
                                None),
                          Stage("monthly", "validation as DuckDB SQL", 0.5, 5, "rows", None)],
                   measured_at="2026-12-02T10:00", residents=50_000, months=24, **RUN)
    assert figures.ratios(figures.read(path)) == [
        "50,000 residents, 24 months, monthly: dbt stage / the same SQL in DuckDB = "
        "15.0 s / 6.0 s = 2.5x (target at most 1.5x)",
        "50,000 residents, 24 months, monthly: validation with Great Expectations / the same "
        "checks as DuckDB SQL = 3.0 s / 0.5 s = 6.0x (target at most 5x)"]


def test_a_retired_stage_stays_in_the_csv_and_leaves_the_table(tmp_path):
    path = tmp_path / "figures.csv"
    retired = "validation (Great Expectations), first in a process"
    assert retired in figures.RETIRED
    figures.append(path, [Stage("monthly", retired, 5.5, 5, "rows", None),
                          Stage("monthly", "validation as DuckDB SQL", 1.0, 5, "rows", None)],
                   measured_at="2026-12-04T17:20", residents=500_000, months=24, **RUN)
    rows = figures.read(path)
    assert [r["stage"] for r in rows] == [retired, "validation as DuckDB SQL"]
    assert retired not in figures.table(rows)
    assert figures.ratios(rows) == []
