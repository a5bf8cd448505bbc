"""Arvo's case-mix adjusted results on the NHS PROMs 2016-17 pack against NHS's published
ones (the pack's run is shared with test_provcomm: `nhs_run`, tests/nhs/conftest.py).

Targets (docs/nhs-proms.md, "Case-mix adjusted results against NHS's"): per primary
joint x measure, Arvo's adjusted health gain correlates with NHS's at r >= 0.90 (>= 0.93
on average); on NHS's funnel (England's mean and SD, no overdispersion) every provider
NHS's figures place beyond |z| 4 is an Arvo alarm on the same side, and at most one
NHS places within |z| 1.96 is.
"""

from __future__ import annotations

import pytest

from arvo.nhs import adjusted
from arvo.nhs.submission import CASE_MIX_FACTORS, IMPORT_PERIOD
from tests.nhs.conftest import PACK


@pytest.fixture(scope="module")
def comparison(nhs_run):
    _, _, warehouse = nhs_run
    return adjusted.compare(PACK, warehouse, IMPORT_PERIOD)


def test_six_joint_measures_are_compared_on_most_providers(comparison):
    summary = comparison.summary
    assert len(summary) == 6
    assert (summary["providers"] > 150).all()
    # the models use the register's factors: NHS's published case-mix variables
    assert (summary["model_pairs"] > 30_000).all()


def test_adjusted_health_gain_correlates_with_nhs(comparison):
    r = comparison.summary.set_index(["procedure", "measure"])["r"]
    assert (r >= adjusted.MIN_R).all(), r
    assert r.mean() >= adjusted.MIN_MEAN_R, r


def test_every_nhs_outlier_is_an_arvo_alarm_on_the_same_side(comparison):
    summary = comparison.summary
    assert summary["far"].sum() >= 10  # the check has outliers to find (19 in 2016-17)
    assert (summary["far_alarms"] == summary["far"]).all(), summary


def test_at_most_one_nhs_inlier_per_joint_measure_is_an_arvo_alarm(comparison):
    summary = comparison.summary
    assert summary["inside"].sum() > 1000  # of some 1,400 providers x measures compared
    assert (summary["inside_alarms"] <= adjusted.MAX_INSIDE_ALARMS).all(), summary
    assert comparison.missed() == []


def test_the_register_declares_nhs_case_mix_variables(nhs_run):
    import duckdb

    _, _, warehouse = nhs_run
    with duckdb.connect(str(warehouse), read_only=True) as con:
        used = con.execute("select distinct factors_used from mart_case_mix_models "
                           "where package_code in ('HIP_PRIMARY', 'KNEE_PRIMARY')").fetchall()
    assert [u for (u,) in used] == [", ".join(CASE_MIX_FACTORS)]


def test_both_sides_are_judged_under_nhs_limits_without_overdispersion():
    """No pack needed: NHS's z from its figures, Arvo's by the funnel rule, one SD."""
    import pandas as pd

    part = pd.DataFrame({
        "provider_id": ["A", "B", "C", "D"], "Modelled Records": [100, 100, 400, 20],
        adjusted.NHS_POST: [40.0, 42.0, 39.0, 45.0], "pairs": [100, 100, 400, 20],
        "adjusted": [40.0, 43.5, 39.0, 45.0], "population_mean": 40.0,
        "higher_is_better": True, "min_pairs": 30})
    england = pd.Series({"Standard Deviation": 5.0, "Average Post-Op Q Score": 40.0})
    judged = adjusted._judge(part, england)
    assert list(judged["nhs_z"]) == [0.0, 4.0, -4.0, pytest.approx(5 / (5 / 20 ** 0.5))]
    assert list(judged["arvo_z"][:3]) == [0.0, 7.0, -4.0]
    # no overdispersion correction widens the limits: B and C are alarms;
    # D has too few pairs to be judged, as NHS publishes no adjusted score under 30
    assert list(judged["arvo_flag"]) == ["none", "alarm", "alarm", "too_few_pairs"]
    assert list(judged["arvo_direction"][:3]) == ["as_expected", "better", "worse"]
