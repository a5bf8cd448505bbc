import csv
import shutil
from pathlib import Path

import pytest

from flows import definitions
from flows.config import REPO_ROOT

DEFS = REPO_ROOT / "definitions"


@pytest.fixture
def defs_copy(tmp_path) -> Path:
    shutil.copytree(DEFS, tmp_path / "definitions")
    return tmp_path / "definitions"


def test_shipped_definitions_load():
    defs = definitions.load(DEFS)
    assert len(defs.providers) == 12
    assert {p.sector for p in defs.providers} == {"public", "private", "third"}
    assert len(defs.segments) >= 4
    assert "HNHC" in [s.code for s in defs.segments]


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("file, old, new, expected", [
    ("segments.yml", 'op: ">=", value: 0.90', 'op: "~", value: 0.90',
     r"segments.yml: segments\[0\].when\[0\].op"),
    ("providers.yml", '"2358253-3"', '"2358253-4"', r"providers.yml: providers\[0\].id"),
    ("obligations.yml", "package: DEPRESSION", "package: DEPRESSON",
     r"obligations.yml: obligations\[0\].package: unknown package"),
    ("segments.yml", "    when: []", "    when:\n      - {feature: age, op: '>', value: 1}",
     r"segments.yml: segments: the last segment"),
    ("packages.yml", "instruments: [EQ5D5L, PHQ9]}", "instruments: [EQ5D5L, SF36]}",
     r"packages.yml: packages\[0\].instruments\[1\]"),
])
def test_invalid_definitions_name_file_and_key(defs_copy, file, old, new, expected):
    _edit(defs_copy / file, old, new)
    with pytest.raises(definitions.DefinitionError, match=expected):
        definitions.load(defs_copy)


def test_compiled_tables_for_dbt(tmp_path):
    out = definitions.compile_for_dbt(definitions.load(DEFS), tmp_path)
    with (out / "segment_rules.csv").open() as fh:
        rules = list(csv.DictReader(fh))
    hnhc = [r for r in rules if r["segment_code"] == "HNHC"]
    assert {r["feature"] for r in hnhc} == {"cost_percentile", "social_service_types",
                                             "health_service_types"}
    assert not [r for r in rules if r["segment_code"] == "MOSTLY_HEALTHY"]
    with (out / "obligations.csv").open() as fh:
        followup = [r for r in csv.DictReader(fh)
                    if r["package_code"] == "DEPRESSION" and r["timepoint"] == "followup_6m"]
    assert {(r["from_days"], r["to_days"]) for r in followup} == {("152", "212")}
