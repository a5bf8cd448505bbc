"""The change intervals of the follow-up (arvo/follow_up/trends.py) against published
figures."""

from __future__ import annotations

import pytest

from arvo.follow_up.trends import mean_change, mean_se, pooled_mean, rate_change


def test_newcombe_hybrid_score_interval_matches_the_paper():
    # Newcombe 1998 (Stat Med 17:873), example (a): 56/70 - 48/80 = 0.1750 ... method 10
    # (the hybrid score interval from two Wilson intervals): 0.0524 to 0.3339.
    t = rate_change(48, 80, 56, 70)
    assert t["change"] == pytest.approx(56 / 70 - 48 / 80)
    assert t["lower"] == pytest.approx(0.0524, abs=5e-5)
    assert t["upper"] == pytest.approx(0.3339, abs=5e-5)
    assert t["direction"] == "improving"


def test_a_share_is_improving_only_in_the_better_direction_and_beyond_zero():
    assert rate_change(56, 70, 48, 80)["direction"] == "worsening"
    assert rate_change(56, 70, 48, 80, higher_is_better=False)["direction"] == "improving"
    assert rate_change(30, 60, 33, 60)["direction"] == "no_change"
    assert rate_change(None, None, 3, 10)["direction"] == "not_measurable"


def test_difference_of_independent_means():
    # se 0.1 and 0.2: SE of the difference sqrt(0.05) = 0.2236; 1.96 x 0.2236 = 0.4383
    t = mean_change(1.0, 0.1, 1.5, 0.2)
    assert t["change"] == pytest.approx(0.5)
    assert t["lower"] == pytest.approx(0.5 - 0.43826, abs=1e-4)
    assert t["direction"] == "improving"
    assert mean_change(1.0, 0.1, 0.2, 0.2, higher_is_better=False)["direction"] == "improving"
    assert mean_se(0.804, 1.196) == pytest.approx(0.1, abs=1e-3)


def test_pooled_mean_is_the_mean_and_sd_of_all_pairs():
    a, b = [1.0, 2.0, 3.0], [5.0, 7.0]
    import statistics

    p = pooled_mean([(3, statistics.mean(a), statistics.stdev(a)),
                     (2, statistics.mean(b), statistics.stdev(b))])
    assert p["n"] == 5
    assert p["mean"] == pytest.approx(statistics.mean(a + b))
    assert p["sd"] == pytest.approx(statistics.stdev(a + b))
    assert pooled_mean([]) is None
