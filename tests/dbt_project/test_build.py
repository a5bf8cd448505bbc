"""The dbt project on a tiny hand-made lake: exact mart values, reruns and backfills.

Expected values are worked out by hand from tests/dbt_project/tiny_lake.py (period
2024-12: window 2024-01-01 .. 2024-12-31; EQ-5D-5L England value set).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import shutil
import statistics
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from arvo import reference_layer, transform
from arvo.config import REPO_ROOT, Settings
from tests.dbt_project import tiny_lake
from tests.dbt_project.tiny_lake import CLIENT_ID, P1, P2, P3

MARTS = ("mart_segment_value", "mart_segment_outcomes", "mart_provider_segment_value",
         "mart_provider_segment_outcomes", "mart_provider_package_outcomes",
         "mart_prom_compliance", "mart_cost_concentration", "mart_provider_data_quality",
         "mart_prom_obligation_episodes", "mart_provider_unrecognised_items",
         "mart_provider_check_results", "mart_period_register", "mart_provider_value",
         "mart_provider_measure_value", "mart_objective_attainment")
approx = pytest.approx


def make_settings(home: Path) -> Settings:
    return Settings(home=home, raw_dir=home / "raw", lake_dir=home / "lake",
                    quarantine_dir=home / "quarantine",
                    warehouse=home / "warehouse" / "arvo.duckdb",
                    reports_dir=home / "reports",
                    compiled_definitions_dir=home / "definitions")


def query(settings: Settings, sql: str) -> list[dict[str, object]]:
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        cur = con.execute(sql)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def counts(settings: Settings) -> dict[tuple[str, str], int]:
    out = {}
    for mart in MARTS:
        for row in query(settings, f"select period, count(*) as n from {mart} group by 1"):
            out[(mart, row["period"])] = row["n"]
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Period 2024-12 built once; what later builds replace is snapshotted here."""
    settings = make_settings(tmp_path_factory.mktemp("arvo"))
    tiny_lake.write(settings.lake_dir)
    result = transform.build(settings, "2024-12")
    segments = {r["client_id"]: r["segment_code"]
                for r in query(settings, "select * from int_clients_segmented")}
    scores = {r["response_id"]: r["score"]
              for r in query(settings, "select * from int_prom_responses_scored")}
    run_results = json.loads(
        (transform.dbt_paths(settings)[0] / "run_results.json").read_text())
    return {"settings": settings, "result": result, "segments": segments, "scores": scores,
            "run_results": run_results, "counts": counts(settings),
            "seeds": {r["unique_id"].split(".")[-1] for r in run_results["results"]
                      if r["unique_id"].startswith("seed.")}}


def rows(built, mart: str, key: tuple[str, ...], period: str = "2024-12"):
    found = query(built["settings"], f"select * from {mart} where period = '{period}'")
    return {tuple(r[k] for k in key): r for r in found}


# ------------------------------------------------------------------ the build itself

def test_production_build_runs_no_unit_tests(built):
    result = built["result"]
    assert result.success and result.errored == 0 and result.failures == ()
    assert result.passed > 100 and result.skipped == 0
    kinds = {r["unique_id"].split(".", 1)[0] for r in built["run_results"]["results"]}
    assert {"model", "test", "seed"} <= kinds
    assert "unit_test" not in kinds  # run by test_unit_tests_pass, not in production


def test_required_mart_columns_are_enforced_not_null(built):
    """The marts' required columns carry the contract's not_null constraint, which the
    warehouse enforces on insert (instead of a test query per column)."""
    doc = yaml.safe_load(
        (REPO_ROOT / "dbt_project/models/marts/_marts__models.yml").read_text())
    required = {(m["name"], c["name"]) for m in doc["models"] for c in m.get("columns", [])
                if any(k.get("type") == "not_null" for k in c.get("constraints", []))}
    assert len(required) > 100
    nullable = {(r["table_name"], r["column_name"]): r["is_nullable"] for r in query(
        built["settings"], "select table_name, column_name, is_nullable "
        "from information_schema.columns where table_name like 'mart_%'")}
    steering = required & nullable.keys()  # the definition phase's marts are built apart
    assert len(steering) > 70
    assert {k for k in steering if nullable[k] != "NO"} == set()
    assert any(v == "YES" for v in nullable.values())  # optional columns stay nullable


def test_the_memory_limit_reaches_duckdb(built, monkeypatch):
    """ARVO_DUCKDB_MEMORY is the memory_limit of dbt's DuckDB connection (the profile's
    config_options, given once when the database opens)."""
    from dbt.cli.main import dbtRunner

    monkeypatch.setenv("ARVO_DUCKDB_MEMORY", "123MB")
    settings = built["settings"]
    dbt_vars = {"period": "2024-12", **transform._location_vars(settings)}
    with transform._LOCK, transform._environ("ARVO_WAREHOUSE", str(settings.warehouse)):
        try:
            outcome = dbtRunner().invoke(
                ["show", *transform._common_args(settings), "--vars", json.dumps(dbt_vars),
                 "--inline", "select current_setting('memory_limit') as memory_limit"])
        finally:
            transform._release_warehouse()
    assert outcome.success, outcome.exception
    assert outcome.result.results[0].agate_table.rows[0][0] == "117.3 MiB"  # 123 MB


def test_the_build_keeps_the_lake_files_footers(built):
    """on-run-start has DuckDB keep each lake file's footer once read
    (macros/file_metadata.sql): every read of a lake source unions its files by name."""
    hooks = {r["unique_id"]: r for r in built["run_results"]["results"]
             if r["unique_id"].startswith("operation.arvo.arvo-on-run-start")}
    cached = [r for r in hooks.values()
              if r["compiled_code"].strip() == "set global parquet_metadata_cache = true"]
    assert len(cached) == 1 and cached[0]["status"] == "success", hooks


def test_the_parsed_project_is_left_out_of_full_collections(built):
    """A parse collects the process's garbage, then freezes what is left (the imports and
    the parsed project), so later full collections do not walk it again; the process
    still frees it all at exit. In a process of its own, with automatic collection off."""
    home = built["settings"].home
    code = f"""
import gc, weakref
from pathlib import Path
from tests.dbt_project.test_build import make_settings
from arvo import transform
class Cycle: pass
garbage = Cycle(); garbage.itself = garbage; gone = weakref.ref(garbage); del garbage
gc.disable()
transform.prepare(make_settings(Path({str(home)!r})))
print(gone() is None, gc.get_freeze_count())
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=REPO_ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    collected, frozen = done.stdout.split()
    assert collected == "True"  # collected first: no garbage is frozen
    assert int(frozen) > 100_000  # dbt and its parsed project
    assert "leaked" not in done.stderr  # unfrozen at exit, DuckDB's objects freed


def test_unit_tests_pass(built):
    """Every dbt unit test of the project, on the warehouse built from the tiny lake."""
    settings = built["settings"]
    result = transform.run_unit_tests(settings, "2024-12")  # raises if any fails
    run_results = json.loads(
        (transform.dbt_paths(settings)[0] / "run_results.json").read_text())
    nodes = [r for r in run_results["results"] if not r["unique_id"].startswith("operation.")]
    unit = [r for r in nodes if r["unique_id"].startswith("unit_test.")]
    assert unit and len(unit) == len(nodes)  # the unit tests only (and the on-run-start hook)
    names = {r["unique_id"].rsplit(".", 1)[1] for r in unit}
    assert {"segment_first_matching_rule_wins", "segment_rules_are_generic",
            "eq5d5l_index_from_england_value_set", "phq9_missing_item_rule",
            "episodes_latest_submission_wins",
            "events_windowed_latest_version_dated_in_the_window",
            "clients_profiled_cost_rank_costliest_first_ties_by_client",
            "events_windowed_incremental_replaces_changed_folders",
            "compliance_denominator_counts_closed_windows_only",
            "paired_followup_requires_the_baseline", "baseline_collected_per_scope_and_cycle",
            "restart_reanchors_the_schedule",
            "restart_events_are_admissions_during_the_episode",
            "sector_specific_obligation_applies_only_to_that_sector",
            "segment_obligation_binds_every_episode_of_the_segments_clients",
            "responses_matched_nearest_the_target_day",
            "responses_matched_to_the_restarted_schedule",
            "pairs_join_baseline_and_follow_up_of_one_cycle_in_the_window",
            "segment_value_costs_exact_per_client",
            "segment_outcomes_per_instrument_over_all_providers",
            "measure_value_cost_per_gain_and_per_qaly", "measure_value_talking_therapies_rates",
            "provider_value_costs_per_episode_and_client",
            "pairs_assessed_against_mid_reliable_change_and_caseness",
            "episode_costs_are_the_providers_events_of_the_episode",
            "compliance_rate_and_obligation", "cost_concentration_top_shares",
            "outcomes_compare_each_provider_with_all_others",
            "segment_pairs_count_in_the_segment_of_their_client",
            "objective_measures_counted_per_scope_and_provider",
            "objective_status_met_near_missed_not_measurable"} <= names
    assert all(r["status"] == "pass" for r in unit)
    assert result.success and result.errored == 0 and result.failures == ()


def test_segments_of_hand_made_clients(built):
    expected = {"A": "HNHC", "H": "SINGLE_CHRONIC", "B": "FRAIL_ELDERLY", "C": "MULTIMORBID",
                "D": "SINGLE_CHRONIC", "J": "SINGLE_CHRONIC", "E": "MOSTLY_HEALTHY",
                "I": "MOSTLY_HEALTHY", "K": "MOSTLY_HEALTHY", "L": "MOSTLY_HEALTHY",
                "N": "MOSTLY_HEALTHY"}
    assert built["segments"] == {CLIENT_ID[c]: s for c, s in expected.items()}
    assert CLIENT_ID["M"] not in built["segments"]  # no event in the window


def test_eq5d_and_phq9_scores(built):
    s = built["scores"]
    assert s["R-A1-EQB"] == approx(-0.285)  # 55555
    assert s["R-J1-EQF"] == 1.0  # 11111
    assert s["R-C1-EQB"] == approx(0.602)  # 11224
    assert s["R-J1-EQB"] == approx(0.712)  # 21323
    assert s["R-A1-EQF"] == approx(0.309)  # 43242
    assert s["R-H1-EQB0"] == approx(-0.094)  # 44444
    assert s["R-I1-EQB"] is None  # a dimension missing
    assert s["R-C1-PHB"] == 18.0
    assert s["R-J1-PHF"] == 6.0  # re-sent version: 5 over 8 items x 9 = 5.625
    assert s["R-K1-PHB"] == 14.0  # 12 / 8 x 9 = 13.5
    assert s["R-K1-PHF"] is None  # two items missing
    assert "R-K2-EQB" not in s  # submitted after the period


def test_segment_value(built):
    seg = rows(built, "mart_segment_value", ("segment_code",))
    assert set(seg) == {("HNHC",), ("FRAIL_ELDERLY",), ("MULTIMORBID",), ("SINGLE_CHRONIC",),
                        ("MOSTLY_HEALTHY",)}
    total = 30820.0
    hnhc = seg[("HNHC",)]
    assert hnhc["clients"] == 1 and hnhc["total_cost_eur"] == 15200.0
    assert hnhc["client_share"] == approx(1 / 11) and hnhc["cost_share"] == approx(15200 / total)
    assert hnhc["kaiser_level"] == "intensive case management" and hnhc["priority"] == 1
    assert (seg[("FRAIL_ELDERLY",)]["clients"], seg[("FRAIL_ELDERLY",)]["total_cost_eur"]) == (
        1, 1100.0)
    single = seg[("SINGLE_CHRONIC",)]
    assert (single["clients"], single["total_cost_eur"]) == (3, 12690.0)
    assert single["cost_per_client_eur"] == approx(4230.0)
    healthy = seg[("MOSTLY_HEALTHY",)]
    assert (healthy["clients"], healthy["total_cost_eur"]) == (5, 1130.0)
    assert "value_ratio" not in healthy and "eq5d_pairs" not in healthy  # docs/marts.md
    assert sum(r["total_cost_eur"] for r in seg.values()) == approx(total)


def test_segment_outcomes(built):
    out = rows(built, "mart_segment_outcomes", ("segment_code", "instrument"))
    # every segment, for each instrument with a pair in the period (EQ-5D-5L, PHQ-9)
    assert set(out) == {(s, i) for s in ("HNHC", "FRAIL_ELDERLY", "MULTIMORBID",
                                         "SINGLE_CHRONIC", "MOSTLY_HEALTHY")
                        for i in ("EQ5D5L", "PHQ9")}
    hnhc = out[("HNHC", "EQ5D5L")]
    assert hnhc["pairs"] == 1 and hnhc["baseline_mean"] == approx(-0.285)
    assert hnhc["followup_mean"] == approx(0.309)
    assert hnhc["change_mean"] == approx(0.594)
    assert (hnhc["mid_improved"], hnhc["mid_share"]) == (1, 1.0)  # 0.594 >= 0.063
    assert (hnhc["measure"], hnhc["instrument_label"], hnhc["decimals"]) == (
        "eq5d_index", "EQ-5D-5L", 3)
    assert hnhc["higher_is_better"] is True and hnhc["value_set"] == "England"
    frail = out[("FRAIL_ELDERLY", "EQ5D5L")]
    assert (frail["pairs"], frail["mid_share"], frail["change_mean"]) == (0, None, None)
    assert out[("FRAIL_ELDERLY", "PHQ9")]["mid_share"] is None
    assert out[("MULTIMORBID", "EQ5D5L")]["change_mean"] == approx(0.32)
    multi = out[("MULTIMORBID", "PHQ9")]
    assert (multi["pairs"], multi["baseline_mean"], multi["change_mean"]) == (1, 18.0, -13.0)
    assert (multi["mid_improved"], multi["mid_share"]) == (1, 1.0)  # -13 points
    assert multi["higher_is_better"] is False and multi["value_set"] is None
    assert (multi["min_score"], multi["max_score"], multi["mid"]) == (0, 27, 5)
    single = out[("SINGLE_CHRONIC", "EQ5D5L")]
    assert single["pairs"] == 3
    assert single["change_mean"] == approx((0.506 + 0.058 + 0.288) / 3)
    assert single["mid_improved"] == 2  # 0.506 and 0.288, not 0.058
    assert (out[("SINGLE_CHRONIC", "PHQ9")]["pairs"],
            out[("SINGLE_CHRONIC", "PHQ9")]["change_mean"]) == (1, -11.0)
    healthy = out[("MOSTLY_HEALTHY", "EQ5D5L")]
    assert (healthy["pairs"], healthy["mid_improved"], healthy["mid_share"]) == (2, 1, 0.5)


def test_provider_segment_value(built):
    ps = rows(built, "mart_provider_segment_value", ("provider_id", "segment_code"))
    assert len(ps) == 11
    p3 = ps[(P3, "HNHC")]
    assert (p3["clients"], p3["total_cost_eur"]) == (1, 5000.0)
    assert p3["provider_name"] == "Pohjolan kotihoito" and p3["sector"] == "public"
    p1 = ps[(P1, "HNHC")]  # A's inpatient stay and visit, but the pair is at P3
    assert (p1["clients"], p1["total_cost_eur"]) == (1, 10200.0)
    p1s = ps[(P1, "SINGLE_CHRONIC")]  # H and D
    assert (p1s["clients"], p1s["total_cost_eur"]) == (2, 12190.0)
    assert p1s["cost_per_client_eur"] == approx(6095.0)
    p1m = ps[(P1, "MOSTLY_HEALTHY")]  # E, K, N
    assert (p1m["clients"], p1m["total_cost_eur"]) == (3, 530.0)


def test_provider_segment_outcomes(built):
    ps = rows(built, "mart_provider_segment_outcomes",
              ("provider_id", "segment_code", "instrument"))
    p3 = ps[(P3, "HNHC", "EQ5D5L")]
    assert p3["pairs"] == 1 and p3["change_mean"] == approx(0.594)
    assert (p3["peer_pairs"], p3["peer_change_mean"]) == (0, None)
    assert (p3["mid_improved"], p3["mid_share"]) == (1, 1.0)
    assert p3["provider_name"] == "Pohjolan kotihoito"
    assert (P1, "HNHC", "EQ5D5L") not in ps  # A's pair is at P3
    p1s = ps[(P1, "SINGLE_CHRONIC", "EQ5D5L")]  # H and D
    assert p1s["pairs"] == 2 and p1s["change_mean"] == approx(0.282)
    assert p1s["peer_change_mean"] == approx(0.288)
    assert (P1, "SINGLE_CHRONIC", "PHQ9") not in ps  # the PHQ-9 pair is J's, at P2
    p2s = ps[(P2, "SINGLE_CHRONIC", "EQ5D5L")]  # J
    assert p2s["change_mean"] == approx(0.288) and p2s["peer_change_mean"] == approx(0.282)
    p2p = ps[(P2, "SINGLE_CHRONIC", "PHQ9")]
    assert (p2p["pairs"], p2p["change_mean"], p2p["mid_share"]) == (1, -11.0, 1.0)
    assert p2p["peer_pairs"] == 0 and p2p["higher_is_better"] is False
    p2m = ps[(P2, "MOSTLY_HEALTHY", "EQ5D5L")]  # L
    assert p2m["change_mean"] == approx(0.047) and p2m["peer_change_mean"] == approx(0.236)
    assert (p2m["mid_improved"], p2m["mid_share"]) == (0, 0.0)  # 0.047 < 0.063


def test_provider_package_outcomes(built):
    po = rows(built, "mart_provider_package_outcomes", ("provider_id", "package_code",
                                                       "instrument"))
    assert len(po) == 6
    dep = po[(P2, "DEPRESSION", "EQ5D5L")]
    assert dep["pairs"] == 3
    assert dep["baseline_mean"] == approx((0.602 + 0.712 + 0.812) / 3)
    assert dep["followup_mean"] == approx((0.922 + 1.0 + 0.859) / 3)
    assert dep["change_mean"] == approx((0.32 + 0.288 + 0.047) / 3)
    assert dep["change_sd"] == approx(statistics.stdev([0.32, 0.288, 0.047]))
    assert (dep["peer_pairs"], dep["peer_change_mean"]) == (1, approx(0.236))
    peer = po[(P1, "DEPRESSION", "EQ5D5L")]
    assert peer["pairs"] == 1 and peer["change_sd"] is None
    assert peer["peer_change_mean"] == approx((0.32 + 0.288 + 0.047) / 3)
    phq = po[(P2, "DEPRESSION", "PHQ9")]
    assert (phq["pairs"], phq["baseline_mean"], phq["followup_mean"]) == (2, 17.5, 5.5)
    assert phq["change_mean"] == -12.0 and phq["change_sd"] == approx(math.sqrt(2))
    assert (phq["peer_pairs"], phq["peer_change_mean"]) == (0, None)
    hip = po[(P1, "HIP_KNEE", "EQ5D5L")]  # of two baselines, the one nearest day 0
    assert hip["baseline_mean"] == approx(0.494) and hip["change_mean"] == approx(0.506)
    assert po[(P3, "HOME_CARE", "EQ5D5L")]["change_mean"] == approx(0.594)
    assert po[(P1, "T2_DIABETES", "EQ5D5L")]["change_mean"] == approx(0.058)


def test_provider_value(built):
    """Episode costs: the provider's own events under the episode's ID, in DECIMAL euros."""
    pv = rows(built, "mart_provider_value", ("provider_id", "package_code"))
    home = pv[(P3, "HOME_CARE")]
    assert (home["episodes"], home["clients"], home["events"]) == (3, 3, 3)
    assert home["total_cost_eur"] == Decimal("6200.00")
    assert home["cost_per_episode_eur"] == Decimal("2066.6667")
    dep = pv[(P2, "DEPRESSION")]
    assert (dep["episodes"], dep["total_cost_eur"]) == (3, Decimal("1300.00"))
    assert pv[(P1, "HIP_KNEE")]["cost_per_client_eur"] == Decimal("12000.0000")


def test_provider_measure_value(built):
    mv = rows(built, "mart_provider_measure_value", ("provider_id", "package_code",
                                                    "instrument"))
    hip = mv[(P1, "HIP_KNEE", "EQ5D5L")]
    assert hip["gain_mean"] == approx(0.506) and hip["qaly_gain_years"] == 1.0
    assert hip["qalys_per_episode"] == approx(0.506)
    assert hip["cost_per_gain_eur"] == Decimal("23715.4150")  # 12,000 / 0.506
    assert hip["cost_per_qaly_eur"] == Decimal("23715.4150")
    assert (hip["mid_improved"], hip["mid_share"], hip["reliable_improved"]) == (1, 1.0, None)
    dep = mv[(P2, "DEPRESSION", "EQ5D5L")]
    assert (dep["pairs"], dep["mid_improved"]) == (3, 2)  # 0.32, 0.288; not 0.047
    phq = mv[(P2, "DEPRESSION", "PHQ9")]  # 17.5 -> 5.5: lower is better, gain +12
    assert phq["gain_mean"] == 12.0 and phq["qalys_per_episode"] is None
    assert phq["cost_per_gain_eur"] == Decimal("36.1111")  # 433.33 per episode / 12 points
    assert (phq["reliable_improved"], phq["reliable_improvement_rate"]) == (2, 1.0)
    assert (phq["caseness_pairs"], phq["recovered"], phq["recovery_rate"]) == (2, 2, 1.0)
    assert phq["cost_per_gain_reason"] is None


def test_prom_compliance(built):
    pc = rows(built, "mart_prom_compliance", ("provider_id", "scope_code", "instrument",
                                             "timepoint"))
    assert len(pc) == 16  # 14 of package obligations, 2 of the HNHC segment obligation
    assert sum(r["scope"] == "package" and r["package_code"] == r["scope_code"]
               for r in pc.values()) == 14

    def got(*key):
        r = pc[key]
        return r["eligible_episodes"], r["collected"], r["rate"], r["meets_obligation"]

    # L's follow-up window closes 2025-01-04: not yet counted, though a form was sent
    assert got(P2, "DEPRESSION", "EQ5D5L", "followup_6m") == (2, 2, 1.0, True)
    assert pc[(P2, "DEPRESSION", "EQ5D5L", "followup_6m")]["open_windows"] == 1
    assert got(P2, "DEPRESSION", "EQ5D5L", "baseline") == (3, 3, 1.0, True)
    # 2 of 3 is below 0.8, but not beyond sampling noise (Wilson upper bound 0.94)
    assert got(P2, "DEPRESSION", "PHQ9", "baseline") == (3, 2, approx(2 / 3), True)
    phq = pc[(P2, "DEPRESSION", "PHQ9", "baseline")]
    assert phq["below_threshold"] and phq["rate_ci_upper"] == approx(0.9385, abs=1e-4)
    assert phq["rate_ci_lower"] == approx(0.2077, abs=1e-4)
    # peers: the other providers with DEPRESSION PHQ-9 baselines on 5 eligible episodes or
    # more; P1's 1 of 1 is not one (a rate on 1 episode; the mart's unit test has a peer)
    assert (phq["peer_providers"], phq["peer_median_rate"]) == (0, None)
    # I's baseline has a dimension missing: collected, though not scoreable
    assert got(P3, "HOME_CARE", "EQ5D5L", "baseline") == (3, 2, approx(2 / 3), True)
    assert got(P3, "HOME_CARE", "EQ5D5L", "followup_6m") == (2, 1, 0.5, True)
    assert got(P1, "DEPRESSION", "PHQ9", "followup_6m") == (1, 1, 1.0, True)
    assert got(P1, "T2_DIABETES", "EQ5D5L", "baseline") == (1, 1, 1.0, True)
    home = pc[(P3, "HOME_CARE", "EQ5D5L", "followup_6m")]
    assert (home["min_rate"], home["measure"], home["sector"], home["obligation_sector"]) == (
        0.6, "paired", "public", "all")
    assert pc[(P3, "HOME_CARE", "EQ5D5L", "baseline")]["measure"] == "participation"
    assert home["peer_providers"] == 0 and home["peer_median_rate"] is None
    # definitions/obligations.yml's HNHC segment obligation: client A (HNHC in 2024-12)
    # has one episode, home care at P3 (baseline 2024-03-05, follow-up 2024-09-01); it
    # counts under the segment and, above, under its package (A, B and I at P3)
    hnhc = {tp: pc[(P3, "HNHC", "EQ5D5L", tp)] for tp in ("baseline", "followup_6m")}
    for r in hnhc.values():
        assert (r["scope"], r["package_code"], r["obligation_sector"], r["sector"]) == (
            "segment", None, "all", "public")
        assert (r["eligible_episodes"], r["collected"], r["rate"], r["meets_obligation"],
                r["peer_providers"]) == (1, 1, 1.0, True, 0)
    assert (hnhc["baseline"]["measure"], hnhc["followup_6m"]["measure"]) == (
        "participation", "paired")
    assert (hnhc["baseline"]["min_rate"], hnhc["followup_6m"]["min_rate"]) == (0.8, 0.6)


def test_prom_obligation_episodes(built):
    everything = rows(built, "mart_prom_obligation_episodes", (
        "provider_id", "episode_id", "scope_code", "cycle", "instrument", "timepoint"))
    ep = {(p, e, c, i, t): r for (p, e, s, c, i, t), r in everything.items()
          if s == r["package_code"]}
    status = {k: (r["status"], r["window_state"], str(r["collection_closes"]))
              for k, r in ep.items()}
    # L: PHQ-9 baseline missed; follow-ups still open: EQ-5D paired, PHQ-9 without a baseline
    assert status[(P2, "EP-L1", 0, "PHQ9", "baseline")] == ("missed", "closed", "2024-06-20")
    assert status[(P2, "EP-L1", 0, "EQ5D5L", "followup_6m")] == ("met", "open", "2025-01-04")
    assert status[(P2, "EP-L1", 0, "PHQ9", "followup_6m")] == ("unpaired", "open", "2025-01-04")
    # B: nothing collected; both windows closed in 2024
    assert status[(P3, "EP-B1", 0, "EQ5D5L", "baseline")][0] == "missed"
    assert status[(P3, "EP-B1", 0, "EQ5D5L", "followup_6m")] == ("missed", "closed",
                                                                 "2024-12-30")
    # I's follow-up window opens only in 2025: not listed
    assert (P3, "EP-I1", 0, "EQ5D5L", "followup_6m") not in status
    # A's home care episode is bound by its package and by the HNHC segment obligation,
    # with each one's own window (segment baseline -42..30 days, package -14..30)
    a1 = {(s, t): r for (p, e, s, c, i, t), r in everything.items() if e == "EP-A1"}
    assert set(a1) == {("HOME_CARE", "baseline"), ("HOME_CARE", "followup_6m"),
                       ("HNHC", "baseline"), ("HNHC", "followup_6m")}
    assert {r["scope"] for (s, _), r in a1.items() if s == "HNHC"} == {"segment"}
    assert {r["package_code"] for r in a1.values()} == {"HOME_CARE"}
    assert str(a1[("HNHC", "baseline")]["collection_opens"]) == "2024-01-19"
    assert str(a1[("HOME_CARE", "baseline")]["collection_opens"]) == "2024-02-16"
    assert {r["status"] for r in a1.values()} == {"met"}
    eligible = sum(r["is_eligible"] for r in everything.values())
    assert eligible == sum(r["eligible_episodes"] for r in rows(
        built, "mart_prom_compliance", ("provider_id", "scope_code", "instrument",
                                        "timepoint")).values())
    assert not any("client" in c for c in next(iter(ep.values())))


def test_cost_concentration(built):
    cc = rows(built, "mart_cost_concentration", ("top_share",))
    total = 30820.0
    expected = {0.01: (1, 15200.0), 0.05: (1, 15200.0), 0.1: (2, 27200.0),
                0.2: (3, 28300.0), 0.5: (6, 29900.0)}
    assert {k[0] for k in cc} == set(expected)
    for share, (n, cost) in expected.items():
        r = cc[(share,)]
        assert (r["clients_in_top"], r["clients_total"], r["cost_in_top_eur"],
                r["cost_total_eur"]) == (n, 11, cost, total)
        assert r["cost_share"] == approx(cost / total)


def test_provider_data_quality(built):
    dq = rows(built, "mart_provider_data_quality", ("provider_id", "month", "entity"))
    expected = [r for r in tiny_lake.ingest_log_rows() if "2024-01" <= r[1] <= "2024-12"]
    assert len(dq) == len(expected)
    partial = dq[(P1, "2024-04", "events")]
    assert (partial["status"], partial["rows_in"], partial["rows_accepted"],
            partial["rows_quarantined"]) == ("partial", 3, 2, 1)
    assert "cost_eur" in partial["message"]
    assert dq[(P2, "2024-05", "proms")]["status"] == "rejected"
    assert not any(m < "2024-01" or m > "2024-12" for _, m, _ in dq)
    assert partial["provider_name"] == "Pohjolan hyvinvointialue, perusterveydenhuolto"
    unread = rows(built, "mart_provider_unrecognised_items", ("provider_id", "path"))
    assert list(unread) == [(P1, "2024-13")]
    assert "no month 13" in unread[(P1, "2024-13")]["message"]


def test_period_register(built):
    register = rows(built, "mart_period_register", ("kind", "code"))
    kinds = {k for k, _ in register}
    assert kinds == {"provider", "package", "segment"}
    p1 = register[("provider", P1)]
    assert (p1["name_fi"], p1["sector"]) == (
        "Pohjolan hyvinvointialue, perusterveydenhuolto", "public")
    assert register[("package", "DEPRESSION")]["name_en"]
    assert register[("segment", "HNHC")]["name_fi"]


def test_provider_check_results(built):
    checks = rows(built, "mart_provider_check_results", ("provider_id", "month", "entity",
                                                         "rule"))
    expected = [r for r in tiny_lake.check_result_rows() if "2024-01" <= r[1] <= "2024-12"]
    assert len(checks) == len(expected) > 0
    failed = checks[(P1, "2024-04", "events", "cost_in_range")]
    assert (failed["status"], failed["rows_checked"], failed["rows_failed"]) == ("failed", 3, 1)
    assert failed["provider_name"] == "Pohjolan hyvinvointialue, perusterveydenhuolto"
    # the rejected file was not checked
    assert not [k for k in checks if k[:3] == (P2, "2024-05", "proms")]


# ------------------------------------------------------------- reruns and backfills

def test_rerun_and_second_period(built):
    settings = built["settings"]
    target = transform.dbt_paths(settings)[0]
    manifest, results = (target / "manifest.json").stat(), (target / "run_results.json").stat()
    again = transform.build(settings, "2024-12")
    assert again.success
    assert counts(settings) == built["counts"]
    assert len(transform._MANIFESTS) >= 1
    # the manifest is as the parse wrote it, not written again; the run results are new
    assert (target / "manifest.json").stat().st_mtime_ns == manifest.st_mtime_ns
    assert (target / "run_results.json").stat().st_mtime_ns > results.st_mtime_ns
    # the reference layer (seeds, the definitions' staging views, their own tests) was
    # built and tested by the first build; the rerun leaves it out, but not a test that
    # also reads a model of the period
    rerun_results = json.loads((target / "run_results.json").read_text())
    rerun = {r["unique_id"] for r in rerun_results["results"]}
    # the first build checked the marts' contracts and columns; the rerun, on the same
    # project, leaves the checks out (macros/project_checked.sql)
    assert built["run_results"]["args"]["vars"]["arvo_project_checked"] is False
    assert rerun_results["args"]["vars"]["arvo_project_checked"] is True
    first = {r["unique_id"] for r in built["run_results"]["results"]}
    left = first - rerun
    assert rerun < first
    assert {u.split(".")[0] for u in left} == {"seed", "model", "test"}
    assert {u.split(".")[-1] for u in left if not u.startswith("test.")} == {
        *(p.stem for p in (settings.dbt_project_dir / "seeds").glob("*.csv")),
        *(u.split(".")[-1] for u in first if ".stg_definitions__" in u and u.startswith("model."))}
    assert "test.arvo.assert_prom_measures_one_primary_per_instrument" in left
    assert "test.arvo.assert_prom_scores_within_measure_ranges" in rerun
    assert any("relationships_stg_lake__events_service_code" in u for u in rerun)

    second = transform.build(settings, "2025-01")
    assert second.success
    after = counts(settings)
    for (mart, period), n in built["counts"].items():
        assert after[(mart, period)] == n, f"{mart} lost rows of {period}"
    assert all((mart, "2025-01") in after for mart in MARTS)
    segments = {r["client_id"]: r["segment_code"]
                for r in query(settings, "select * from int_clients_segmented")}
    assert segments[CLIENT_ID["I"]] == "FRAIL_ELDERLY"  # turned 75 on 2025-01-10
    frail = rows(built, "mart_segment_value", ("segment_code",), "2025-01")[("FRAIL_ELDERLY",)]
    assert frail["clients"] == 2
    late = query(settings, "select annual_cost from int_clients_profiled where client_id = "
                           f"'{CLIENT_ID['E']}'")
    assert late == [{"annual_cost": 120.0}]  # the event sent late in the 2025-01 folder
    # the first period is still what it was
    assert rows(built, "mart_segment_value", ("segment_code",))[("HNHC",)]["clients"] == 1


def test_the_reference_layer_is_built_again_when_its_inputs_change(built, tmp_path):
    """A whole build records the fingerprint its reference layer was built under; another
    project file, compiled definition or var, or a missing relation of it, means
    building it again, and a build that makes it anew drops the record until it passes."""
    settings = built["settings"]
    [recorded] = query(settings, f"select * from {reference_layer.TABLE}")
    relations = json.loads(recorded["relations"])
    assert "prom_measures" in relations and "stg_definitions__providers" in relations
    copy = make_settings(tmp_path)
    for folder in ("warehouse", "definitions"):
        shutil.copytree(settings.home / folder, tmp_path / folder)
    project = tmp_path / "dbt_project"
    shutil.copytree(settings.dbt_project_dir, project)
    vars_ = {"definitions_version": "v1"}
    layer = reference_layer.of(copy, vars_)
    layer.record(tuple(("seed" if r in built["seeds"] else "model", r) for r in relations))
    assert layer.current()
    assert not reference_layer.of(copy, {"definitions_version": "v2"}).current()
    moved = copy.model_copy(update={"dbt_project_dir": project})
    assert reference_layer.of(moved, vars_).current()  # the same files elsewhere
    bands = project / "seeds" / "prom_score_bands.csv"
    bands.write_text(bands.read_text() + "\n")
    assert not reference_layer.of(moved, vars_).current()
    providers = copy.compiled_definitions_dir / "providers.csv"
    providers.write_text(providers.read_text() + "\n")
    assert not reference_layer.of(copy, vars_).current()
    providers.write_text(providers.read_text()[:-1])
    assert layer.current()
    with duckdb.connect(str(copy.warehouse)) as con:
        con.execute("drop view stg_definitions__service_types")
    assert not layer.current()
    assert not reference_layer.of(make_settings(tmp_path / "new"), vars_).current()
    reference_layer.forget(copy.warehouse)
    with duckdb.connect(str(copy.warehouse), read_only=True) as con:
        assert not con.execute("select * from information_schema.tables "
                               f"where table_name = '{reference_layer.TABLE}'").fetchall()


def test_a_mart_whose_types_break_its_contract_is_stopped_unless_checked(built, tmp_path):
    """dbt's contract check runs unless the build says the project was checked as it is:
    a changed mart's SQL typed other than its contract fails the build. Left out
    (`arvo_project_checked`), the mart is built and its table keeps the contract's types."""
    settings = built["settings"]
    copy = make_settings(tmp_path).model_copy(
        update={"dbt_project_dir": tmp_path / "dbt_project"})
    for folder in ("warehouse", "definitions", "lake"):
        shutil.copytree(settings.home / folder, tmp_path / folder)
    shutil.copytree(settings.dbt_project_dir, copy.dbt_project_dir,
                    ignore=shutil.ignore_patterns("target", "logs"))
    mart = copy.dbt_project_dir / "models" / "marts" / "mart_provider_value.sql"
    sql = mart.read_text()
    assert "cast(c.episodes as bigint) as episodes" in sql
    mart.write_text(sql.replace("cast(c.episodes as bigint) as episodes",
                                "cast(c.episodes as double) as episodes"))

    with pytest.raises(transform.TransformError) as failed:
        transform.build_selected(copy, "2024-12", select="mart_provider_value")
    assert "mart_provider_value" in str(failed.value)
    assert "contract" in " ".join(f.message for f in failed.value.failures).lower()

    transform.build_selected(copy, "2024-12", select="mart_provider_value",
                             dbt_vars={"arvo_project_checked": True})
    assert query(copy, "select data_type from information_schema.columns where table_name "
                       "= 'mart_provider_value' and column_name = 'episodes'") == [
        {"data_type": "BIGINT"}]


def test_a_mart_that_lost_a_column_still_builds_on_a_warehouse_built_before(built,
                                                                            tmp_path):
    """A mart whose contract lost a column (mart_segment_value's eq5d_pairs went to
    mart_segment_outcomes) still builds on a warehouse an earlier Arvo built, also when
    the build leaves dbt's column comparison out (`arvo_project_checked`): the column
    stays with the earlier periods' values, null in the periods built since."""
    settings = built["settings"]
    copy = make_settings(tmp_path)
    for folder in ("warehouse", "definitions", "lake"):
        shutil.copytree(settings.home / folder, tmp_path / folder)
    with duckdb.connect(str(copy.warehouse)) as con:  # as the earlier version left it
        con.execute("alter table mart_segment_value add column eq5d_pairs bigint")
        con.execute("update mart_segment_value set eq5d_pairs = 1")
        con.execute("insert into mart_segment_value (period, definitions_version, "
                    "segment_code, eq5d_pairs) values ('2023-12', 'v0', 'HNHC', 7)")

    transform.build_selected(copy, "2024-12", select="mart_segment_value")
    transform.build_selected(copy, "2025-01", select="mart_segment_value",
                             dbt_vars={"arvo_project_checked": True})
    kept = query(copy, "select period, count(*) as n, max(eq5d_pairs) as eq5d_pairs, "
                       "sum(clients) as clients from mart_segment_value group by 1 order by 1")
    assert [(r["period"], r["eq5d_pairs"]) for r in kept] == [
        ("2023-12", 7), ("2024-12", None), ("2025-01", None)]
    assert kept[1]["n"] == 5 and kept[1]["clients"] == 11  # the tiny lake's 11 clients


# ------------------------------------------------------------------ errors and helpers

def test_failing_test_raises_transform_error(tmp_path):
    settings = make_settings(tmp_path)
    tiny_lake.write(settings.lake_dir)
    folder = settings.lake_dir / "events" / f"provider_id={P1}" / "month=2024-12"
    table = pq.read_table(folder / "data.parquet")
    pq.write_table(pa.concat_tables([table, table]), folder / "data.parquet")  # duplicate IDs
    with pytest.raises(transform.TransformError) as caught:
        transform.build(settings, "2024-12",
                        select="stg_lake__events stg_definitions__service_types")
    failed = {f.node for f in caught.value.failures}
    assert any("unique_combination_stg_lake__events" in n for n in failed)
    assert "unique_combination_stg_lake__events" in str(caught.value)


@pytest.mark.parametrize("event_date, fails", [
    (dt.date(2024, 12, 31), False),  # the folder's last day
    (dt.date(2025, 1, 1), True),     # the next month's first
])
def test_an_event_dated_after_its_folders_month_fails_the_build(tmp_path, event_date, fails):
    """The rule that lets int_events_windowed read only the window's folders."""
    settings = make_settings(tmp_path)
    tiny_lake.write(settings.lake_dir)
    path = settings.lake_dir / "events" / f"provider_id={P1}" / "month=2024-12" / "data.parquet"
    table = pq.read_table(path)
    column = table.schema.get_field_index("event_date")
    dates = pa.array([event_date] + table["event_date"].to_pylist()[1:],
                     table.schema.field(column).type)
    pq.write_table(table.set_column(column, "event_date", dates), path)
    selected = "stg_lake__events stg_definitions__service_types"
    if not fails:
        assert transform.build(settings, "2024-12", select=selected).success
        return
    with pytest.raises(transform.TransformError) as caught:
        transform.build(settings, "2024-12", select=selected)
    [failure] = caught.value.failures
    assert "dated_in_folder_month_stg_lake__events" in failure.node


def test_lake_without_an_entity_is_refused(tmp_path):
    settings = make_settings(tmp_path)
    tiny_lake.write(settings.lake_dir)
    for path in (settings.lake_dir / "proms").rglob("*.parquet"):
        path.unlink()
    with pytest.raises(transform.TransformError, match="no files for proms"):
        transform.build(settings, "2024-12")


@pytest.mark.parametrize("period, bounds", [
    ("2024-12", (dt.date(2024, 1, 1), dt.date(2024, 12, 31))),
    ("2025-02", (dt.date(2024, 3, 1), dt.date(2025, 2, 28))),
    ("2024-02", (dt.date(2023, 3, 1), dt.date(2024, 2, 29))),
])
def test_period_bounds(period, bounds):
    assert transform.period_bounds(period) == bounds


@pytest.mark.parametrize("period", ["2024-13", "2024-1", "24-12", "2024/12", "", None])
def test_period_bounds_rejects_bad_periods(period):
    with pytest.raises(ValueError, match="YYYY-MM"):
        transform.period_bounds(period)
