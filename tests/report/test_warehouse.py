"""Reading the marts (arvo/report/warehouse.py)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from arvo import report
from arvo.report.warehouse import open_warehouse
from tests.report import marts
from tests.report.handmade import PERIOD, A, build


def test_decimal_columns_are_read_as_numbers(tmp_path: Path):
    s = build(tmp_path)
    con = duckdb.connect(str(s.warehouse))
    con.execute("alter table mart_provider_package_outcomes"
                " alter change_sd type decimal(10, 3)")
    con.execute("alter table mart_provider_package_outcomes"
                " alter change_mean type decimal(10, 3)")
    con.close()
    html = report.render_steering_report(s, PERIOD).read_text(encoding="utf-8")
    assert "-6,0" in html and "parempi kuin vertailu" in html


def test_rows_of_one_period_and_provider(tmp_path: Path):
    s = build(tmp_path)
    with open_warehouse(s.warehouse) as wh:
        rows = wh.rows("mart_segment_value", PERIOD)
        assert {r["period"] for r in rows} == {PERIOD} and len(rows) == 3
        assert {r["provider_id"] for r in wh.rows("mart_prom_compliance", PERIOD, A)} == {A}
        assert wh.rows("no_such_mart", PERIOD) == []
        assert wh.previous_period(PERIOD) == "2024-06"
        assert wh.previous_period("2024-06") is None


def test_a_missing_warehouse_reads_as_empty(tmp_path: Path):
    s = marts.settings(tmp_path)
    with open_warehouse(s.warehouse) as wh:
        assert wh.rows("mart_segment_value", PERIOD) == []
        assert wh.instrument_labels() == {}
