"""The planted truth of the demo region is what Arvo's verdicts find, over several seeds.

The issue's "done when": on the default-size demo region (50,000 residents, 24 months)
with the default seed and four others, through the real pipeline (ingest, dbt, the case-mix
models and the funnel rule of mart_provider_funnel):

- every planted outlier (truth `expected_flags`: the better and the worse provider in
  DEPRESSION, on the EQ-5D index and the PHQ-9 total) is an alarm in that direction;
- the provider with sicker clients and no effect of its own (`expected_unadjusted_flags`)
  is flagged worse unadjusted, and not flagged adjusted;
- the small provider's cells read "too few pairs";
- at most one alarm falls on a cell the truth says is null (every other provider x
  package x primary measure);
- the payments (definitions/payments.yml, mart_provider_payments): the worse provider
  loses its DEPRESSION outcome uplift with the outcome named as the reason, the better
  provider keeps it, the under-collecting provider's participation condition fails, and
  every provider x package's total is the sum of its lines (docs/payments.md).

The seed changes which providers play which role and the effect sizes (docs/demo.md).
Each seed takes about two minutes, so the five are marked `seeds` and run by
`make test-seeds`, which CI runs after `make test` (where tests/demo/test_funnel.py checks
the generator's planted truth on two seeds with the same model in seconds).
"""

from __future__ import annotations

import json

import duckdb
import pytest

from arvo.demo.generate import generate_region
from flows.steering import SteeringParams, steering

PERIOD = "2025-12"
SEEDS = (42, 1, 2, 3, 4)  # the default seed and four others


def _cells(rows: list[dict], keys: set[tuple[str, str, str]]) -> list[dict]:
    return [r for r in rows if (r["provider_id"], r["package_code"], r["measure"]) in keys]


@pytest.mark.slow
@pytest.mark.seeds
@pytest.mark.parametrize("seed", SEEDS)
def test_the_verdicts_find_the_planted_truth(seed, tmp_path, prefect_server, monkeypatch):
    monkeypatch.setenv("ARVO_PSEUDONYM_KEY", f"seed-{seed}")
    summary = generate_region(tmp_path / "demo", seed=seed)
    steering(SteeringParams(home=tmp_path, period=PERIOD, reports=False))
    truth = json.loads(summary.truth_path.read_text(encoding="utf-8"))
    with duckdb.connect(str(tmp_path / "warehouse" / "arvo.duckdb"), read_only=True) as con:
        rel = con.sql("select * from mart_provider_funnel where period = ? and is_primary",
                      params=[PERIOD])
        rows = [dict(zip(rel.columns, r, strict=True)) for r in rel.fetchall()]
        rel = con.sql("select * from mart_provider_payments where period = ?", params=[PERIOD])
        payments = [dict(zip(rel.columns, r, strict=True)) for r in rel.fetchall()]
    assert rows
    _payments_follow_the_truth(payments, truth, seed)

    expected = {(f["provider_id"], f["package_code"], f["measure"]): f["direction"]
                for f in truth["expected_flags"]}
    assert len(expected) >= 4  # the better and the worse provider on two measures
    found = _cells(rows, set(expected))
    assert len(found) == len(expected)
    for r in found:
        key = (r["provider_id"], r["package_code"], r["measure"])
        assert (r["flag"], r["direction"]) == ("alarm", expected[key]), (seed, key, r["z"])

    sicker = {(f["provider_id"], f["package_code"], f["measure"])
              for f in truth["expected_unadjusted_flags"]}
    assert sicker
    for r in _cells(rows, sicker):
        assert r["unadjusted_flag"] in ("alert", "alarm"), (seed, r["unadjusted_z"])
        assert r["unadjusted_direction"] == "worse"
        assert r["flag"] == "none", (seed, r["measure"], r["z"])

    small = {(c["provider_id"], c["package_code"], c["measure"]) for c in truth["too_few_pairs"]}
    assert all(r["flag"] == "too_few_pairs" and r["pairs"] < r["min_pairs"]
               for r in _cells(rows, small))

    null_alarms = [r for r in rows if (r["provider_id"], r["package_code"], r["measure"])
                   not in expected and r["flag"] == "alarm"]
    assert len(null_alarms) <= 1, [(r["provider_id"], r["measure"], r["z"]) for r in null_alarms]


def _payments_follow_the_truth(lines: list[dict], truth: dict, seed: int) -> None:
    """The planted roles' DEPRESSION outcome uplift, and every total adds up."""
    roles, package = truth["roles"], truth["drawn_effects"]["package_code"]
    assert lines, seed
    by_key: dict[tuple[str, str], list[dict]] = {}
    for line in lines:
        by_key.setdefault((line["provider_id"], line["package_code"]), []).append(line)
    for key, own in by_key.items():
        total = [r["amount_eur"] for r in own if r["line"] == "total"]
        assert total == [sum(r["amount_eur"] for r in own if r["line"] != "total")], key
        base = next(r for r in own if r["line"] == "base")
        assert base["amount_eur"] > 0

    def uplift(role: str) -> dict:
        own = by_key[(roles[role], package)]
        return next(r for r in own if r["line"] == "uplift")

    worse, better, under = uplift("worse"), uplift("better"), uplift("under_collecting")
    assert not worse["conditions_met"] and worse["amount_eur"] == 0, (seed, worse["reason"])
    assert "outcome" in worse["failed_conditions"].split(","), (seed, worse["reason"])
    assert "alarm worse" in worse["reason"], (seed, worse["reason"])
    assert better["conditions_met"] and better["amount_eur"] > 0, (seed, better["reason"])
    assert "participation" in under["failed_conditions"].split(","), (seed, under["reason"])
    assert under["amount_eur"] == 0
