"""Seed prom_measures read where dbt does not run (arvo/prom_measures.py): which
instruments an objective's measure can take comes from the seed's thresholds, not from a
list of its own."""

from __future__ import annotations

import pandas as pd
import pytest

from arvo import prom_measures
from arvo.objectives import MEASURES


@pytest.fixture
def seed(tmp_path, monkeypatch):
    """A copy of the seed to change, read in place of the project's."""
    path = tmp_path / "prom_measures.csv"
    path.write_text(prom_measures.SEED.read_text("utf-8"), encoding="utf-8")
    monkeypatch.setattr(prom_measures, "SEED", path)
    prom_measures.rows.cache_clear()
    yield path
    prom_measures.rows.cache_clear()


def test_the_objectives_measures_take_the_instruments_the_seed_gives_them():
    seed = pd.read_csv(prom_measures.SEED)
    primary = seed[seed["is_primary"]]
    assert MEASURES["mid_share"].instruments == tuple(primary[primary["mid"].notna()]
                                                      ["instrument"])
    assert MEASURES["recovery_rate"].instruments == tuple(
        primary[primary["caseness_threshold"].notna() & primary["reliable_change"].notna()]
        ["instrument"])
    assert MEASURES["mean_gain"].instruments == tuple(primary["instrument"])
    assert "PROMIS10" not in MEASURES["mid_share"].instruments  # the seed has no MID


def test_a_threshold_added_to_the_seed_is_what_decides(seed):
    frame = pd.read_csv(seed, dtype=str, keep_default_na=False)
    frame.loc[frame["measure"] == "promis_gph_t", "mid"] = "5"
    frame.to_csv(seed, index=False)
    assert "PROMIS10" in prom_measures.instruments_whose_primary_has("mid")
    assert "PROMIS10" not in prom_measures.instruments_whose_primary_has(
        "mid", "caseness_threshold")
    assert prom_measures.measures_by_instrument()["PROMIS10"][0] == "promis_gph_t"


def test_an_instrument_is_named_by_the_seeds_label(seed):
    assert prom_measures.instrument_labels()["PHQ9"] == "PHQ-9"
    frame = pd.read_csv(seed, dtype=str, keep_default_na=False)
    frame.loc[frame["instrument"] == "OHS", "instrument_label"] = "Oxford Hip Score"
    frame.to_csv(seed, index=False)
    prom_measures.rows.cache_clear()
    assert prom_measures.instrument_labels()["OHS"] == "Oxford Hip Score"


def test_an_instruments_primary_measure_is_the_seeds(seed):
    assert prom_measures.primary_measure("EQ5D5L") == "eq5d_index"
    frame = pd.read_csv(seed, dtype=str, keep_default_na=False)
    frame.loc[frame["measure"] == "eq5d_index", "is_primary"] = "false"
    frame.loc[frame["measure"] == "eq_vas", "is_primary"] = "true"
    frame.to_csv(seed, index=False)
    prom_measures.rows.cache_clear()
    assert prom_measures.primary_measure("EQ5D5L") == "eq_vas"
    with pytest.raises(KeyError, match="no primary measure of SF36"):
        prom_measures.primary_measure("SF36")
