"""The funnel rule: limits, overdispersion, flags and the minimum number of pairs."""

import numpy as np
import pytest
from scipy import stats

from arvo.verdicts import funnel

RULES = funnel.Rules(min_pairs=30, overdispersion="additive", winsorise=0.10)


def test_without_overdispersion_the_limits_are_the_normal_ones():
    se = np.array([0.02, 0.01, 0.01, 0.015])
    y = np.array([0.80, 0.81, 0.79, 0.80])
    j = funnel.judge(y, se, np.array([50, 200, 200, 90]), 0.80, True, RULES)
    assert j.method == "none" and not j.overdispersed
    assert j.lower95 == pytest.approx(0.80 - 1.959964 * se, abs=1e-6)
    assert j.upper998 == pytest.approx(0.80 + 3.090232 * se, abs=1e-6)
    assert list(j.level) == ["none"] * 4
    assert list(j.direction) == ["as_expected"] * 4


def test_alarm_and_alert_by_direction():
    se = np.full(5, 0.01)
    y = np.array([0.80, 0.835, 0.78, 0.80, 0.80])  # z = 0, +3.5, -2, 0, 0
    j = funnel.judge(y, se, np.full(5, 100), 0.80, True, funnel.Rules(overdispersion="none"))
    assert list(j.level) == ["none", "alarm", "alert", "none", "none"]
    assert list(j.direction) == ["as_expected", "better", "worse", "as_expected", "as_expected"]
    lower_better = funnel.judge(y, se, np.full(5, 100), 0.80, False,
                                funnel.Rules(overdispersion="none"))
    assert list(lower_better.direction)[1:3] == ["worse", "better"]


def test_a_provider_under_min_pairs_is_never_flagged():
    j = funnel.judge(np.array([0.5, 0.8, 0.8]), np.array([0.01, 0.01, 0.01]),
                     np.array([29, 100, 100]), 0.8, True, RULES)
    assert j.level[0] == "too_few_pairs" and j.direction[0] is None


def test_overdispersion_is_winsorised_and_added_as_a_random_effect():
    rng = np.random.default_rng(11)
    n = np.full(20, 100.0)
    se = 0.1 / np.sqrt(n)
    y = 0.5 + rng.normal(0, 0.03, 20)  # between-provider SD 0.03 >> se 0.01
    y[0] = 0.5 + 0.2  # one clear outlier
    j = funnel.judge(y, se, n, 0.5, True, RULES)
    z = (y - 0.5) / se
    lo, hi = np.quantile(z, [0.1, 0.9])
    phi = np.mean(np.clip(z, lo, hi) ** 2)
    assert j.phi == pytest.approx(phi)
    assert j.overdispersed and j.method == "additive"
    w = 1 / se ** 2
    tau2 = (20 * phi - 19) / (w.sum() - (w ** 2).sum() / w.sum())
    assert j.tau2 == pytest.approx(tau2)
    assert j.upper95 == pytest.approx(0.5 + 1.959964 * np.sqrt(se ** 2 + tau2), abs=1e-6)
    assert j.level[0] == "alarm"  # the outlier stays an alarm
    assert (j.level[1:] != "alarm").all()  # the in-control spread is absorbed


def test_multiplicative_widens_by_the_root_of_phi():
    rng = np.random.default_rng(12)
    se = np.full(15, 0.01)
    y = 0.5 + rng.normal(0, 0.03, 15)
    j = funnel.judge(y, se, np.full(15, 100), 0.5, True,
                     funnel.Rules(overdispersion="multiplicative"))
    assert j.method == "multiplicative"
    assert j.inflation == pytest.approx(np.full(15, np.sqrt(j.phi)))


def test_no_overdispersion_when_the_test_says_so():
    rng = np.random.default_rng(13)
    se = np.full(12, 0.01)
    # chance variation only: I * phi below the chi-square(I - 1) 95 % point
    for _ in range(20):
        y = 0.5 + rng.normal(0, 0.01, 12)
        j = funnel.judge(y, se, np.full(12, 100), 0.5, True, RULES)
        if 12 * j.phi <= stats.chi2.ppf(0.95, 11):
            assert j.method == "none" and j.tau2 == 0.0
            return
    pytest.fail("no draw without overdispersion")


def test_fewer_than_three_eligible_providers_estimate_no_overdispersion():
    j = funnel.judge(np.array([0.5, 0.9]), np.array([0.01, 0.01]), np.array([100, 100]),
                     0.7, True, RULES)
    assert j.phi is None and j.method == "none"


def test_the_quantiles_are_scipy_stats_own():
    """funnel's normal and chi-square points are exactly scipy.stats' (not approximations)."""
    assert funnel.Z95 == stats.norm.ppf(0.975) and funnel.Z998 == stats.norm.ppf(0.999)
    for df in (1, 2, 3, 7, 30, 283, 1000):
        assert funnel.chi2_ppf(0.95, df) == stats.chi2.ppf(0.95, df)
    assert np.isnan(funnel.chi2_ppf(0.95, 0)) and np.isnan(stats.chi2.ppf(0.95, 0))


def test_judging_does_not_import_scipy_stats():
    """The dbt build's funnel model and the reports' charts do without scipy.stats' import."""
    import subprocess
    import sys
    code = ("import sys, arvo.verdicts.outcomes, arvo.report.charts;"
            "sys.exit('scipy.stats' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
