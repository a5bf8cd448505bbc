"""A region generated in blocks of residents (arvo.demo.blocks): the same files for the
same seed, every resident in one block, rows numbered on across blocks, and a planted
truth that counts what the files hold. Two blocks of 1,500 residents (block size lowered)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from arvo import definitions, hetu
from arvo.demo import generate_region
from arvo.demo.blocks import block_sizes, streams
from arvo.demo.generate import DEFAULT_DEFINITIONS
from arvo.demo.horizon import make_calendar
from arvo.demo.population import identity_keys, make_population
from arvo.demo.region import build_region
from tests.demo.submissions import files_of, read_all

SEED, RESIDENTS, BLOCK, MONTHS = 11, 3000, 1500, 24
ID_COLUMN = {"events": "event_id", "episodes": "episode_id", "proms": "response_id"}


def _digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def two_blocks(tmp_path_factory):
    """(summary, the files read back, planted truth, the region in memory) of two blocks."""
    out = tmp_path_factory.mktemp("blocks")
    summary = generate_region(out, seed=SEED, residents=RESIDENTS, months=MONTHS,
                              block_size=BLOCK)
    truth = json.loads(summary.truth_path.read_text(encoding="utf-8"))
    region = build_region(definitions.load(DEFAULT_DEFINITIONS), seed=SEED,
                          residents=RESIDENTS, months=MONTHS, block_size=BLOCK)
    return summary, read_all(summary.raw_root), truth, region


def test_block_sizes():
    assert block_sizes(50_000) == [50_000]  # the default region: one block, as before
    assert block_sizes(500_000) == [50_000] * 10
    assert block_sizes(120_001, 50_000) == [40_001, 40_000, 40_000]
    assert block_sizes(RESIDENTS, BLOCK) == [BLOCK, BLOCK]
    with pytest.raises(ValueError):
        block_sizes(100, 0)


def test_same_seed_gives_the_same_files(two_blocks, tmp_path):
    summary, _, _, _ = two_blocks
    assert summary.blocks == 2
    again = generate_region(tmp_path, seed=SEED, residents=RESIDENTS, months=MONTHS,
                            block_size=BLOCK)
    assert again == summary.model_copy(update={"raw_root": again.raw_root,
                                               "truth_path": again.truth_path})
    first = _digest(summary.raw_root.parent)
    assert first and _digest(tmp_path) == first
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left


def test_identity_codes_are_unique_across_blocks():
    cal = make_calendar("2024-01", 1)
    first = make_population(streams(SEED, 0)["population"], 20_000, cal)
    taken = identity_keys(first)
    alone = make_population(streams(SEED, 1)["population"], 20_000, cal)
    assert np.isin(identity_keys(alone), taken).any()  # drawn alone, some codes would clash
    second = make_population(streams(SEED, 1)["population"], 20_000, cal, taken=taken)
    assert not np.isin(identity_keys(second), taken).any()
    codes = pd.concat([first["hetu"], second["hetu"]])
    assert codes.is_unique and codes.map(hetu.is_valid).all()


def _matched(frames: dict, region) -> dict[str, pd.DataFrame]:
    """Each entity's file rows beside the generated row they hold, with its block."""
    block_of = region.residents["person"].to_numpy() >= BLOCK  # block 1: the second 1,500
    out = {}
    for entity, column in ID_COLUMN.items():
        gen = getattr(region, entity)[["provider_id", "month", "source_row", column, "hetu",
                                       "person"]]
        files = frames[entity][["provider_id", "month", "source_row", column, "hetu"]]
        both = files.merge(gen, on=["provider_id", "month", "source_row"], how="outer",
                           suffixes=("", "_generated"), indicator=True)
        assert (both["_merge"] == "both").all(), entity  # one generated row a file row
        assert (both[column] == both[f"{column}_generated"]).all(), entity
        assert (both["hetu"] == both["hetu_generated"]).all(), entity
        out[entity] = both.assign(block=block_of[both["person"].to_numpy()].astype(int))
    return out


def test_every_resident_is_in_one_block_and_rows_run_on(two_blocks):
    _, frames, _, region = two_blocks
    assert region.residents["hetu"].is_unique
    matched = _matched(frames, region)
    for entity, rows in matched.items():
        assert set(rows["block"]) == {0, 1}, entity
        assert (rows.groupby("hetu")["block"].nunique() == 1).all(), entity
        for (pid, month), f in rows.groupby(["provider_id", "month"]):
            f = f.sort_values("source_row")
            assert list(f["source_row"]) == list(range(1, len(f) + 1)), (entity, pid, month)
            assert f["block"].is_monotonic_increasing, (entity, pid, month)  # block 0 first
    # record IDs run on across blocks: unique within a provider (but for the planted
    # duplicate), an episode's rows one client's
    duplicates = sum(d["kind"] == "duplicate_event_id" for d in region.defects)
    for entity, column in ID_COLUMN.items():
        rows = matched[entity]
        if entity == "episodes":
            assert (rows.groupby(["provider_id", column])["hetu"].nunique() == 1).all()
            assert rows.groupby(["provider_id", column]).size().max() <= 2
        else:
            extra = len(rows) - len(rows.drop_duplicates(["provider_id", column]))
            assert extra == (duplicates if entity == "events" else 0), entity
    # some files hold both blocks' rows: the second block's rows were appended
    events = matched["events"]
    assert (events.groupby(["provider_id", "month"])["block"].nunique() == 2).any()


def _repaired(events: pd.DataFrame) -> pd.DataFrame:
    """Events with the planted defects undone where they touch costs or clients."""
    code = events["hetu"]
    fixed = code.str[:-1] + [hetu.check_char(c[:6], c[7:10]) for c in code]
    return events.assign(hetu=fixed, cost_eur=events["cost_eur"].abs())


def test_planted_truth_counts_what_the_files_hold(two_blocks):
    summary, frames, truth, region = two_blocks
    assert truth["files"] == summary.files == len(files_of(summary.raw_root))
    assert {k: v for k, v in truth.items() if k != "files"} == region.truth
    events, episodes = frames["events"], frames["episodes"]
    assert summary.events == len(events) and summary.responses == len(frames["proms"])
    per_provider = events.groupby("provider_id").size()
    distinct = episodes.groupby(["provider_id", "package_code"])["episode_id"].nunique()
    for p in truth["providers"]:
        assert p["events"] == per_provider.get(p["provider_id"], 0)
        for pkg, real in p["realised"].items():
            assert real["episodes"] == distinct.get((p["provider_id"], pkg), 0)
    listed = {(p["provider_id"], k) for p in truth["providers"] for k in p["realised"]}
    assert set(distinct.index) <= listed
    assert sum(p["events"] for p in truth["providers"]) == len(events)

    conc = truth["cost_concentration"]
    ev = _repaired(events)
    window = ev[ev["event_date"] >= pd.Timestamp(conc["window"][0] + "-01")]
    assert summary.clients == ev["hetu"].nunique()
    assert conc["clients"] == window["hetu"].nunique()
    per = window.groupby("hetu")["cost_eur"].sum()
    per = per[per > 0].sort_values(ascending=False)
    for share in (0.01, 0.05, 0.1, 0.2, 0.5):
        k = max(1, int(round(len(per) * share)))
        got = per.iloc[:k].sum() / per.sum()
        assert conc[f"top_{int(share * 100)}_share"] == pytest.approx(got, abs=6e-4)

    pop = truth["population"]
    age = region.residents["age"]
    assert pop["residents"] == len(region.residents) == RESIDENTS
    assert pop["share_65_plus"] == round((age >= 65).mean(), 3)
    assert pop["condition_prevalence"]["diabetes"] == round(
        region.residents["diabetes"].mean(), 4)
