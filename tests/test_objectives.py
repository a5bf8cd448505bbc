"""definitions/objectives.yml: validated on load with file and key named, compiled for dbt."""

import csv
from pathlib import Path

import pytest

from arvo import definition_tables, definitions
from arvo.config import REPO_ROOT
from arvo.objectives import MEASURES, OBJECTIVE_COLUMNS
from tests.conftest import first_version_copy

DEFS = REPO_ROOT / "definitions"


@pytest.fixture
def defs_copy(tmp_path) -> Path:
    first_version_copy(tmp_path / "definitions")
    return tmp_path / "definitions"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_shipped_objectives_load():
    defs = definitions.load(DEFS)
    by_code = {o.code: o for o in defs.objectives}
    assert {"DEP_RECOVERY", "HNHC_EQ5D_GAIN", "HIP_KNEE_PARTICIPATION",
            "PRIVATE_OBLIGATIONS", "PUBLIC_BASELINE"} <= set(by_code)
    dep = by_code["DEP_RECOVERY"]
    assert (dep.scope, dep.scope_code, dep.measure, dep.instrument, dep.target) == (
        "package", "DEPRESSION", "recovery_rate", "PHQ9", 0.5)
    assert by_code["HNHC_EQ5D_GAIN"].target == "previous_year"
    assert all(o.source for o in defs.objectives)  # every target says where it comes from


@pytest.mark.parametrize("old, new, expected", [
    ("measure: recovery_rate", "measure: recovery",
     r"objectives.yml: objectives\[0\].measure: Input should be 'recovery_rate'"),
    ("package: DEPRESSION", "package: DEPRESSON",
     r"objectives.yml: objectives\[0\].package: unknown package 'DEPRESSON'"),
    ("segment: HNHC", "segment: HNC",
     r"objectives.yml: objectives\[1\].segment: unknown segment 'HNC'"),
    ("    instrument: PHQ9\n", "    instrument: EQ5D5L\n",
     r"objectives.yml: objectives\[0\]: `instrument` 'EQ5D5L' has no recovery_rate: one of "
     r"PHQ9, GAD7"),
    ("    instrument: PHQ9\n", "",
     r"objectives.yml: objectives\[0\]: `instrument` is required for measure recovery_rate"),
    ("target: 0.50\n    near: 0.05", "target: 50\n    near: 0.05",
     r"objectives.yml: objectives\[0\]: `target` 50.0 is not a share from 0 to 1"),
    ("target: previous_year", "target: last_year",
     r"objectives.yml: objectives\[1\].target"),
    ('applies_from: "2025-01"', "applies_from: 2025-13",
     r"objectives.yml: objectives\[0\].applies_from: '2025-13' is not a month YYYY-MM"),
    ("comparison: at_least", "comparison: above",
     r"objectives.yml: objectives\[0\].comparison: Input should be 'at_least' or 'at_most'"),
    ("    package: DEPRESSION\n", "    package: DEPRESSION\n    sector: public\n",
     r"objectives.yml: objectives\[0\]: give exactly one of `segment`, `package` or "
     r"`sector` \(the scope\), not package and sector"),
    ("code: HNHC_EQ5D_GAIN", "code: DEP_RECOVERY",
     r"objectives.yml: objectives\[1\].code: duplicate 'DEP_RECOVERY' \(objectives\[0\]\)"),
    ("    measure: obligations_met_share\n",
     "    measure: obligations_met_share\n    instrument: EQ5D5L\n",
     r"objectives.yml: objectives\[3\]: `instrument` is not used by measure "
     r"obligations_met_share"),
    ("    near: 0.05\n", "    near: -0.05\n",
     r"objectives.yml: objectives\[0\].near: Input should be greater than or equal to 0"),
])
def test_invalid_objectives_name_file_and_key(defs_copy, old, new, expected):
    _edit(defs_copy / "objectives.yml", old, new)
    with pytest.raises(definitions.DefinitionError, match=expected) as err:
        definitions.load(defs_copy)
    assert str(defs_copy / "objectives.yml") in str(err.value)


def test_package_objective_instrument_must_be_the_packages(defs_copy):
    _edit(defs_copy / "objectives.yml", "    package: HIP_KNEE\n    measure: "
          "baseline_participation_rate\n    instrument: EQ5D5L",
          "    package: HIP_KNEE\n    measure: baseline_participation_rate\n"
          "    instrument: PHQ9")
    with pytest.raises(definitions.DefinitionError,
                       match=r"objectives\[2\].instrument: PHQ9 is not an instrument of "
                             r"package HIP_KNEE \(EQ5D5L\)"):
        definitions.load(defs_copy)


def test_objectives_file_is_optional_and_compiles(defs_copy, tmp_path):
    out = definition_tables.compile_for_dbt(definitions.load(DEFS), tmp_path / "compiled")
    with (out / "objectives.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert tuple(rows[0]) == OBJECTIVE_COLUMNS
    hnhc = next(r for r in rows if r["objective_code"] == "HNHC_EQ5D_GAIN")
    assert (hnhc["scope"], hnhc["scope_code"], hnhc["measure_kind"], hnhc["target_kind"],
            hnhc["target"], hnhc["applies_from"], hnhc["min_n"]) == (
        "segment", "HNHC", "mean", "previous_year", "", "2025-01", "10")
    obligations = next(r for r in rows if r["objective_code"] == "PRIVATE_OBLIGATIONS")
    assert (obligations["scope"], obligations["instrument"]) == ("sector", "")

    (defs_copy / "objectives.yml").unlink()
    defs = definitions.load(defs_copy)
    assert defs.objectives == []
    out = definition_tables.compile_for_dbt(defs, tmp_path / "none")
    assert (out / "objectives.csv").read_text(encoding="utf-8").strip() == ",".join(
        OBJECTIVE_COLUMNS)


def test_no_objective_is_judged_on_fewer_clients_than_a_report_shows():
    from arvo.objectives import MIN_CLIENTS
    from arvo.report.disclosure import SMALL_CELL

    assert MIN_CLIENTS == SMALL_CELL


def test_measures_catalogue():
    assert set(MEASURES) == {"recovery_rate", "reliable_improvement_rate", "mid_share",
                             "mean_gain", "baseline_participation_rate",
                             "obligations_met_share"}
    assert MEASURES["recovery_rate"].instruments == ("PHQ9", "GAD7")
    assert MEASURES["mean_gain"].kind == "mean"
    assert MEASURES["obligations_met_share"].instruments == ()
