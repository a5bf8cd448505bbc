"""The case-mix model: what it fits, which factors it keeps and why."""

import numpy as np
import pandas as pd
import pytest

from arvo.verdicts import casemix


def _pairs(rng: np.random.Generator, n: int) -> pd.DataFrame:
    base = rng.uniform(0.2, 0.9, n)
    sex = rng.choice(["1", "2"], n)
    conditions = rng.integers(0, 4, n)
    follow = 0.3 + 0.6 * base - 0.04 * conditions + 0.02 * (sex == "2") + rng.normal(0, 0.05, n)
    return pd.DataFrame({"baseline_score": base, "followup_score": follow, "sex": sex,
                         "chronic_conditions": conditions, "general_health": np.nan,
                         "age_band": "65-74"})


def test_fit_explains_the_follow_up_by_baseline_and_factors():
    frame = _pairs(np.random.default_rng(1), 2000)
    fit = casemix.fit(frame, ["sex", "chronic_conditions"])
    assert fit.factors_used == ["sex", "chronic_conditions"]
    assert fit.parameters == 5  # intercept, baseline, baseline^2, sex, conditions
    assert fit.r_squared == pytest.approx(1 - 0.05 ** 2 / frame["followup_score"].var(), abs=0.02)
    assert fit.residual_sd == pytest.approx(0.05, abs=0.003)
    resid = frame["followup_score"] - fit.expected
    assert abs(resid.mean()) < 1e-9  # OLS with an intercept: residuals sum to zero


def test_a_factor_with_one_value_is_dropped_and_recorded():
    fit = casemix.fit(_pairs(np.random.default_rng(2), 500), ["age_band", "general_health", "sex"])
    assert fit.factors_used == ["sex"]
    assert fit.factors_dropped == {"age_band": "one value only",
                                   "general_health": "one value only"}


def test_a_missing_answer_is_a_level_of_its_own():
    frame = _pairs(np.random.default_rng(3), 600)
    frame["general_health"] = np.where(np.arange(600) % 3 == 0, np.nan, 2.0)
    fit = casemix.fit(frame, ["general_health"])
    assert fit.factors_used == ["general_health"]
    assert fit.parameters == 4  # one indicator: missing against 2


def test_factors_are_dropped_from_the_end_while_pairs_are_too_few():
    frame = _pairs(np.random.default_rng(4), 45)  # 45 pairs: at most 4 parameters
    fit = casemix.fit(frame, ["sex", "chronic_conditions"])
    assert fit.factors_used == ["sex"]
    assert fit.factors_dropped == {
        "chronic_conditions": f"fewer than {casemix.PAIRS_PER_PARAMETER} pairs per parameter"}


def test_too_few_pairs_for_any_model_expects_the_mean():
    frame = _pairs(np.random.default_rng(5), 12)
    fit = casemix.fit(frame, ["sex"])
    assert fit.r_squared is None and fit.residual_sd is None
    assert np.allclose(fit.expected, frame["followup_score"].mean())


def test_an_unknown_factor_is_refused():
    with pytest.raises(ValueError, match="unknown case-mix factor"):
        casemix.fit(_pairs(np.random.default_rng(6), 50), ["shoe_size"])


def test_fit_all_does_not_depend_on_row_order():
    frame = _pairs(np.random.default_rng(7), 300).assign(
        package_code="P", instrument="EQ5D5L", measure="eq5d_index",
        provider_id=np.repeat(["A", "B", "C"], 100), episode_id=[f"E{i}" for i in range(300)],
        cycle=0)
    a = casemix.fit_all(frame, {"P": ["sex"]}, default=[])
    b = casemix.fit_all(frame.sample(frac=1, random_state=1), {"P": ["sex"]}, default=[])
    assert a["expected"].tolist() == b["expected"].tolist()
    assert a["factors_used"].unique().tolist() == ["sex"]
