"""Episodes: sent in their start month and again with their end; referred to by events and PROMs."""

from __future__ import annotations

import pandas as pd


def test_episodes_are_sent_and_resent_with_their_end(region):
    _, frames, _ = region
    ep = frames["episodes"]
    assert set(ep["package_code"]) >= {"DEPRESSION", "HOME_CARE", "CASE_MANAGEMENT"}
    start_month = ep["start_date"].dt.strftime("%Y-%m")
    first = ep.drop_duplicates(["provider_id", "episode_id"], keep="first")
    assert (first["month"] == start_month[first.index]).all()
    again = ep[ep.duplicated(["provider_id", "episode_id"], keep="first")]
    assert len(again) > 0 and again["end_date"].notna().all()
    assert (again["month"] == again["end_date"].dt.strftime("%Y-%m")).all()
    ended = ep.dropna(subset=["end_date"])
    assert (ended["end_date"] >= ended["start_date"]).all()
    # Episodes of the same package at several providers (peers exist).
    providers = ep.groupby("package_code")["provider_id"].nunique()
    assert (providers >= 2).all()


def test_references_point_to_the_providers_episodes(region):
    _, frames, _ = region
    ep = frames["episodes"]
    first_month = ep.groupby(["provider_id", "episode_id"])["month"].min()
    ev = frames["events"].dropna(subset=["episode_id"])
    keys = pd.MultiIndex.from_frame(ev[["provider_id", "episode_id"]])
    assert keys.isin(first_month.index).all()
    pr = frames["proms"]
    keys = pd.MultiIndex.from_frame(pr[["provider_id", "episode_id"]])
    assert keys.isin(first_month.index).all()
    sent = first_month.reindex(keys).to_numpy()
    assert (pr["month"].to_numpy() >= sent).all()
