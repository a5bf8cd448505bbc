"""The planted truth: the findings are in the files, found with Arvo's own scoring."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from arvo import scoring
from arvo.contract import INSTRUMENT_ITEMS
from tests.demo.submissions import FORMATS, with_start


def _rates(frames: dict, package: str, timepoint: str, lo: int, hi: int) -> pd.Series:
    """Share of the package's episodes (window closed by 2025-12-31) with a response."""
    ep = frames["episodes"].drop_duplicates(["provider_id", "episode_id"], keep="last")
    ep = ep[(ep["package_code"] == package)
            & (ep["start_date"] + pd.Timedelta(days=hi) <= pd.Timestamp("2025-12-31"))]
    pr = with_start(frames["proms"], frames["episodes"])
    got = pr[(pr["package_code"] == package) & (pr["timepoint"] == timepoint)
             & pr["rel"].between(lo, hi)].drop_duplicates(["provider_id", "episode_id"])
    hit = ep.merge(got[["provider_id", "episode_id"]].assign(hit=1), how="left",
                   on=["provider_id", "episode_id"])
    return hit.groupby("provider_id")["hit"].count() / hit.groupby("provider_id").size()


def test_under_collecting_provider(region):
    _, frames, truth = region
    base = _rates(frames, "DEPRESSION", "baseline", -14, 14)
    follow = _rates(frames, "DEPRESSION", "followup_6m", 152, 212)
    tyyni = truth["roles"]["under_collecting"]
    assert base[tyyni] <= 0.5 and follow[tyyni] <= 0.4
    others_b, others_f = base.drop(tyyni), follow.drop(tyyni)
    assert len(others_b) >= 3
    assert others_b.median() >= 0.8 and (others_f.median() > follow[tyyni])
    finding = [f for f in truth["findings"] if f["kind"] == "prom_under_collection"][0]
    assert finding["provider_id"] == tyyni and finding["sentence"]
    assert finding["baseline_collection_probability"] <= 0.4
    assert finding["followup_collection_probability"] <= 0.3


def _scores(frames: dict, package: str, instrument: str, home: Path) -> pd.DataFrame:
    """The package's responses of `instrument`, scored with Arvo's scoring (`arvo.scoring`)."""
    pr = with_start(frames["proms"], frames["episodes"])
    pr = pr[(pr["package_code"] == package)
            & (pr["instrument"] == instrument)].reset_index(drop=True)
    items = list(INSTRUMENT_ITEMS[instrument])
    file = home / f"{package}_{instrument}.csv"
    pr[items].assign(row=pr.index)[["row", *items]].astype("Int64").to_csv(file, index=False)
    result = scoring.score_file(file, instrument, home=home)
    primary = result.measures[0]  # EQ-5D index, PHQ-9 total
    return pr.assign(score=pd.to_numeric(result.scored[primary]).to_numpy())


def _changes(scored: pd.DataFrame) -> pd.DataFrame:
    b = scored[(scored["timepoint"] == "baseline") & scored["rel"].between(-14, 14)]
    f = scored[(scored["timepoint"] == "followup_6m") & scored["rel"].between(152, 212)]
    pairs = b.merge(f, on=["provider_id", "episode_id"], suffixes=("_b", "_f"))
    pairs = pairs.dropna(subset=["score_b", "score_f"])
    return pairs.assign(change=pairs["score_f"] - pairs["score_b"])


@pytest.fixture(scope="module")
def depression_changes(region, tmp_path_factory) -> dict[str, pd.DataFrame]:
    """Baseline to 6-month changes in the DEPRESSION package, per instrument."""
    _, frames, _ = region
    home = tmp_path_factory.mktemp("scoring")
    return {i: _changes(_scores(frames, "DEPRESSION", i, home)) for i in ("EQ5D5L", "PHQ9")}


@pytest.mark.parametrize("role,direction", [("worse", -1), ("better", 1)])
def test_planted_outcome_differences(region, depression_changes, role, direction):
    _, _, truth = region
    provider = truth["roles"][role]
    eq, phq = depression_changes["EQ5D5L"], depression_changes["PHQ9"]
    peers = set(eq["provider_id"]) - {provider}
    assert len(peers - set(truth["roles"].values())) >= 2
    own_eq, peer_eq = eq[eq["provider_id"] == provider], eq[eq["provider_id"] != provider]
    own_phq, peer_phq = phq[phq["provider_id"] == provider], phq[phq["provider_id"] != provider]
    # a handful of pairs in this small region (15 providers share DEPRESSION): the planted
    # effects are large enough to show; test_funnel.py judges them on the default region
    assert len(own_eq) >= 3 and len(own_phq) >= 3
    assert direction * (own_eq["change"].mean() - peer_eq["change"].mean()) > 0.05
    assert direction * (peer_phq["change"].mean() - own_phq["change"].mean()) > 2.0
    kind = "worse_outcomes" if direction < 0 else "better_outcomes"
    finding = [f for f in truth["findings"] if f["kind"] == kind][0]
    assert finding["provider_id"] == provider and "DEPRESSION" in finding["packages"]
    assert len(finding["peers"]) >= 3 and finding["sentence"]
    planted = finding["planted"]  # the latent effect that was planted, not a realised score
    assert direction * (planted["eq5d_latent_improvement"]
                        - planted["average_eq5d_latent_improvement"]) > 0
    assert direction * (planted["phq9_fall_points"] - planted["average_phq9_fall_points"]) > 0


def test_truth_lists_every_provider(region):
    _, _, truth = region
    listed = {p["provider_id"]: p for p in truth["providers"]}
    assert set(listed) == set(FORMATS)
    for p in listed.values():
        assert 0 < p["baseline_collection_probability"] <= 1
        assert 0 < p["followup_collection_probability"] <= 1
        assert set(p["effect"]) <= set(p["packages"])
        for effect in p["effect"].values():
            assert set(effect) == {"eq5d_latent_improvement", "phq9_extra_fall_points"}
    peers = [p for p in listed.values() if "DEPRESSION" in p["packages"]]
    assert len(peers) >= 12
    assert {p["planted_role"] for p in listed.values()} - {None} == set(truth["roles"])
