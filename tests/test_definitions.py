import csv
from pathlib import Path

import pytest

from arvo import definition_tables, definitions
from arvo.config import REPO_ROOT
from tests.conftest import first_version_copy

DEFS = REPO_ROOT / "definitions"


@pytest.fixture
def defs_copy(tmp_path) -> Path:
    first_version_copy(tmp_path / "definitions")
    return tmp_path / "definitions"


def test_shipped_definitions_load():
    defs = definitions.load(DEFS)
    assert len(defs.providers) == 23
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
    # obligations: sector, schedule, repeat and restart
    ("obligations.yml", "    sector: third", "    sector: charity",
     r"obligations.yml: obligations\[6\].sector: Input should be 'all', 'public'"),
    ("obligations.yml", "    sector: third", "    sector: all",
     r"obligations.yml: obligations\[6\].sector: package CASE_MANAGEMENT already has "
     r"obligations for sector 'all' \(obligations\[5\]\)"),
    ("obligations.yml", "{timepoint: followup_12m, at_days: 365, tolerance_days: 45}",
     "{timepoint: followup_12m, at_days: 150, tolerance_days: 45}",
     r"obligations.yml: obligations\[3\]: followups\[1\].at_days must be later"),
    ("obligations.yml", "{timepoint: followup_12m, at_days: 365, tolerance_days: 45}",
     "{timepoint: followup_12m, at_days: 365, tolerance_days: 200}",
     r"obligations.yml: obligations\[3\]: followups\[1\]: its window \(from day 165\) "
     r"overlaps the window before it \(to day 212\)"),
    ("obligations.yml", "{timepoint: followup_12m, at_days: 365, tolerance_days: 45}",
     "{timepoint: followup_6m, at_days: 365, tolerance_days: 45}",
     r"obligations.yml: obligations\[3\]: followups\[1\].timepoint 'followup_6m' is used "
     r"twice"),
    ("obligations.yml", "{timepoint: followup_30d, at_days: 30, tolerance_days: 10}",
     "{timepoint: Followup 30d, at_days: 30, tolerance_days: 10}",
     r"obligations.yml: obligations\[2\].followups\[0\].timepoint: String should match"),
    ("obligations.yml", "{timepoint: followup_30d, at_days: 30, tolerance_days: 10}",
     "{timepoint: baseline, at_days: 30, tolerance_days: 10}",
     r"obligations.yml: obligations\[2\].followups\[0\].timepoint: 'baseline' is the"),
    ("obligations.yml", "every_days: 182, tolerance_days: 30, until_days: 730",
     "every_days: 182, tolerance_days: 91, until_days: 730",
     r"obligations.yml: obligations\[2\].repeat: tolerance_days must be less than half"),
    ("obligations.yml", "every_days: 182, tolerance_days: 30, until_days: 730",
     "every_days: 182, tolerance_days: 30, until_days: 300",
     r"obligations.yml: obligations\[2\]: repeat: until_days leaves no repeated follow-up"),
    ("obligations.yml", "every_days: 182, tolerance_days: 30, until_days: 730",
     "every_days: 182, tolerance_days: 30, until_days: 730, often: yes",
     r"obligations.yml: obligations\[2\].repeat.often: Extra inputs are not permitted"),
    ("obligations.yml", "service_codes: [INPATIENT_DAY, ER_VISIT]",
     "service_codes: [INPATIENT_DAY, ER_VIST]",
     r"obligations.yml: obligations\[2\].restart.service_codes\[1\]: unknown service code "
     r"'ER_VIST'"),
    ("obligations.yml", "icd10_prefixes: [I50]", "icd10_prefixes: [I50, heart]",
     r"obligations.yml: obligations\[2\].restart.icd10_prefixes: 'heart' is not an ICD-10 "
     r"code prefix"),
    ("obligations.yml", "service_codes: [INPATIENT_DAY, ER_VISIT]", "service_codes: []",
     r"obligations.yml: obligations\[2\].restart.service_codes: List should have at least"),
    ("obligations.yml", "min_days_between: 30", "min_days_between: 0",
     r"obligations.yml: obligations\[2\].restart.min_days_between: Input should be greater"),
    ("obligations.yml", "    min_followup_rate: 0.50", "    min_followup_rate: 50",
     r"obligations.yml: obligations\[6\].min_followup_rate: Input should be less than or"),
    # segment obligations: exactly one of package and segment, a known segment, one entry
    # per segment and sector, supported instruments
    ("obligations.yml", "  - segment: HNHC\n", "  - segment: HNHC\n    package: HOME_CARE\n",
     r"obligations.yml: obligations\[7\]: both `package` and `segment` are given"),
    ("obligations.yml", "  - segment: HNHC\n    instruments:", "  - instruments:",
     r"obligations.yml: obligations\[7\]: neither `package` nor `segment` is given"),
    ("obligations.yml", "  - segment: HNHC\n", "  - segment: HNHX\n",
     r"obligations.yml: obligations\[7\].segment: unknown segment 'HNHX' \(not in "
     r"segments.yml\)"),
    ("obligations.yml", "  - segment: HNHC\n", "  - segment: [HNHC]\n",
     r"obligations.yml: obligations\[7\].segment: Input should be a valid string"),
    ("obligations.yml", "  - segment: HNHC\n    instruments: [EQ5D5L]",
     "  - segment: HNHC\n    instruments: [EQ5D5L, SF36]",
     r"obligations.yml: obligations\[7\].instruments\[1\]: Input should be 'EQ5D5L'"),
    ("obligations.yml", "  - segment: HNHC\n    instruments: [EQ5D5L]",
     "  - segment: HNHC\n    instruments: [EQ5D5L, EQ5D5L]",
     r"obligations.yml: obligations\[7\].instruments: an instrument is listed twice"),
    ("obligations.yml", "  - segment: HNHC\n    instruments: [EQ5D5L]",
     "  - segment: HNHC\n    sector: public\n    instruments: [EQ5D5L]\n"
     "    baseline: {from_days: -14, to_days: 14}\n"
     "    min_baseline_rate: 0.80\n    min_followup_rate: 0.60\n"
     "  - segment: HNHC\n    sector: public\n    instruments: [EQ5D5L]",
     r"obligations.yml: obligations\[8\].sector: segment HNHC already has obligations for "
     r"sector 'public' \(obligations\[7\]\); one entry per segment and sector"),
    # the package rule stays: a package obligation's instruments are the package's
    ("obligations.yml", "  - package: HOME_CARE\n    instruments: [EQ5D5L]",
     "  - package: HOME_CARE\n    instruments: [EQ5D5L, PROMIS10]",
     r"obligations.yml: obligations\[4\].instruments\[1\]: PROMIS10 is not an instrument "
     r"of package HOME_CARE"),
    # verdicts: the funnel rules and the case-mix factors
    ("verdicts.yml", "  min_pairs: 30", "  min_pairs: 0",
     r"verdicts.yml: verdicts.min_pairs: Input should be greater than or equal to 1"),
    ("verdicts.yml", "  overdispersion: additive", "  overdispersion: random",
     r"verdicts.yml: verdicts.overdispersion: Input should be 'additive', 'multiplicative'"),
    ("verdicts.yml", "    - general_health\n", "    - general_health\n    - shoe_size\n",
     r"verdicts.yml: verdicts.case_mix_factors\[5\]: Input should be 'age_band'"),
    ("packages.yml", "instruments: [EQ5D5L, PHQ9]}", "instruments: [EQ5D5L, PHQ9], "
     "case_mix_factors: [age, sex]}",
     r"packages.yml: packages\[0\].case_mix_factors\[0\]: Input should be 'age_band'"),
    # a provider's report language is one Arvo has a catalogue for
    ("providers.yml", "csv_fi, language: sv}", "csv_fi, language: de}",
     r"providers.yml: providers\[8\].language: Input should be 'fi', 'sv' or 'en'"),
])
def test_invalid_definitions_name_file_and_key(defs_copy, file, old, new, expected):
    _edit(defs_copy / file, old, new)
    with pytest.raises(definitions.DefinitionError, match=expected):
        definitions.load(defs_copy)


def test_compiled_tables_for_dbt(tmp_path):
    out = definition_tables.compile_for_dbt(definitions.load(DEFS), tmp_path)
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


def test_verdict_rules_and_case_mix_factors(defs_copy, tmp_path):
    """verdicts.yml is optional (defaults); a package may declare its own factors; both
    reach dbt as tables."""
    defs = definitions.load(DEFS)
    assert (defs.verdicts.min_pairs, defs.verdicts.overdispersion) == (30, "additive")
    (defs_copy / "verdicts.yml").unlink()
    _edit(defs_copy / "packages.yml", "instruments: [EQ5D5L, PHQ9]}",
          "instruments: [EQ5D5L, PHQ9], case_mix_factors: [age_band, sex]}")
    own = definitions.load(defs_copy)
    assert own.verdicts == definitions.Verdicts()
    assert own.case_mix_factors("DEPRESSION") == ["age_band", "sex"]
    assert own.case_mix_factors("HOME_CARE")[:3] == ["age_band", "sex", "chronic_conditions"]
    out = definition_tables.compile_for_dbt(own, tmp_path)
    with (out / "case_mix_factors.csv").open() as fh:
        factors = [r for r in csv.DictReader(fh) if r["package_code"] == "DEPRESSION"]
    assert [(r["factor"], r["factor_order"]) for r in factors] == [("age_band", "0"),
                                                                    ("sex", "1")]
    with (out / "verdict_rules.csv").open() as fh:
        assert list(csv.DictReader(fh)) == [{"min_pairs": "30", "overdispersion": "additive",
                                             "winsorise": "0.1"}]


def test_obligation_schedules():
    defs = definitions.load(DEFS)
    by_key = {(ob.package, ob.sector): ob for ob in defs.obligations}
    hf = by_key[("HEART_FAILURE", "all")]
    assert [(t.name, t.at_days, t.from_days, t.to_days, t.measure, t.while_open)
            for t in hf.schedule()] == [
        ("baseline", 0, -14, 14, "participation", False),
        ("followup_30d", 30, 20, 40, "paired", False),
        ("followup_6m", 182, 152, 212, "paired", False),
        ("followup_12m", 364, 334, 394, "paired", True),
        ("followup_18m", 546, 516, 576, "paired", True),
        ("followup_24m", 728, 698, 758, "paired", True),
    ]
    assert hf.restart is not None and hf.restart.icd10_prefixes == ["I50"]
    assert set(hf.restart.service_codes) == {"INPATIENT_DAY", "ER_VISIT"}
    hip = by_key[("HIP_KNEE", "all")]
    assert [t.name for t in hip.schedule()] == ["baseline", "followup_6m", "followup_12m"]
    third = by_key[("CASE_MANAGEMENT", "third")]
    assert (third.min_baseline_rate, third.schedule()[0].to_days) == (0.7, 45)
    assert third.rationale
    assert defs.timepoints[0] == "baseline"
    assert {"followup_30d", "followup_6m", "followup_12m", "followup_24m"} <= set(
        defs.timepoints)


def test_obligations_stay_backwards_compatible(defs_copy):
    """An entry in the original form (no sector, repeat or restart) still loads."""
    (defs_copy / "obligations.yml").write_text(
        "obligations:\n"
        "  - package: DEPRESSION\n"
        "    instruments: [EQ5D5L, PHQ9]\n"
        "    baseline: {from_days: -14, to_days: 14}\n"
        "    followups:\n"
        "      - {timepoint: followup_6m, at_days: 182, tolerance_days: 30}\n"
        "    min_baseline_rate: 0.80\n"
        "    min_followup_rate: 0.60\n", encoding="utf-8")
    defs = definitions.load(defs_copy)
    (ob,) = defs.obligations
    assert (ob.sector, ob.repeat, ob.restart, ob.severity) == ("all", None, None, "error")
    assert [t.name for t in ob.schedule()] == ["baseline", "followup_6m"]


def test_compiled_obligations_and_restarts(tmp_path):
    out = definition_tables.compile_for_dbt(definitions.load(DEFS), tmp_path)
    with (out / "obligations.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == list(definition_tables.OBLIGATION_COLUMNS)
    keys = [(r["package_code"], r["segment_code"], r["sector"], r["instrument"],
             r["timepoint"]) for r in rows]
    assert len(keys) == len(set(keys))
    hf = [r for r in rows if r["package_code"] == "HEART_FAILURE"]
    assert [r["timepoint"] for r in hf] == ["baseline", "followup_30d", "followup_6m",
                                            "followup_12m", "followup_18m", "followup_24m"]
    assert {r["restarts"] for r in hf} == {"true"}
    assert [r["while_open"] for r in hf] == ["false"] * 3 + ["true"] * 3
    assert {r["measure"] for r in hf[1:]} == {"paired"} and hf[0]["measure"] == "participation"
    third = [r for r in rows if r["sector"] == "third" and r["package_code"]]
    assert {r["package_code"] for r in third} == {"CASE_MANAGEMENT"}
    assert {r["min_rate"] for r in third} == {"0.7", "0.5"}
    with (out / "obligation_restarts.csv").open() as fh:
        restarts = list(csv.DictReader(fh))
    assert list(restarts[0]) == list(definition_tables.RESTART_COLUMNS)
    assert {(r["package_code"], r["segment_code"], r["sector"], r["service_code"],
             r["icd10_prefix"], r["min_days_between"]) for r in restarts} == {
        ("HEART_FAILURE", "", "all", "INPATIENT_DAY", "I50", "30"),
        ("HEART_FAILURE", "", "all", "ER_VISIT", "I50", "30")}


def test_segment_obligation_may_name_any_instrument(defs_copy):
    """A segment obligation binds episodes of any package: its instruments need not be a
    package's; the sector-specific entry of a segment stands beside its `all` entry."""
    path = defs_copy / "obligations.yml"
    path.write_text(path.read_text(encoding="utf-8") + (
        "  - segment: FRAIL_ELDERLY\n"
        "    instruments: [PROMIS10, EQ5D5L]\n"
        "    baseline: {from_days: -14, to_days: 30}\n"
        "    min_baseline_rate: 0.70\n"
        "    min_followup_rate: 0.50\n"
        "  - segment: FRAIL_ELDERLY\n"
        "    sector: third\n"
        "    instruments: [PROMIS10]\n"
        "    baseline: {from_days: -14, to_days: 45}\n"
        "    min_baseline_rate: 0.60\n"
        "    min_followup_rate: 0.50\n"), encoding="utf-8")
    defs = definitions.load(defs_copy)
    frail = [ob for ob in defs.obligations if ob.segment == "FRAIL_ELDERLY"]
    assert [(ob.scope, ob.scope_code, ob.package, ob.sector) for ob in frail] == [
        ("segment", "FRAIL_ELDERLY", None, "all"), ("segment", "FRAIL_ELDERLY", None, "third")]
    assert [t.name for t in frail[0].schedule()] == ["baseline"]
    # PROMIS-10 responses are now collected, so the submission contract accepts them
    assert "PROMIS10" in defs.instruments
    assert "PROMIS10" not in definitions.load(DEFS).instruments


def test_shipped_segment_obligation():
    defs = definitions.load(DEFS, "2024-12")  # the first version (v2 adds FRAIL_ELDERLY's)
    hnhc, third = [ob for ob in defs.obligations if ob.scope == "segment"]
    assert (hnhc.segment, hnhc.package, hnhc.scope_code, hnhc.sector) == (
        "HNHC", None, "HNHC", "all")
    assert hnhc.instruments == ["EQ5D5L"] and hnhc.rationale
    assert [(t.name, t.from_days, t.to_days, t.measure) for t in hnhc.schedule()] == [
        ("baseline", -42, 30, "participation"), ("followup_6m", 152, 212, "paired")]
    # third-sector providers: a longer baseline window and lower rates, as for their
    # case management
    assert (third.segment, third.sector, third.min_baseline_rate, third.min_followup_rate) == (
        "HNHC", "third", 0.7, 0.5)
    assert third.schedule()[0].to_days == 45 and third.rationale
    assert all(ob.scope == "package" and ob.scope_code == ob.package
               for ob in defs.obligations if ob not in (hnhc, third))


def test_compiled_segment_obligations(tmp_path):
    out = definition_tables.compile_for_dbt(definitions.load(DEFS, "2024-12"), tmp_path)
    with (out / "obligations.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    segment = [r for r in rows if r["segment_code"]]
    assert [(r["package_code"], r["segment_code"], r["sector"], r["instrument"],
             r["timepoint"], r["from_days"], r["to_days"], r["min_rate"]) for r in segment] == [
        ("", "HNHC", "all", "EQ5D5L", "baseline", "-42", "30", "0.8"),
        ("", "HNHC", "all", "EQ5D5L", "followup_6m", "152", "212", "0.6"),
        ("", "HNHC", "third", "EQ5D5L", "baseline", "-42", "45", "0.7"),
        ("", "HNHC", "third", "EQ5D5L", "followup_6m", "152", "212", "0.5")]
    assert all(r["package_code"] and not r["segment_code"] for r in rows if r not in segment)
    assert segment[0]["rationale"].startswith("The HNHC segment")


def test_nhs_ods_scheme_accepts_organisation_codes_and_rejects_business_ids(defs_copy):
    path = defs_copy / "providers.yml"
    _edit(path, "providers:\n", "id_scheme: nhs-ods\nproviders:\n")
    _edit(path, '"2358253-3"', '"RRF"')
    with pytest.raises(definitions.DefinitionError,
                       match=r"providers.yml: providers\[1\].id: '1632707-5' is not an NHS ODS "
                             r"organisation code"):
        definitions.load(defs_copy)


def test_unknown_id_scheme_is_named(defs_copy):
    _edit(defs_copy / "providers.yml", "providers:\n", "id_scheme: duns\nproviders:\n")
    with pytest.raises(definitions.DefinitionError,
                       match=r"providers.yml: id_scheme: Input should be 'y-tunnus' or 'nhs-ods'"):
        definitions.load(defs_copy)
