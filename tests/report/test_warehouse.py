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
    for column in ("adjusted", "residual_sd", "population_mean"):
        con.execute(f"alter table mart_provider_funnel alter {column} type decimal(10, 3)")
    con.close()
    html = report.render_steering_report(s, PERIOD).read_text(encoding="utf-8")
    assert ">9,2<" in html and "odotettua parempi (varoitus)" in html


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


def test_outcome_rows_of_an_old_period_take_the_instruments_metadata_from_the_seed(
        tmp_path: Path):
    """A period built before the outcome marts carried direction, decimals and label (the
    columns were appended later, so its rows hold nulls) is not shown with a guessed
    direction: the seed's primary measure fills them."""
    def row(provider_id: str, change: float) -> dict:
        return marts.outcome("PHQ9", period=PERIOD, provider_id=provider_id,
                             provider_name=None, package_code="DEPRESSION", pairs=40,
                             baseline_mean=15.0, followup_mean=15.0 + change,
                             change_mean=change, change_sd=2.0, peer_pairs=80,
                             peer_change_mean=-3.0, higher_is_better=None, decimals=None,
                             instrument_label=None)

    s = marts.warehouse(marts.settings(tmp_path), {
        "mart_provider_package_outcomes": [row(A, -6.0), row("3247652-1", -1.0)]})
    with open_warehouse(s.warehouse) as wh:
        rows = wh.outcome_rows(PERIOD)
    assert {(r["higher_is_better"], r["decimals"], r["instrument_label"]) for r in rows} == {
        (False, marts.prom_measures()["PHQ9"]["decimals"], "PHQ-9")}



def test_a_batched_warehouse_reads_what_a_query_per_provider_reads(tmp_path: Path):
    """Rendering every provider's feedback reads each mart once and slices it per provider
    (docs/performance-history.md, "Earlier measurements"): each slice is what the
    provider's own query reads, in the same order, and a caller changing the rows it got
    changes nobody else's."""
    from arvo.report.warehouse import FUNNEL, FUNNEL_ORDER
    s = build(tmp_path)
    reads = [("mart_prom_compliance", "package_code, instrument, timepoint"),
             ("mart_provider_data_quality", "month, entity, source_file, status"),
             ("mart_provider_rows_to_fix", "month, entity, source_file, source_row"),
             (FUNNEL, FUNNEL_ORDER), ("mart_segment_value", "priority, segment_code")]
    with open_warehouse(s.warehouse) as wh, open_warehouse(s.warehouse, batched=True) as once:
        for table, order in reads:
            assert wh.rows(table, PERIOD, order_by=order), table  # a test that can fail
            by_provider = "provider_id" in wh.columns(table)
            for pid in (A, "3247652-1", "1394810-8", "no-such-provider", None) \
                    if by_provider else (None,):
                assert once.rows(table, PERIOD, pid, order_by=order) == wh.rows(
                    table, PERIOD, pid, order_by=order), (table, pid)
                assert once.history(table, PERIOD, pid, order_by=order) == wh.history(
                    table, PERIOD, pid, order_by=order), (table, pid)
        only = ("status", ("rejected", "standing"))  # the episodes' feedback reads so
        order = "provider_id, month, entity, source_file, status"
        some = wh.rows("mart_provider_data_quality", PERIOD, order_by=order, only=only)
        assert {r["status"] for r in some} == set(only[1])
        for pid in (A, "3247652-1", None):
            assert once.rows("mart_provider_data_quality", PERIOD, pid, order, only) == \
                wh.rows("mart_provider_data_quality", PERIOD, pid, order, only)
        assert len(some) < len(wh.rows("mart_provider_data_quality", PERIOD))
        mine = once.rows(FUNNEL, PERIOD, A, order_by=FUNNEL_ORDER)
        everyone = once.rows(FUNNEL, PERIOD, order_by=FUNNEL_ORDER)
        mine[0]["adjusted"] = everyone[0]["adjusted"] = -1.0
        everyone[1].clear()
        assert once.rows(FUNNEL, PERIOD, A, order_by=FUNNEL_ORDER) == wh.rows(
            FUNNEL, PERIOD, A, order_by=FUNNEL_ORDER)
        assert once.rows(FUNNEL, PERIOD, order_by=FUNNEL_ORDER) == wh.rows(
            FUNNEL, PERIOD, order_by=FUNNEL_ORDER)
        labels = once.instrument_labels()
        labels.clear()
        assert once.instrument_labels() == wh.instrument_labels() != {}
        assert once.measure_thresholds() == wh.measure_thresholds()
        assert once.previous_period(PERIOD) == wh.previous_period(PERIOD) == "2024-06"
        assert once.columns(FUNNEL) == wh.columns(FUNNEL)
