"""Planted data defects: in the files where the truth says, and nothing else broken."""

from __future__ import annotations

import yaml

from arvo import hetu
from arvo.demo.generate import DEFAULT_DEFINITIONS


def test_hetus_valid_except_planted(region):
    _, frames, truth = region
    planted = {(d["provider_id"], d["month"], d["file"], d["source_row"])
               for d in truth["defects"] if d["kind"] == "invalid_hetu"}
    assert len(planted) >= 3
    bad = set()
    for df in frames.values():
        ok = df["hetu"].map(hetu.is_valid)
        for r in df.loc[~ok].itertuples():
            bad.add((r.provider_id, r.month, r.file, r.source_row))
    assert bad == planted


def test_planted_defects_are_in_the_files(region):
    _, frames, truth = region
    defects = truth["defects"]
    kinds = {d["kind"] for d in defects}
    assert kinds == {"invalid_hetu", "unknown_service_code", "negative_cost",
                     "phq9_item_out_of_range", "duplicate_event_id"}
    assert 5 <= len(defects) <= 20
    assert len({d["provider_id"] for d in defects}) <= 3
    services = yaml.safe_load((DEFAULT_DEFINITIONS / "service_types.yml").read_text("utf-8"))
    known = {s["code"] for s in services["service_types"]}
    for d in defects:
        assert d["sentence"]
        df = frames[d["entity"]]
        row = df[(df["provider_id"] == d["provider_id"]) & (df["month"] == d["month"])
                 & (df["file"] == d["file"]) & (df["source_row"] == d["source_row"])]
        assert len(row) == 1, d
        row = row.iloc[0]
        rec = row["event_id"] if d["entity"] == "events" else row["response_id"]
        assert rec == d["record_id"]
        if d["kind"] == "invalid_hetu":
            assert not hetu.is_valid(row["hetu"])
        elif d["kind"] == "unknown_service_code":
            assert row["service_code"] not in known
        elif d["kind"] == "negative_cost":
            assert row["cost_eur"] < 0
        elif d["kind"] == "phq9_item_out_of_range":
            assert row["instrument"] == "PHQ9" and row[d["column"]] == 4
        elif d["kind"] == "duplicate_event_id":
            same = df[(df["provider_id"] == d["provider_id"]) & (df["month"] == d["month"])
                      & (df["event_id"] == d["record_id"])]
            assert sorted(same["source_row"]) == d["rows"]
    # Nothing else is broken: the other rows pass the rules the defects break.
    ev = frames["events"]
    assert ev["service_code"].isin(known).sum() == len(ev) - sum(
        d["kind"] == "unknown_service_code" for d in defects)
    assert (ev["cost_eur"] < 0).sum() == sum(d["kind"] == "negative_cost" for d in defects)
