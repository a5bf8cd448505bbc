"""Planted roles: the seed picks the providers and draws the effects within the stated
ranges; the truth lists the funnel flags a correct method raises; episodes carry case mix."""

from __future__ import annotations

import numpy as np
import pandas as pd

from arvo import definitions
from arvo.contract import CASE_MIX_CODES
from arvo.demo import planted as pl
from arvo.demo.casemix import DURATION_PACKAGES, SENT_FIELDS, choose_pulled
from arvo.demo.generate import DEFAULT_DEFINITIONS
from arvo.demo.providers import ROLES, plan_providers


def _plan(seed: int):
    return plan_providers(np.random.default_rng(seed), definitions.load(DEFAULT_DEFINITIONS))


def test_the_seed_picks_the_roles_and_draws_the_effects_in_range():
    casts = set()
    for seed in range(8):
        plan = _plan(seed)
        planted = plan.planted
        roles = planted.roles
        assert list(roles) == list(pl.ROLE_NAMES) and len(set(roles.values())) == len(roles)
        pkg = planted.package
        assert all(plan.package_weights[pkg][i] > 0 for i in roles.values())
        assert set(ROLES[plan.roles[roles["small"]]].packages) == {pkg}
        assert set(ROLES[plan.roles[roles["under_collecting"]]].packages) == {pkg}
        eq, phq = plan.eq_effect[pkg], plan.phq_effect[pkg]
        assert pl.BETTER_EQ[0] <= eq[roles["better"]] <= pl.BETTER_EQ[1]
        assert pl.BETTER_PHQ[0] <= phq[roles["better"]] <= pl.BETTER_PHQ[1]
        assert pl.WORSE_EQ[0] <= eq[roles["worse"]] <= pl.WORSE_EQ[1]
        assert pl.WORSE_PHQ[0] <= phq[roles["worse"]] <= pl.WORSE_PHQ[1]
        assert eq[roles["sicker_clients"]] == 0 and phq[roles["sicker_clients"]] == 0
        others = [i for i in range(len(eq)) if i not in (roles["better"], roles["worse"])]
        for package in plan.eq_effect:  # every other cell: the modest spread only
            assert np.abs(plan.eq_effect[package][others]).max() < 5 * pl.PROVIDER_SPREAD[0]
            assert np.abs(plan.phq_effect[package][others]).max() < 5 * pl.PROVIDER_SPREAD[1]
        assert plan.baseline_p[roles["under_collecting"]] == pl.UNDER_COLLECTION[0]
        casts.add(tuple(roles.values()))
    assert len(casts) >= 6  # a method tuned to one cast meets another


def test_truth_lists_the_flags_a_correct_funnel_raises(region):
    _, _, truth = region
    roles = truth["roles"]
    assert set(roles) == set(pl.ROLE_NAMES)
    flags = {(f["provider_id"], f["package_code"], f["instrument"], f["measure"],
              f["direction"], f["level"]) for f in truth["expected_flags"]}
    assert flags == {(roles[r], "DEPRESSION", inst, m, r, "alarm") for r in ("better", "worse")
                     for inst, m in pl.PRIMARY_MEASURES.items()}
    unadjusted = {(f["provider_id"], f["measure"], f["direction"])
                  for f in truth["expected_unadjusted_flags"]}
    assert unadjusted == {(roles["sicker_clients"], m, "worse")
                          for m in pl.PRIMARY_MEASURES.values()}
    few = truth["too_few_pairs"]
    assert few and {f["provider_id"] for f in few} == {roles["small"]}
    # the rule the funnel plots apply: the definitions' verdicts, not a number of its own
    assert truth["min_pairs"] == definitions.load(DEFAULT_DEFINITIONS).verdicts.min_pairs
    assert "null" in truth["null"]
    drawn = truth["drawn_effects"]
    assert pl.BETTER_PHQ[0] <= drawn["better"]["phq9"] <= pl.BETTER_PHQ[1]
    assert truth["effect_ranges"]["worse"]["eq5d"] == list(pl.WORSE_EQ)
    kinds = {f["kind"]: f["provider_id"] for f in truth["findings"]}
    assert kinds["sicker_clients"] == roles["sicker_clients"]
    assert kinds["prom_under_collection"] == roles["under_collecting"]


def test_episodes_carry_case_mix_with_some_left_empty(region):
    _, frames, _ = region
    ep = frames["episodes"]
    for field in SENT_FIELDS:
        values = ep[field].dropna()
        assert set(values.astype(int)) <= set(CASE_MIX_CODES[field]), field
        assert 0 < ep[field].isna().mean() < 0.5, field
    duration = ep["package_code"].isin(DURATION_PACKAGES)
    assert (~duration).any() and ep.loc[~duration, "symptom_duration"].isna().all()
    assert ep.loc[duration, "symptom_duration"].notna().mean() > 0.9
    # the same episode sent twice carries the same case mix
    twice = ep.groupby(["provider_id", "episode_id"])[list(SENT_FIELDS)].nunique(dropna=False)
    assert (twice <= 1).all().all()


def test_the_sicker_clients_provider_takes_clients_recorded_sicker(region):
    _, frames, truth = region
    ep = frames["episodes"].drop_duplicates(["provider_id", "episode_id"])
    dep = ep[ep["package_code"] == "DEPRESSION"]
    own = dep["provider_id"] == truth["roles"]["sicker_clients"]
    health = dep["general_health"].astype(float)
    assert own.sum() >= 5
    assert health[own].mean() - health[~own].mean() > 0.7
    alone = dep["living_arrangement"] == 2
    assert alone[own].mean() > alone[~own].mean()


def test_the_pull_keeps_the_providers_share():
    rng = np.random.default_rng(1)
    score = pd.Series(rng.normal(0, 1.2, 40_000)).to_numpy()
    weights = np.array([0.2, 0.2, 0.2, 0.2, 0.2])
    prov = choose_pulled(rng, weights, 2, 2.4, score)
    assert abs((prov == 2).mean() - 0.2) < 0.01
    assert score[prov == 2].mean() > score[prov != 2].mean() + 1


def test_the_planted_trend_rises_from_nothing_to_its_full_fall():
    day0 = np.datetime64("2024-01-01")
    days = np.array([(np.datetime64(m + "-01") - day0).astype(int)
                     for m in ("2024-01", pl.TREND_FROM, pl.TREND_FULL, "2025-06")])
    fall = pl.trend_fall(pl.TREND_PACKAGE, days, day0)
    assert fall[0] == fall[1] == 0.0
    assert fall[2] == fall[3] == pl.TREND_PHQ_FALL
    assert not pl.trend_fall("HIP_KNEE", days, day0).any()


def test_the_truth_records_the_trend_and_where_there_is_none(region):
    _, _, truth = region
    (trend,) = truth["trends"]
    assert trend["kind"] == "outcome_trend" and trend["direction"] == "improving"
    cells = {(c["package_code"], c["instrument"]) for c in trend["no_trend"]}
    assert (trend["package_code"], trend["instrument"]) not in cells
    assert ("DEPRESSION", "EQ5D5L") in cells
