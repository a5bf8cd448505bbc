"""PROM responses: items in range, a few missing, each in a window of the obligation's schedule."""

from __future__ import annotations

import pandas as pd

from arvo import definitions
from arvo.demo.generate import DEFAULT_DEFINITIONS
from arvo.demo.proms import obligation_for
from tests.demo.submissions import with_start


def test_prom_items_and_timing(region):
    _, frames, truth = region
    pr = frames["proms"]
    planted = {d["record_id"] for d in truth["defects"] if d["file"].startswith("proms")}
    ok = pr[~pr["response_id"].isin(planted)]
    eq = ok[ok["instrument"] == "EQ5D5L"]
    phq = ok[ok["instrument"] == "PHQ9"]
    for i in range(1, 6):
        assert eq[f"q{i}"].dropna().between(1, 5).all()
    assert eq["q6"].dropna().between(0, 100).all()
    for i in range(1, 10):
        assert phq[f"q{i}"].dropna().between(0, 3).all()
    assert eq[[f"q{i}" for i in range(7, 13)]].isna().all().all()
    assert phq[[f"q{i}" for i in range(10, 13)]].isna().all().all()
    missing_one = ok[[f"q{i}" for i in range(1, 10)]].isna().sum(axis=1)
    share = ((ok["instrument"] == "PHQ9") & (missing_one == 1)).mean() + (
        (ok["instrument"] == "EQ5D5L") & (missing_one == 4)).mean()
    assert 0.005 < share < 0.08
    assert (ok["response_date"] <= pd.Timestamp("2025-12-31")).all()
    # The timepoints the obligations schedule (definitions/obligations.yml), each response
    # in its window: relative to the episode start, or for a restarting schedule (heart
    # failure) relative to a restarting admission of the client.
    defs = definitions.load(DEFAULT_DEFINITIONS)
    sector = {p.id: p.sector for p in defs.providers}
    assert {"baseline", "followup_30d", "followup_6m", "followup_12m"} <= set(ok["timepoint"])
    rel = with_start(ok, frames["episodes"])
    windows = {}
    for r in rel[["package_code", "provider_id", "timepoint"]].drop_duplicates().itertuples():
        ob = obligation_for(defs, r.package_code, sector[r.provider_id])
        tp = {t.name: t for t in ob.schedule()}[r.timepoint]  # a scheduled timepoint
        windows[(r.package_code, r.provider_id, r.timepoint)] = (
            tp.from_days, tp.to_days, ob.restart is not None)
    w = pd.DataFrame([windows[k] for k in zip(rel["package_code"], rel["provider_id"],
                                              rel["timepoint"], strict=True)],
                     columns=["lo", "hi", "restarts"], index=rel.index)
    in_window = rel["rel"].between(w["lo"], w["hi"])
    assert in_window[~w["restarts"]].all()
    assert rel.loc[rel["timepoint"] == "followup_6m", "rel"][~w["restarts"]].between(
        152, 212).all()
    restarted = rel[w["restarts"] & ~in_window].assign(lo=w["lo"], hi=w["hi"])
    assert len(restarted) > 0  # the demo has acute admissions that restart the schedule
    ev = frames["events"]
    acute = ev[ev["service_code"].isin(["INPATIENT_DAY", "ER_VISIT"])
               & ev["diagnosis"].fillna("").str.replace(".", "").str.startswith("I50")]
    anchored = restarted.merge(acute[["hetu", "event_date"]], on="hetu")
    lag = (anchored["response_date"] - anchored["event_date"]).dt.days
    explained = anchored[lag.between(anchored["lo"], anchored["hi"])]["response_id"]
    assert set(restarted["response_id"]) <= set(explained)
