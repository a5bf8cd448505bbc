"""Providers' outcomes against peers (arvo/report/outcomes.py): which way is better, and
how many decimals, come from seed prom_measures through the outcome marts."""

from __future__ import annotations

from pathlib import Path

from arvo import report
from arvo.report.labels import Names
from arvo.report.outcomes import outcome_groups
from tests.report import marts

PERIOD = "2025-06"
A, B, C = "2358253-3", "3247652-1", "1394810-8"
NAMES = Names({A: "Aalto", B: "Bertta", C: "Ceder"}, {}, {})


def _row(instrument: str, provider_id: str, change: float, peer: float, base: float,
         **meta) -> dict:
    return marts.outcome(instrument, period=PERIOD, provider_id=provider_id,
                         provider_name=None, package_code="ANXIETY", pairs=40,
                         baseline_mean=base, followup_mean=base + change, change_mean=change,
                         change_sd=2.0, peer_pairs=80, peer_change_mean=peer, **meta)


def test_lower_is_better_instrument_other_than_phq9_orders_providers():
    # GAD-7: a larger fall in the score is better (seed prom_measures.higher_is_better)
    assert marts.prom_measures()["GAD7"]["higher_is_better"] is False
    rows = [_row("GAD7", A, -6.0, -3.0, 15.0),   # fell more than peers: better
            _row("GAD7", B, -3.1, -3.0, 14.0),   # like peers
            _row("GAD7", C, -1.0, -4.0, 16.0)]   # fell less than peers: worse
    (group,) = outcome_groups(rows, NAMES, suppress_own=True)
    flags = {m["provider_id"]: m["flag"] for m in group["members"]}
    assert flags == {A: "better", B: "same", C: "worse"}
    assert group["instrument_label"] == "GAD-7" and group["higher_is_better"] is False
    # the same changes on a higher-is-better instrument turn the marks around
    rows = [_row("KCCQ12", A, -6.0, -3.0, 50.0), _row("KCCQ12", C, -1.0, -4.0, 50.0)]
    (group,) = outcome_groups(rows, NAMES, suppress_own=True)
    assert {m["provider_id"]: m["flag"] for m in group["members"]} == {A: "worse", C: "better"}


def test_without_a_direction_nobody_is_marked():
    rows = [_row("GAD7", A, -6.0, -3.0, 15.0, higher_is_better=None)]
    (group,) = outcome_groups(rows, NAMES, suppress_own=False)
    assert group["members"][0]["flag"] is None and group["members"][0]["diff"] == -3.0


def test_gad7_steering_report_says_lower_is_better(tmp_path: Path):
    rows = [_row("GAD7", A, -6.0, -3.0, 15.0), _row("GAD7", C, -1.0, -4.0, 16.0)]
    s = marts.warehouse(marts.settings(tmp_path), {"mart_provider_package_outcomes": rows})
    html = report.render_steering_report(s, PERIOD).read_text(encoding="utf-8")
    assert "GAD-7" in html and "lower is better" in html
    assert "GAD-7:ssä pienempi muutos on parempi." in html and "EQ-5D" not in html
    assert "parempi kuin vertailu" in html and "heikompi kuin vertailu" in html


def test_eq5d3l_means_print_with_the_instruments_decimals(tmp_path: Path):
    assert marts.prom_measures()["EQ5D3L"]["decimals"] == 3
    rows = [_row("EQ5D3L", A, 0.1234, 0.05, 0.6123, value_set="UK"),
            _row("EQ5D3L", C, 0.0456, 0.09, 0.5871, value_set="UK")]
    s = marts.warehouse(marts.settings(tmp_path), {"mart_provider_package_outcomes": rows})
    html = report.render_steering_report(s, PERIOD).read_text(encoding="utf-8")
    assert "0,612" in html and "+0,123" in html and "0,587" in html
    assert "0,6<" not in html
    # the footer names the value set the run scored the index with
    assert "EQ-5D-3L-indeksi: arvotus UK." in html


def test_steering_report_names_the_runs_eq5d5l_value_set(tmp_path: Path):
    def run(value_set: str) -> str:
        rows = [_row("EQ5D5L", A, 0.05, 0.02, 0.7, value_set=value_set),
                _row("EQ5D5L", C, 0.01, 0.04, 0.7, value_set=value_set)]
        segment = {"period": PERIOD, "segment_code": "S", "segment_name_fi": "S",
                   "segment_name_en": "S", "kaiser_level": "x", "priority": 1,
                   "clients": 100, "eq5d_pairs": 0, "phq9_pairs": 0,
                   "eq5d_value_set": value_set}
        s = marts.warehouse(marts.settings(tmp_path / value_set.replace(" ", "_")), {
            "mart_provider_package_outcomes": rows, "mart_segment_value": [segment]})
        return report.render_steering_report(s, PERIOD).read_text(encoding="utf-8")

    england = run("England")
    assert "EQ-5D-5L-indeksi: Englannin arvotus (Devlin ym. 2018)." in england
    assert "EQ-5D-5L-indeksin (Englannin arvotus, 1 = täysi terveys)" in england
    germany = run("Germany")
    assert "Englannin" not in germany and "Devlin" not in germany
    assert "EQ-5D-5L-indeksi: arvotus Germany." in germany
    assert "EQ-5D-5L-indeksin (arvotus Germany, 1 = täysi terveys)" in germany
