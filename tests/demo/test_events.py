"""Service events: concentrated costs, plausible unit costs and codes, unique record IDs."""

from __future__ import annotations

import yaml

from arvo.demo.generate import DEFAULT_DEFINITIONS


def test_cost_concentration_in_a_year(region):
    _, frames, _ = region
    ev = frames["events"]
    year = ev[(ev["event_date"] >= "2025-01-01") & (ev["event_date"] <= "2025-12-31")]
    per = year.groupby("hetu")["cost_eur"].sum()
    per = per[per > 0].sort_values(ascending=False)
    top = per.iloc[: round(len(per) * 0.10)]
    share = top.sum() / per.sum()
    assert 0.70 <= share <= 0.90
    # The high-cost clients use several service types, across social and health care.
    defs = yaml.safe_load((DEFAULT_DEFINITIONS / "service_types.yml").read_text("utf-8"))
    domain = {s["code"]: s["domain"] for s in defs["service_types"]}
    top_ev = year[year["hetu"].isin(top.index)]
    types = top_ev.groupby("hetu")["service_code"].nunique()
    rest_types = year[~year["hetu"].isin(top.index)].groupby("hetu")["service_code"].nunique()
    assert types.mean() >= 2 * rest_types.mean()
    both = top_ev.assign(d=top_ev["service_code"].map(domain)).groupby("hetu")["d"].nunique()
    assert (both == 2).mean() >= 0.5


def test_costs_and_codes_are_plausible(region):
    _, frames, truth = region
    ev = frames["events"]
    planted = {d["record_id"] for d in truth["defects"] if d["file"].startswith("events")}
    ok = ev[~ev["event_id"].isin(planted)]
    med = ok.groupby("service_code")["cost_eur"].median()
    assert 80 <= med["PC_VISIT"] <= 150 and 300 <= med["ER_VISIT"] <= 500
    assert 700 <= med["INPATIENT_DAY"] <= 1200 and 8000 <= med["SURGERY"] <= 12000
    assert 40 <= med["HOME_CARE_VISIT"] <= 60 and 150 <= med["HOUSING_DAY"] <= 250
    assert (ok["cost_eur"] >= 0).all()
    diag = ok["diagnosis"].dropna()
    assert diag.str.match(r"^[A-Z]\d{2}(\.?\d)?$").all()
    assert ok["diagnosis"].isna().any()
    by_provider = ok.groupby("provider_id")["service_code"].agg(set)
    assert by_provider["1632707-5"] >= {"ER_VISIT", "INPATIENT_DAY", "SURGERY"}
    assert by_provider["1202527-2"] == {"HOME_CARE_VISIT"}
    assert "SURGERY" in by_provider["1243265-2"]
    assert by_provider["1394810-8"] == {"MH_VISIT"}


def test_record_ids_unique_except_planted_duplicate(region):
    _, frames, truth = region
    dup = [d for d in truth["defects"] if d["kind"] == "duplicate_event_id"]
    assert len(dup) == 1
    ev = frames["events"]
    counts = ev.groupby(["provider_id", "event_id"]).size()
    assert list(counts[counts > 1].index) == [(dup[0]["provider_id"], dup[0]["record_id"])]
    assert not frames["proms"].duplicated(["provider_id", "response_id"]).any()
    assert not frames["episodes"].duplicated(["provider_id", "month", "episode_id"]).any()
    # ID styles differ between providers.
    first = ev.groupby("provider_id")["event_id"].first()
    shapes = first.str.replace(r"\d", "9", regex=True).str.replace(r"[a-f]", "x", regex=True)
    assert shapes.nunique() >= 8


def test_every_resident_has_one_home_municipality(region):
    """Every event names its client's home municipality: a 3-digit code of the region's
    municipalities (arvo.demo.population.MUNICIPALITIES), the same on all of a client's
    events, Tampere the most common (about half of Pirkanmaa's residents)."""
    from arvo.demo.population import MUNICIPALITIES

    _, frames, truth = region
    ev = frames["events"]
    planted = {d["record_id"] for d in truth["defects"] if d["file"].startswith("events")}
    ok = ev[~ev["event_id"].isin(planted)]
    assert ok["municipality"].notna().all()
    assert ok["municipality"].str.fullmatch(r"[0-9]{3}").all()
    assert set(ok["municipality"]) <= {m[0] for m in MUNICIPALITIES}
    assert (ok.groupby("hetu")["municipality"].nunique() == 1).all()
    homes = ok.drop_duplicates("hetu")["municipality"].value_counts(normalize=True)
    assert homes.index[0] == "837" and 0.4 <= homes["837"] <= 0.65
    assert "020" in homes.index  # Akaa's leading zero survives every file format
