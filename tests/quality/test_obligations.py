"""Great Expectations enforces the PROM obligations (arvo/quality/obligations.py) on the
compliance rows.

A hand-made warehouse holds the period's `mart_prom_compliance` rows and the windows of
`mart_prom_obligation_episodes`; the shipped definitions say which obligations exist.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from arvo import definitions, meter
from arvo.config import REPO_ROOT, Settings
from arvo.quality import obligations
from tests.conftest import obligation_results, settings_at

PERIOD = "2025-12"
PUB = "2358253-3"  # public: Pohjolan hyvinvointialue, perusterveydenhuolto
TYYNI = "1394810-8"  # private
MAJAKKA = "1157268-8"  # third sector

COMPLIANCE = ("period varchar, provider_id varchar, provider_name varchar, package_code varchar,"
              " instrument varchar, timepoint varchar, eligible_episodes bigint,"
              " collected bigint, rate double, min_rate double, meets_obligation boolean,"
              " rate_ci_upper double")
EPISODES = ("period varchar, provider_id varchar, episode_id varchar, package_code varchar,"
            " instrument varchar, timepoint varchar, status varchar")


def _wilson_upper(x: int, n: int, z: float = 1.959963984540054) -> float:
    p = x / n
    centre = p + z * z / (2 * n)
    half = z * (p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5
    return min(1.0, (centre + half) / (1 + z * z / n))


ROWS = [  # provider, package, instrument, timepoint, eligible, collected, min_rate
    (PUB, "DEPRESSION", "EQ5D5L", "baseline", 40, 38, 0.8),  # passes
    (PUB, "DEPRESSION", "EQ5D5L", "followup_6m", 10, 5, 0.6),  # below, within noise
    (TYYNI, "DEPRESSION", "EQ5D5L", "baseline", 30, 10, 0.8),  # fails
    (TYYNI, "DEPRESSION", "PHQ9", "followup_6m", 25, 2, 0.6),  # fails
    (MAJAKKA, "CASE_MANAGEMENT", "EQ5D5L", "baseline", 20, 15, 0.7),  # third sector: passes
]


def _settings(tmp_path: Path) -> Settings:
    return settings_at(tmp_path / "var")


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    s = _settings(tmp_path)
    s.warehouse.parent.mkdir(parents=True)
    with duckdb.connect(str(s.warehouse)) as con:
        con.execute(f"create table mart_prom_compliance ({COMPLIANCE})")
        con.execute(f"create table mart_prom_obligation_episodes ({EPISODES})")
        for pid, pkg, inst, tp, n, x, m in ROWS:
            con.execute("insert into mart_prom_compliance values (?,?,?,?,?,?,?,?,?,?,?,?)",
                        [PERIOD, pid, None, pkg, inst, tp, n, x, x / n, m,
                         _wilson_upper(x, n) >= m, _wilson_upper(x, n)])
            con.execute("insert into mart_prom_obligation_episodes values (?,?,?,?,?,?,?)",
                        [PERIOD, pid, "E1", pkg, inst, tp, "met"])
        # Majakka's follow-up windows are all still open: not applicable
        con.execute("insert into mart_prom_obligation_episodes values (?,?,?,?,?,?,?)",
                    [PERIOD, MAJAKKA, "E9", "CASE_MANAGEMENT", "EQ5D5L", "followup_6m",
                     "collectable"])
        # another period must not be checked
        con.execute("insert into mart_prom_compliance values (?,?,?,?,?,?,?,?,?,?,?,?)",
                    ["2025-06", PUB, None, "DEPRESSION", "PHQ9", "baseline", 50, 0, 0.0, 0.8,
                     False, 0.07])
    return s


def _results(s: Settings) -> dict[tuple[str, str], dict]:
    frame = obligation_results(s.warehouse, PERIOD)
    return {(r["provider_id"], r["rule"]): r for r in frame.to_dict("records")}


def test_one_expectation_per_measure_and_each_obligations_metadata():
    defs = definitions.load(REPO_ROOT / "definitions")
    obs = obligations.obligations_of(defs)
    template = obligations.load_template(REPO_ROOT / "expectations")
    suite = obligations.build_suite(template, obs)
    # the same check for every obligation of a measure: the suite does not grow with them
    assert len(obs) > 20
    assert [e["meta"]["measure"] for e in suite["expectations"]] == ["participation", "paired"]
    for e in suite["expectations"]:
        # the pass rule is the mart's (meets_obligation), not written again here
        assert e["type"] == "expect_column_values_to_be_in_set"
        assert (e["kwargs"]["column"], e["kwargs"]["value_set"]) == ("meets_obligation", [True])
        assert e["kwargs"]["row_condition"] == f'measure=="{e["meta"]["measure"]}"'
    assert obligations.build_suite(template, [ob for ob in obs if ob.measure == "paired"])[
        "expectations"][0]["meta"]["subcategory"] == "paired follow-up"
    meta_of = obligations.obligation_meta(template, obs)
    assert set(meta_of) == {ob.rule for ob in obs} and len(meta_of) == len(obs)
    assert "HEART_FAILURE/all/EQ5D5L/followup_30d" in meta_of
    meta = meta_of["CASE_MANAGEMENT/third/PHQ9/baseline"]
    assert (meta["category"], meta["subcategory"], meta["severity"], meta["threshold"]) == (
        "completeness", "baseline participation", "error", 0.7)
    assert "70 %" in meta["rationale"] and "Low-threshold" in meta["rationale"]
    paired = meta_of["DEPRESSION/all/EQ5D5L/followup_6m"]
    assert (paired["subcategory"], paired["threshold"]) == ("paired follow-up", 0.6)
    json.dumps(suite)  # the suite is plain JSON


def test_check_gives_each_status_and_stores_results(settings: Settings):
    summary = obligations.check(settings, PERIOD)
    assert summary.path == settings.warehouse
    res = _results(settings)
    assert res[(PUB, "DEPRESSION/all/EQ5D5L/baseline")]["status"] == "passed"
    # 5 of 10 is below 0.6 but within sampling noise (Wilson upper bound 0.76): passes
    within = res[(PUB, "DEPRESSION/all/EQ5D5L/followup_6m")]
    assert within["status"] == "passed" and within["rate"] == 0.5
    failed = res[(TYYNI, "DEPRESSION/all/EQ5D5L/baseline")]
    assert failed["status"] == "failed"
    assert "10 of 30" in failed["message"] and "80 %" in failed["message"]
    assert res[(TYYNI, "DEPRESSION/all/PHQ9/followup_6m")]["status"] == "failed"
    # the third-sector entry binds Majakka (threshold 0.7, not 0.8)
    third = res[(MAJAKKA, "CASE_MANAGEMENT/third/EQ5D5L/baseline")]
    assert (third["status"], third["threshold"], third["obligation_sector"]) == (
        "passed", 0.7, "third")
    na = res[(MAJAKKA, "CASE_MANAGEMENT/third/EQ5D5L/followup_6m")]
    assert na["status"] == "not_applicable" and na["eligible_episodes"] == 0
    assert (summary.passed, summary.failed, summary.not_applicable, summary.error) == (
        3, 2, 1, 0)
    for r in res.values():
        assert r["category"] == "completeness" and r["rationale"] and r["severity"] == "error"
        assert r["expectation"] == "expect_column_values_to_be_in_set"
        assert r["period"] == PERIOD
    # the mart's meets_obligation and the check agree
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        mart = con.execute("select provider_id, package_code, instrument, timepoint, "
                           "meets_obligation from mart_prom_compliance where period = ?",
                           [PERIOD]).fetchall()
    status = {(r["provider_id"], r["package_code"], r["instrument"], r["timepoint"]): r["status"]
              for r in res.values()}
    for pid, pkg, inst, tp, meets in mart:
        assert status[(pid, pkg, inst, tp)] == ("passed" if meets else "failed")


def test_rerun_replaces_the_period(settings: Settings):
    obligations.check(settings, PERIOD)
    obligations.check(settings, PERIOD)
    frame = obligation_results(settings.warehouse, PERIOD)
    assert len(frame) == 6 and not frame.duplicated(["provider_id", "rule"]).any()
    assert obligation_results(settings.warehouse, "2025-06").empty


def test_unevaluable_expectation_is_an_error(settings: Settings, tmp_path: Path):
    suites = tmp_path / "expectations" / "suites"
    suites.mkdir(parents=True)
    doc = obligations.load_template(REPO_ROOT / "expectations")
    for tpl in doc["templates"].values():
        tpl["kwargs"]["column"] = "no_such_column"
    (suites / "obligations.json").write_text(json.dumps(doc), encoding="utf-8")
    broken = settings.model_copy(update={"expectations_dir": tmp_path / "expectations"})
    summary = obligations.check(broken, PERIOD)
    assert summary.error == 6 and summary.passed == summary.failed == 0
    frame = obligation_results(settings.warehouse, PERIOD)
    assert set(frame["status"]) == {"error"} and frame["message"].str.len().gt(0).all()


def test_empty_warehouse_checks_nothing(tmp_path: Path):
    s = _settings(tmp_path)
    s.warehouse.parent.mkdir(parents=True)
    duckdb.connect(str(s.warehouse)).close()
    summary = obligations.check(s, PERIOD)
    assert (summary.passed, summary.failed, summary.not_applicable, summary.error) == (0,) * 4
    assert isinstance(obligation_results(s.warehouse, PERIOD), pd.DataFrame)


# --------------------------------------------------------------------------- segment obligations

SCOPED = ("period varchar, provider_id varchar, provider_name varchar, package_code varchar,"
          " instrument varchar, timepoint varchar, eligible_episodes bigint,"
          " collected bigint, rate double, min_rate double, meets_obligation boolean,"
          " rate_ci_upper double, scope varchar, scope_code varchar")
SCOPED_EPISODES = ("period varchar, provider_id varchar, episode_id varchar,"
                   " package_code varchar, instrument varchar, timepoint varchar,"
                   " status varchar, scope varchar, scope_code varchar")


def test_segment_obligations_are_in_the_suite():
    defs = definitions.load(REPO_ROOT / "definitions")
    obs = obligations.obligations_of(defs)
    meta_of = obligations.obligation_meta(
        obligations.load_template(REPO_ROOT / "expectations"), obs)
    meta = meta_of["segment:HNHC/all/EQ5D5L/baseline"]
    assert (meta["scope"], meta["scope_code"], meta["package_code"], meta["threshold"],
            meta["measure"]) == ("segment", "HNHC", None, 0.8, "participation")
    assert "HNHC" in meta["rationale"]
    assert meta_of["segment:HNHC/all/EQ5D5L/followup_6m"]["subcategory"] == (
        "paired follow-up")
    # a package obligation's rule is as it was
    assert meta_of["DEPRESSION/all/EQ5D5L/baseline"]["scope"] == "package"


def test_segment_obligation_checked_per_provider(tmp_path: Path):
    s = _settings(tmp_path)
    s.warehouse.parent.mkdir(parents=True)
    rows = [  # provider, package, scope, scope_code, instrument, timepoint, n, x, min_rate
        (PUB, "DEPRESSION", "package", "DEPRESSION", "EQ5D5L", "baseline", 40, 38, 0.8),
        (PUB, None, "segment", "HNHC", "EQ5D5L", "baseline", 30, 27, 0.8),
        (TYYNI, None, "segment", "HNHC", "EQ5D5L", "baseline", 20, 6, 0.8),
        (TYYNI, None, "segment", "HNHC", "EQ5D5L", "followup_6m", 12, 3, 0.6),
    ]
    with duckdb.connect(str(s.warehouse)) as con:
        con.execute(f"create table mart_prom_compliance ({SCOPED})")
        con.execute(f"create table mart_prom_obligation_episodes ({SCOPED_EPISODES})")
        for pid, pkg, scope, code, inst, tp, n, x, m in rows:
            con.execute("insert into mart_prom_compliance values "
                        "(?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                        [PERIOD, pid, None, pkg, inst, tp, n, x, x / n, m,
                         _wilson_upper(x, n) >= m, _wilson_upper(x, n), scope, code])
        # the episodes mart names the episode's own package; PUB's HNHC follow-ups are
        # all still open, and so is a depression episode's HNHC baseline at Majakka
        for pid, episode, pkg, tp in ((PUB, "E1", "HOME_CARE", "followup_6m"),
                                      (MAJAKKA, "E2", "DEPRESSION", "baseline")):
            con.execute("insert into mart_prom_obligation_episodes values (?,?,?,?,?,?,?,?,?)",
                        [PERIOD, pid, episode, pkg, "EQ5D5L", tp, "collectable", "segment",
                         "HNHC"])
    summary = obligations.check(s, PERIOD)
    res = _results(s)
    assert set(res) == {
        (PUB, "DEPRESSION/all/EQ5D5L/baseline"), (PUB, "segment:HNHC/all/EQ5D5L/baseline"),
        (TYYNI, "segment:HNHC/all/EQ5D5L/baseline"),
        (TYYNI, "segment:HNHC/all/EQ5D5L/followup_6m"),
        (PUB, "segment:HNHC/all/EQ5D5L/followup_6m"),
        (MAJAKKA, "segment:HNHC/third/EQ5D5L/baseline")}
    failed = res[(TYYNI, "segment:HNHC/all/EQ5D5L/baseline")]
    assert (failed["status"], failed["scope"], failed["scope_code"]) == (
        "failed", "segment", "HNHC")
    assert pd.isna(failed["package_code"])  # a segment obligation has no package
    assert "6 of 20" in failed["message"] and failed["obligation_sector"] == "all"
    assert res[(TYYNI, "segment:HNHC/all/EQ5D5L/followup_6m")]["status"] == "failed"
    assert res[(PUB, "segment:HNHC/all/EQ5D5L/baseline")]["status"] == "passed"
    na = res[(PUB, "segment:HNHC/all/EQ5D5L/followup_6m")]
    assert (na["status"], na["eligible_episodes"]) == ("not_applicable", 0)
    assert pd.isna(na["package_code"])  # not the episode's package (HOME_CARE)
    # Majakka is third sector: the segment's third-sector entry binds it
    majakka = res[(MAJAKKA, "segment:HNHC/third/EQ5D5L/baseline")]
    assert (majakka["status"], majakka["obligation_sector"], majakka["threshold"]) == (
        "not_applicable", "third", 0.7)
    package = res[(PUB, "DEPRESSION/all/EQ5D5L/baseline")]
    assert (package["scope"], package["scope_code"], package["package_code"]) == (
        "package", "DEPRESSION", "DEPRESSION")
    assert (summary.passed, summary.failed, summary.not_applicable, summary.error) == (
        2, 2, 2, 0)


def test_a_run_with_workers_checks_in_a_worker_with_the_same_results(settings: Settings):
    """`check_in_run`: in a forked worker when the run has them, else here; the same rows."""
    in_process = settings.model_copy(update={"ingest_processes": 1})
    obligations.check_in_run(in_process, PERIOD)
    here = obligation_results(settings.warehouse, PERIOD).drop(columns="checked_at")
    meter._take_worker_peaks()
    with_workers = settings.model_copy(update={"ingest_processes": 2})
    summary = obligations.check_in_run(with_workers, PERIOD)
    assert (summary.passed, summary.failed, summary.not_applicable) == (3, 2, 1)
    assert meter._WORKER_PEAKS and os.getpid() not in meter._WORKER_PEAKS  # another process
    there = obligation_results(settings.warehouse, PERIOD).drop(columns="checked_at")
    key = ["provider_id", "rule"]
    pd.testing.assert_frame_equal(here.sort_values(key).reset_index(drop=True),
                                  there.sort_values(key).reset_index(drop=True))
