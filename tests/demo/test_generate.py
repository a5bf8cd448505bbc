"""generate_region: the same seed gives the same files; the summary matches them."""

from __future__ import annotations

import hashlib
from pathlib import Path

from arvo import hetu
from arvo.demo import generate_region
from tests.demo.submissions import MONTHS, RESIDENTS, files_of


def _digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


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
