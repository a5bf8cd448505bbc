"""The planted under-collecting provider fails its PROM obligations; compliant providers pass.

End to end on a synthetic region large enough for the obligations to be judged (10,000
residents, 24 months, the steering period 2025-12), through the real Prefect flows and one
temporary Prefect server for the session (tests/conftest.py). The pass rule is the
Best Practice Tariff's: a rate fails only when it is below the threshold beyond sampling
noise (the Wilson 95 % upper bound is below it; docs/marts.md).
"""

from __future__ import annotations

import json

import duckdb
import pytest

from flows.cycle import DemoParams, generate_demo_region
from flows.steering import SteeringParams, steering
from tests.conftest import obligation_results

PERIOD = "2025-12"
RESIDENTS = 10_000


@pytest.fixture(scope="module")
def region(tmp_path_factory, prefect_server):
    home = tmp_path_factory.mktemp("arvo-obligations")
    mp = pytest.MonkeyPatch()
    mp.setenv("ARVO_PSEUDONYM_KEY", "module-key")
    generate_demo_region(DemoParams(home=home, residents=RESIDENTS, months=24))
    result = steering(SteeringParams(home=home, period=PERIOD))
    truth = json.loads((home / "demo" / "planted_truth.json").read_text())
    with duckdb.connect(str(home / "warehouse" / "arvo.duckdb"), read_only=True) as con:
        rows = con.execute("select * from mart_prom_compliance where period = ?",
                           [PERIOD]).df()
    yield home, result, truth, rows
    mp.undo()


def _under_collecting(truth: dict) -> str:
    return next(f["provider_id"] for f in truth["findings"]
                if f["kind"] == "prom_under_collection")


def test_under_collecting_provider_fails_every_obligation_it_can_be_judged_on(region):
    _, _, truth, rows = region
    tyyni = _under_collecting(truth)
    judged = rows[(rows.provider_id == tyyni) & (rows.eligible_episodes >= 10)]
    assert len(judged) >= 2, "the region must be large enough to judge the provider"
    assert set(judged.timepoint) >= {"followup_6m"}
    assert not judged.meets_obligation.any(), judged[["instrument", "timepoint", "rate"]]
    assert (judged.rate_ci_upper < judged.min_rate).all()


def test_compliant_providers_pass_every_obligation_with_enough_episodes(region):
    _, _, truth, rows = region
    tyyni = _under_collecting(truth)
    # 14 providers share DEPRESSION (the funnel plots of issue 9 need them), so each has
    # fewer episodes than the 20 this once asked for
    judged = rows[(rows.provider_id != tyyni) & (rows.eligible_episodes >= 12)]
    assert len(judged) >= 10 and judged.provider_id.nunique() >= 4
    failing = judged[~judged.meets_obligation]
    assert failing.empty, failing[["provider_name", "package_code", "instrument", "timepoint",
                                   "eligible_episodes", "collected", "rate"]]


def test_great_expectations_agrees_and_names_the_failures(region):
    home, result, truth, rows = region
    checked = obligation_results(home / "warehouse" / "arvo.duckdb", PERIOD)
    failed = checked[checked.status == "failed"]
    assert result.obligations["failed"] == len(failed) > 0
    assert result.obligations["error"] == 0
    assert set(failed.provider_id) == set(rows[~rows.meets_obligation].provider_id)
    tyyni = _under_collecting(truth)
    assert tyyni in set(failed.provider_id)
    assert failed.message.str.contains("significantly below").all()
    html = (home / "reports" / PERIOD / "providers" / tyyni / "feedback.html").read_text()
    assert "Velvoite ei täyty" in html and "Vertailuryhmän mediaani" in html


def test_segment_obligation_binds_episodes_of_every_package(region):
    """definitions/obligations.yml's HNHC segment obligation: EQ-5D-5L in every episode of
    the segment's clients, whatever the package; the under-collecting provider collects
    least, the compliant providers meet it."""
    home, _, truth, rows = region
    tyyni = _under_collecting(truth)
    seg = rows[rows.scope == "segment"]
    # definitions version v2 (in force from 2025-01) extends it to FRAIL_ELDERLY
    assert set(seg.scope_code) == {"HNHC", "FRAIL_ELDERLY"} and seg.package_code.isna().all()
    seg = seg[seg.scope_code == "HNHC"]
    assert seg.provider_id.nunique() >= 8
    with duckdb.connect(str(home / "warehouse" / "arvo.duckdb"), read_only=True) as con:
        packages = con.execute(
            "select distinct package_code from mart_prom_obligation_episodes "
            "where period = ? and scope = 'segment' and is_eligible", [PERIOD]).fetchall()
    assert len(packages) >= 4  # episodes of several packages are bound
    baseline = seg[seg.timepoint == "baseline"].set_index("provider_id")
    assert baseline.rate[tyyni] < baseline.drop(tyyni).rate.min()
    judged = seg[(seg.provider_id != tyyni) & (seg.eligible_episodes >= 5)]
    assert len(judged) >= 5 and judged.meets_obligation.all(), judged[
        ["provider_name", "timepoint", "eligible_episodes", "collected", "rate"]]
