"""The draft definitions version (arvo/follow_up/draft.py): only the changed files, each
whole with its comments kept, a new version folder, validated before it is written."""

from __future__ import annotations

import shutil

import pytest
from ruamel.yaml import YAML

from arvo import definition_versions, definitions
from arvo.config import REPO_ROOT
from arvo.follow_up.draft import write_draft
from arvo.follow_up.renewal import Proposal
from arvo.messages import msg


def _set(path, value, file="objectives.yml"):
    return Proposal("tighten_target", "X", msg("test"), {}, file, "k", None, value,
                    {"op": "set", "path": path, "value": value})


@pytest.fixture()
def source(tmp_path):
    src = tmp_path / "definitions"
    shutil.copytree(REPO_ROOT / "definitions", src)
    return src


def test_changed_file_keeps_its_comments_and_only_the_change(source, tmp_path):
    out = tmp_path / "fu" / "draft"
    before = [v.id for v in definition_versions.history(source)]
    version, files = write_draft(source, out, [_set(["objectives", 2, "target"], 0.7)],
                                 "2026-01", "test", "2024-01")
    assert version == definition_versions.next_id(source) and version not in before
    assert definitions.load(out, period="2026-01").version == version
    assert definitions.load(out, period="2025-12").version == before[-1]
    assert files == ["objectives.yml"]
    old = (source / "objectives.yml").read_text().splitlines()
    new = (out / "versions" / version / "objectives.yml").read_text().splitlines()
    changed = [(a, b) for a, b in zip(old, new, strict=True) if a != b]
    assert changed == [("    target: 0.50", "    target: 0.7")]
    assert sorted(p.name for p in (out / "versions" / version).iterdir()) == \
        ["objectives.yml", "version.yml"]
    meta = YAML(typ="safe").load((out / "versions" / version / "version.yml").read_text())
    assert meta["in_force_from"] == "2026-01"
    # the definitions folder is copied unchanged
    assert (out / "objectives.yml").read_text() == (source / "objectives.yml").read_text()
    assert [v.id for v in definition_versions.history(out)] == [*before, version]


def test_an_invalid_draft_fails_and_writes_nothing(source, tmp_path):
    out = tmp_path / "fu" / "draft"
    with pytest.raises(definitions.DefinitionError, match="objectives"):
        write_draft(source, out, [_set(["objectives", 0, "measure"], "no_such_measure")],
                    "2026-01", "test", "2024-01")
    assert not out.exists()
    assert list((tmp_path / "fu").iterdir()) == []


def test_appended_entries_are_written_in_the_files_style(source, tmp_path):
    item = {"segment": "MULTIMORBID", "instruments": ["EQ5D5L"],
            "baseline": {"from_days": -42, "to_days": 30},
            "followups": [{"timepoint": "followup_6m", "at_days": 182, "tolerance_days": 30}],
            "min_baseline_rate": 0.8, "min_followup_rate": 0.6}
    add = Proposal("extend_obligation", "segment:MULTIMORBID", msg("test"), {},
                   "obligations.yml", "obligations[+]", None, [item],
                   {"op": "append", "path": ["obligations"], "items": [item]})
    out = tmp_path / "draft"
    version, _ = write_draft(source, out, [add], "2026-01", "test", "2024-01")
    text = (out / "versions" / version / "obligations.yml").read_text()
    assert "  - segment: MULTIMORBID\n    instruments: [EQ5D5L]\n" \
           "    baseline: {from_days: -42, to_days: 30}\n" in text
    in_force = definition_versions.latest(source).files["obligations.yml"]
    assert text.startswith(in_force.read_text().splitlines()[0])
    assert text.count("- segment: MULTIMORBID") == 1
