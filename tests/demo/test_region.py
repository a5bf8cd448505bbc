"""The synthetic demo region: determinism, file formats, realism and the planted truth.

One small region (3,000 residents, 24 months) is generated per module; the checks read
the written files back the way the contract describes them and compute everything from
those frames.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml

from arvo import definitions, hetu, scoring, ytunnus
from arvo.contract import ENTITIES, INSTRUMENT_ITEMS
from arvo.demo import RegionSummary, generate_region
from arvo.demo.generate import DEFAULT_DEFINITIONS
from arvo.demo.proms import obligation_for
from arvo.demo.providers import BETTER_PROVIDER, UNDER_COLLECTING_PROVIDER, WORSE_PROVIDER
from arvo.demo.region import build_region

RESIDENTS = 3000
MONTHS = 24
COLUMNS = {name: entity.names for name, entity in ENTITIES.items()}
DATES = {"events": ["event_date"], "episodes": ["start_date", "end_date"],
         "proms": ["response_date"]}
CSV = {  # format -> (separator, decimal mark, encoding, BOM, date pattern)
    "csv_utf8": (",", ".", "utf-8", False, r"^\d{4}-\d{2}-\d{2}$"),
    "csv_fi": (";", ",", "utf-8", True, r"^\d{1,2}\.\d{1,2}\.\d{4}$"),
    "csv_fi_1252": (";", ",", "cp1252", False, r"^\d{1,2}\.\d{1,2}\.\d{4}$"),
}
BOM = b"\xef\xbb\xbf"


def _providers() -> list[dict]:
    doc = yaml.safe_load((DEFAULT_DEFINITIONS / "providers.yml").read_text(encoding="utf-8"))
    return doc["providers"]


FORMATS = {p["id"]: p["submission_format"] for p in _providers()}


def _read_raw(path: Path, fmt: str) -> pd.DataFrame:
    """One file as text columns (nulls as missing), read as its format says."""
    if fmt == "parquet":
        return pq.read_table(path).to_pandas()
    sep, _, enc, _, _ = CSV[fmt]
    raw = path.read_bytes()
    if raw.startswith(BOM):
        raw = raw[len(BOM):]
    return pd.read_csv(io.BytesIO(raw), sep=sep, encoding=enc, dtype=str,
                       keep_default_na=False, na_values=[""])


def _convert(df: pd.DataFrame, entity: str, fmt: str) -> pd.DataFrame:
    """Typed columns: dates, euros, integer items."""
    for c in DATES[entity]:
        if fmt == "parquet":
            df[c] = pd.to_datetime(df[c])
        else:
            df[c] = pd.to_datetime(df[c], format="%Y-%m-%d" if fmt == "csv_utf8" else "%d.%m.%Y")
    if entity == "events" and fmt != "parquet":
        dec = CSV[fmt][1]
        df["cost_eur"] = df["cost_eur"].str.replace(dec, ".", regex=False).astype(float)
    if entity == "proms":
        for i in range(1, 13):
            df[f"q{i}"] = pd.to_numeric(df[f"q{i}"]).astype("Int64")
    return df


def read_submission(path: Path, fmt: str) -> pd.DataFrame:
    """Read one file as the contract describes its format; text columns stay text."""
    return _convert(_read_raw(path, fmt), path.stem, fmt)


def files_of(root: Path) -> list[Path]:
    return sorted(p for p in root.glob("*/*/*") if p.is_file())


def read_all(raw_root: Path) -> dict[str, pd.DataFrame]:
    """All files per entity, with provider_id, month, file and source_row (1-based)."""
    groups: dict[tuple[str, str], list] = {}
    for path in files_of(raw_root):
        pid, month = path.parent.parent.name, path.parent.name
        fmt = FORMATS[pid]
        groups.setdefault((path.stem, fmt), []).append(
            (_read_raw(path, fmt), pid, month, path.name))
    parts: dict[str, list[pd.DataFrame]] = {e: [] for e in COLUMNS}
    for (entity, fmt), items in sorted(groups.items()):
        lens = [len(d) for d, *_ in items]
        df = pd.concat([d for d, *_ in items], ignore_index=True)
        df = _convert(df, entity, fmt)
        df["provider_id"] = np.repeat([i[1] for i in items], lens)
        df["month"] = np.repeat([i[2] for i in items], lens)
        df["file"] = np.repeat([i[3] for i in items], lens)
        df["source_row"] = np.concatenate([np.arange(1, n + 1) for n in lens])
        parts[entity].append(df)
    return {e: pd.concat(v, ignore_index=True) for e, v in parts.items()}


@pytest.fixture(scope="module")
def region(tmp_path_factory) -> tuple[RegionSummary, dict[str, pd.DataFrame], dict]:
    out = tmp_path_factory.mktemp("region")
    summary = generate_region(out, seed=42, residents=RESIDENTS, months=MONTHS)
    truth = json.loads(summary.truth_path.read_text(encoding="utf-8"))
    return summary, read_all(summary.raw_root), truth


def _digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


# --------------------------------------------------------------------------- determinism


def test_same_seed_gives_byte_identical_files(region, tmp_path):
    summary, _, _ = region
    again = generate_region(tmp_path, seed=42, residents=RESIDENTS, months=MONTHS)
    assert again == summary.model_copy(update={"raw_root": again.raw_root,
                                               "truth_path": again.truth_path})
    first = _digest(summary.raw_root.parent)
    assert first and _digest(tmp_path) == first


def test_other_seed_differs(region, tmp_path):
    summary, _, _ = region
    other = generate_region(tmp_path, seed=7, residents=RESIDENTS, months=MONTHS)
    a, b = _digest(summary.raw_root), _digest(other.raw_root)
    common = sorted(set(a) & set(b))
    assert common and any(a[k] != b[k] for k in common)


def test_summary_matches_files(region):
    summary, frames, truth = region
    assert summary.residents == RESIDENTS and summary.months == MONTHS
    assert (summary.start_month, summary.end_month) == ("2024-01", "2025-12")
    assert summary.files == len(files_of(summary.raw_root)) == truth["files"]
    assert summary.events == len(frames["events"])
    assert summary.episode_rows == len(frames["episodes"])
    assert summary.responses == len(frames["proms"])
    assert summary.defects == len(truth["defects"])
    assert summary.truth_path.parent == summary.raw_root.parent
    codes = frames["events"]["hetu"]
    valid = codes[codes.map(hetu.is_valid)].nunique()  # a planted code may hide a client
    assert valid <= summary.clients <= valid + len(truth["defects"])
    assert 0 < summary.clients < summary.residents


# --------------------------------------------------------------------------- formats


def test_folders_are_providers_and_months(region):
    summary, _, _ = region
    dirs = sorted(p.name for p in summary.raw_root.iterdir())
    assert dirs == sorted(FORMATS)
    assert all(ytunnus.is_valid(d) for d in dirs)
    months = {p.parent.name for p in files_of(summary.raw_root)}
    assert months == {f"{y}-{m:02d}" for y in (2024, 2025) for m in range(1, 13)}


@pytest.mark.parametrize("fmt", sorted(CSV))
def test_csv_files_follow_their_format(region, fmt):
    summary, _, _ = region
    sep, dec, enc, bom, date_re = CSV[fmt]
    paths = [p for p in files_of(summary.raw_root) if FORMATS[p.parent.parent.name] == fmt]
    assert paths and all(p.suffix == ".csv" for p in paths)
    non_ascii = False
    for path in paths:
        raw = path.read_bytes()
        assert raw.startswith(BOM) == bom, path
        text = raw[len(BOM):].decode(enc) if bom else raw.decode(enc)
        non_ascii |= any(ord(ch) > 127 for ch in text)
        lines = text.splitlines()
        assert lines[0] == sep.join(COLUMNS[path.stem]), path
        assert all(line.count(sep) == len(COLUMNS[path.stem]) - 1 for line in lines), path
    if fmt == "csv_fi_1252":
        assert non_ascii  # e.g. "KÄY-" record IDs, so the encoding matters
        with pytest.raises(UnicodeDecodeError):
            for path in paths:
                path.read_bytes().decode("utf-8")
    events = [p for p in paths if p.stem == "events"][0]
    df = read_submission(events, fmt)
    raw = pd.read_csv(events, sep=sep, encoding="utf-8-sig" if bom else enc, dtype=str,
                      keep_default_na=False)
    assert list(raw.columns) == COLUMNS["events"]
    assert raw["event_date"].str.match(date_re).all()
    assert raw["cost_eur"].str.match(r"^-?\d+" + re.escape(dec) + r"\d{2}$").all()
    assert df["cost_eur"].notna().all()


def test_parquet_files_have_contract_types(region):
    summary, _, _ = region
    paths = [p for p in files_of(summary.raw_root)
             if FORMATS[p.parent.parent.name] == "parquet"]
    assert paths and all(p.suffix == ".parquet" for p in paths)
    for path in paths:
        schema = pq.read_schema(path)
        assert schema.names == COLUMNS[path.stem]
        for c in DATES[path.stem]:
            assert str(schema.field(c).type) == "date32[day]"
        if path.stem == "events":
            assert str(schema.field("cost_eur").type) == "double"
        if path.stem == "proms":
            assert all(str(schema.field(f"q{i}").type) == "int32" for i in range(1, 13))


# --------------------------------------------------------------------------- identity codes


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


def test_every_resident_has_a_unique_hetu():
    defs = definitions.load(DEFAULT_DEFINITIONS)
    reg = build_region(defs, seed=3, residents=1500, months=3)
    codes = reg.residents["hetu"]
    assert codes.is_unique and codes.map(hetu.is_valid).all()
    facts = codes.map(hetu.parse)
    assert (facts.map(lambda f: f.sex) == reg.residents["sex"]).all()


# --------------------------------------------------------------------------- realism


def test_population_structure():
    defs = definitions.load(DEFAULT_DEFINITIONS)
    pop = build_region(defs, seed=5, residents=20_000, months=1).residents
    age = pop["age"]
    assert 0.14 <= (age < 15).mean() <= 0.18
    assert 0.21 <= (age >= 65).mean() <= 0.25
    assert 0.09 <= (age >= 75).mean() <= 0.13
    assert (pop.loc[age >= 75, "sex"] == "F").mean() > (pop.loc[age < 50, "sex"] == "F").mean()
    means = [pop.loc[(age >= lo) & (age < hi), "n_conditions"].mean()
             for lo, hi in ((0, 15), (15, 45), (45, 65), (65, 75), (75, 85), (85, 120))]
    assert means == sorted(means) and means[-1] > 1.2


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


# --------------------------------------------------------------------------- contract rules


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
    rel = _with_start(ok, frames["episodes"])
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


# --------------------------------------------------------------------------- planted truth


def _with_start(proms: pd.DataFrame, episodes: pd.DataFrame) -> pd.DataFrame:
    ep = episodes.drop_duplicates(["provider_id", "episode_id"], keep="last")
    df = proms.merge(ep[["provider_id", "episode_id", "package_code", "start_date"]],
                     on=["provider_id", "episode_id"])
    return df.assign(rel=(df["response_date"] - df["start_date"]).dt.days)


def _rates(frames: dict, package: str, timepoint: str, lo: int, hi: int) -> pd.Series:
    """Share of the package's episodes (window closed by 2025-12-31) with a response."""
    ep = frames["episodes"].drop_duplicates(["provider_id", "episode_id"], keep="last")
    ep = ep[(ep["package_code"] == package)
            & (ep["start_date"] + pd.Timedelta(days=hi) <= pd.Timestamp("2025-12-31"))]
    pr = _with_start(frames["proms"], frames["episodes"])
    got = pr[(pr["package_code"] == package) & (pr["timepoint"] == timepoint)
             & pr["rel"].between(lo, hi)].drop_duplicates(["provider_id", "episode_id"])
    hit = ep.merge(got[["provider_id", "episode_id"]].assign(hit=1), how="left",
                   on=["provider_id", "episode_id"])
    return hit.groupby("provider_id")["hit"].count() / hit.groupby("provider_id").size()


def test_under_collecting_provider(region):
    _, frames, truth = region
    base = _rates(frames, "DEPRESSION", "baseline", -14, 14)
    follow = _rates(frames, "DEPRESSION", "followup_6m", 152, 212)
    tyyni = UNDER_COLLECTING_PROVIDER
    assert base[tyyni] <= 0.5 and follow[tyyni] <= 0.4
    others_b, others_f = base.drop(tyyni), follow.drop(tyyni)
    assert len(others_b) >= 3
    assert (others_b >= 0.7).all() and (others_f > follow[tyyni]).all()
    finding = [f for f in truth["findings"] if f["kind"] == "prom_under_collection"][0]
    assert finding["provider_id"] == tyyni and finding["sentence"]
    assert finding["baseline_collection_probability"] <= 0.4
    assert finding["followup_collection_probability"] <= 0.3


def _scores(frames: dict, package: str, instrument: str, home: Path) -> pd.DataFrame:
    """The package's responses of `instrument`, scored with Arvo's scoring (`arvo.scoring`)."""
    pr = _with_start(frames["proms"], frames["episodes"])
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


@pytest.mark.parametrize("provider,direction", [(WORSE_PROVIDER, -1), (BETTER_PROVIDER, 1)])
def test_planted_outcome_differences(region, depression_changes, provider, direction):
    _, _, truth = region
    eq, phq = depression_changes["EQ5D5L"], depression_changes["PHQ9"]
    peers = set(eq["provider_id"]) - {provider}
    assert len(peers - {WORSE_PROVIDER, BETTER_PROVIDER}) >= 2
    own_eq, peer_eq = eq[eq["provider_id"] == provider], eq[eq["provider_id"] != provider]
    own_phq, peer_phq = phq[phq["provider_id"] == provider], phq[phq["provider_id"] != provider]
    assert len(own_eq) >= 8 and len(own_phq) >= 8
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
        assert set(p["effect"]) == {"eq5d_latent_improvement", "phq9_extra_fall_points"}
    peers = [p for p in listed.values() if "DEPRESSION" in p["packages"]]
    assert len(peers) >= 4


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
