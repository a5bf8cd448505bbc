"""Adjusted outcomes: a provider with sicker clients and no effect of its own is not
worse once case mix is adjusted for; one with a real effect still is (planted truth
over several seeds)."""

import numpy as np
import pandas as pd
import pytest

from arvo.verdicts import casemix, funnel, outcomes

MEASURES = pd.DataFrame({"instrument": ["EQ5D5L"], "measure": ["eq5d_index"],
                         "higher_is_better": [True]})


def _region(seed: int) -> pd.DataFrame:
    """12 providers; S has sicker clients (no effect), W a real negative effect."""
    rng = np.random.default_rng(seed)
    rows = []
    for provider in [*"ABCDEFGHIJ", "S", "W"]:
        n = 120
        conditions = rng.poisson(3.0 if provider == "S" else 1.0, n)
        health = rng.choice([1, 2, 3, 4, 5], n, p=[.05, .1, .2, .3, .35] if provider == "S"
                            else [.3, .3, .2, .1, .1])
        base = np.clip(0.85 - 0.05 * conditions - 0.04 * health + rng.normal(0, 0.1, n), -0.2, 1)
        effect = {"W": -0.06}.get(provider, 0.0) + rng.normal(0, 0.005)
        follow = (0.25 + 0.6 * base - 0.02 * conditions - 0.02 * health + effect
                  + rng.normal(0, 0.08, n))
        rows.append(pd.DataFrame({
            "provider_id": provider, "episode_id": [f"{provider}{k}" for k in range(n)],
            "cycle": 0, "package_code": "P", "instrument": "EQ5D5L", "measure": "eq5d_index",
            "baseline_score": base, "followup_score": follow,
            "chronic_conditions": conditions, "general_health": health.astype(float)}))
    return pd.concat(rows, ignore_index=True)


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_sicker_clients_are_not_a_worse_provider(seed):
    pairs = casemix.fit_all(_region(seed), {"P": ["chronic_conditions", "general_health"]}, [])
    judged = outcomes.judge_providers(pairs, funnel.Rules(), MEASURES).set_index("provider_id")
    assert judged.loc["S", "unadjusted_flag"] in ("alert", "alarm")
    assert judged.loc["S", "unadjusted_direction"] == "worse"
    assert judged.loc["S", "flag"] == "none"
    assert judged.loc["W", "flag"] == "alarm" and judged.loc["W", "direction"] == "worse"
    nulls = judged.drop(index=["S", "W"])
    assert (nulls["flag"] == "alarm").sum() <= 1


def test_adjusted_is_population_mean_plus_observed_minus_expected():
    pairs = casemix.fit_all(_region(9), {"P": ["chronic_conditions"]}, [])
    judged = outcomes.judge_providers(pairs, funnel.Rules(), MEASURES)
    row = judged.iloc[0]
    assert row["adjusted"] == pytest.approx(row["population_mean"] + row["observed"]
                                            - row["expected"])
    assert row["adjusted_gain"] == pytest.approx(row["adjusted"]
                                                 - row["population_baseline_mean"])
    assert row["population_mean"] == pytest.approx(pairs["followup_score"].mean())
    assert row["se"] == pytest.approx(row["residual_sd"] / np.sqrt(row["pairs"]))


def test_the_pair_columns_are_all_judging_reads():
    """The dbt model reads only PAIR_COLUMNS of int_case_mix_predicted: same verdicts."""
    pairs = casemix.fit_all(_region(4), {"P": ["chronic_conditions", "general_health"]}, [])
    assert set(outcomes.PAIR_COLUMNS) < set(pairs.columns)
    pd.testing.assert_frame_equal(
        outcomes.judge_providers(pairs[outcomes.PAIR_COLUMNS], funnel.Rules(), MEASURES),
        outcomes.judge_providers(pairs, funnel.Rules(), MEASURES))
