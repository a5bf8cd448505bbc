"""`arvo define`: a bad draft segmentation is refused in one line naming the file, the key,
what is wrong and what is allowed, before any flow runs (arvo.drafts)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from arvo.config import REPO_ROOT
from arvo.definitions import DefinitionError, load
from arvo.drafts import load_draft
from flows.cli import main

SEGMENT = ("{{code: {code}, priority: {priority}, kaiser_level: x, name_fi: x, name_en: x, "
           "when: {when}}}")


def _draft(tmp_path, *segments: str, extra: str = "") -> str:
    path = tmp_path / "draft.yml"
    path.write_text("segments:\n" + "".join(f"  - {s}\n" for s in segments) + extra,
                    encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(("segments", "extra", "key", "what"), [
    ((SEGMENT.format(code="A", priority=1,
                     when='[{feature: agee, op: ">=", value: 1}]'),
      SEGMENT.format(code="B", priority=2, when="[]")), "",
     "segments[0].when[0].feature", "Input should be 'age', 'chronic_conditions'"),
    ((SEGMENT.format(code="A", priority=1, when='[{feature: age, op: "=>", value: 1}]'),
      SEGMENT.format(code="B", priority=2, when="[]")), "",
     "segments[0].when[0].op", "Input should be '>=', '>', '<=', '<' or '='"),
    ((SEGMENT.format(code="A", priority=1, when="[]"),
      SEGMENT.format(code="B", priority=1, when="[]")), "",
     "segments", "two segments share a priority"),
    ((SEGMENT.format(code="A", priority=1, when='[{feature: age, op: ">", value: 1}]'),),
     "", "segments", "the last segment by priority must have `when: []`"),
    ((SEGMENT.format(code="A", priority=1, when="[]"),), "packages: []\n",
     "packages", "unknown key (allowed: segments, chronic_conditions)"),
])
def test_a_bad_draft_is_one_line(tmp_path, segments, extra, key, what):
    draft = _draft(tmp_path, *segments, extra=extra)
    result = CliRunner().invoke(main, ["define", "--period", "2024-12", "--home",
                                       str(tmp_path / "var"), "--segments", draft])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert f"{draft}: {key}: {what}" in result.output


def test_the_current_segments_are_a_valid_draft():
    defs = load(REPO_ROOT / "definitions")
    assert load_draft(REPO_ROOT / "definitions" / "segments.yml", defs) == defs.segments


def test_a_draft_may_not_change_the_condition_groups(tmp_path):
    draft = _draft(tmp_path, SEGMENT.format(code="A", priority=1, when="[]"),
                   extra="chronic_conditions:\n  - {group: gout, prefixes: [M10]}\n")
    with pytest.raises(DefinitionError, match="chronic_conditions: differ from"):
        load_draft(draft, load(REPO_ROOT / "definitions"))
