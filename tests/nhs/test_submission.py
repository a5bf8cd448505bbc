"""`arvo import nhs-proms` on a small hand-made pack in NHS's layout."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from arvo import definitions, hetu
from arvo.contract import CASE_MIX_CODES, ENTITIES
from arvo.nhs import pack
from arvo.nhs.pack import PackError
from arvo.nhs.submission import IMPORT_PERIOD, import_pack, import_period

DIMS = ("Mobility", "Self-Care", "Activity", "Discomfort", "Anxiety")
EPISODE_COLUMNS = ENTITIES["episodes"].names


def _record(provider: str, revision: str = "0", age: str = "60 to 69", gender: str = "2",
            pre_dims: str = "22231", post_dims: str = "11111", pre_vas: str = "40",
            post_vas: str = "90", pre_items: str = "1" * 12, post_items: str = "4" * 12,
            predicted: str = "0.7", kind: str = "Hip") -> dict[str, str]:
    rec = {"Provider Code": provider, "Procedure": f"{kind} Replacement",
           "Revision Flag": revision, "Year": "2016/17", "Age Band": age, "Gender": gender}
    for when, dims, vas in (("Pre-Op", pre_dims, pre_vas), ("Post-Op", post_dims, post_vas)):
        rec.update({f"{when} Q {d}": v for d, v in zip(DIMS, dims, strict=True)})
        rec[f"{when} Q EQ5D Index"] = ""
        rec[f"{when} Q EQ VAS"] = vas
    rec[f"{kind} Replacement EQ5D Index Post-Op Q Predicted"] = predicted
    for when, items in (("Pre-Op", pre_items), ("Post-Op", post_items)):
        for i, v in enumerate(items, start=1):
            rec[f"{kind} Replacement {when} Q Item{i:02d}"] = v
        rec[f"{kind} Replacement {when} Q Score"] = ""
    return rec


def _write_pack(folder: Path, hips: list[dict], knees: list[dict], zipped: bool = True,
                pattern: str = "{kind} Replacement Provider 1617.csv") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for kind, rows in (("Hip", hips), ("Knee", knees)):
        text = io.StringIO()
        writer = csv.DictWriter(text, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
        name = pattern.format(kind=kind)
        data = text.getvalue().encode("latin-1")
        if zipped:
            with zipfile.ZipFile(folder / f"{name.replace(' ', '_')}.zip", "w") as zf:
                zf.writestr(name, data)
                zf.writestr(f"__MACOSX/._{name}", b"\x00\x05")
        else:
            (folder / name).write_bytes(data)
    provcomm = ("Procedure,Organisation Type,Organisation Code,Organsation Name,Measure,"
                "Modelled Records\nHip Replacement Primary,Provider,RXX,ST ELSEWHERE "
                "HOSPITAL,EQ VAS,2\n")
    (folder / "ProvComm Hip and Knee Replacement 1617.csv").write_text(provcomm,
                                                                        encoding="latin-1")
    return folder


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@pytest.fixture
def small_pack(tmp_path):
    hips = [
        _record("RXX"),
        _record("RXX", revision="1", age="*", gender="*", pre_dims="29231", pre_vas="999",
                pre_items="1" * 11 + "9"),
        _record("NT101", predicted=""),  # not in NHS's case-mix model
    ]
    knees = [_record("RXX", kind="Knee", post_items="9" * 12)]
    return _write_pack(tmp_path / "pack", hips, knees)


def test_records_become_episodes_and_responses_in_the_contract(small_pack, tmp_path):
    summary = import_pack(small_pack, tmp_path / "out")
    assert summary.records == {"Hip_Replacement_Provider_1617.csv.zip": 3,
                               "Knee_Replacement_Provider_1617.csv.zip": 1}
    assert summary.providers == 2 and summary.episodes == 4 and summary.excluded == 0
    folder = tmp_path / "out" / "raw" / "RXX" / IMPORT_PERIOD
    episodes = _read(folder / "episodes.csv")
    assert list(episodes["episode_id"]) == ["HIP-000001", "HIP-000002", "KNEE-000001"]
    assert list(episodes["package_code"]) == ["HIP_PRIMARY", "HIP_REVISION", "KNEE_PRIMARY"]
    assert all(hetu.is_valid(h) for h in episodes["hetu"])
    assert episodes["hetu"].is_unique
    facts = hetu.parse(episodes["hetu"].iloc[0])
    start = pd.Timestamp(episodes["start_date"].iloc[0]).date()
    age = start.year - facts.birth_date.year - ((start.month, start.day) <
                                                (facts.birth_date.month, facts.birth_date.day))
    assert 60 <= age <= 69 and facts.sex == "F"
    proms = _read(folder / "proms.csv").set_index("response_id")
    first = proms.loc["HIP-000001-EQ5D3L-baseline"]
    assert [first[f"q{i}"] for i in range(1, 7)] == ["2", "2", "2", "3", "1", "40"]
    assert first["q7"] == ""
    # NHS's 9 (EQ-5D, Oxford) and 999 (EQ-VAS) become empty items
    revision = proms.loc["HIP-000002-EQ5D3L-baseline"]
    assert revision["q2"] == "" and revision["q6"] == ""
    assert proms.loc["HIP-000002-OHS-baseline"]["q12"] == ""
    # a questionnaire with nothing of an instrument answered sends no response for it
    assert "KNEE-000001-OKS-followup_6m" not in proms.index
    assert "KNEE-000001-EQ5D3L-followup_6m" in proms.index
    dates = proms.loc[proms["episode_id"] == "HIP-000001", ["timepoint", "response_date"]]
    days = {tp: (pd.Timestamp(d) - pd.Timestamp(start)).days for tp, d in dates.values}
    assert days == {"baseline": -14, "followup_6m": 182}
    assert _read(folder / "events.csv").empty


def test_definitions_register_loads_with_ods_codes(small_pack, tmp_path):
    summary = import_pack(small_pack, tmp_path / "out")
    defs = definitions.load(summary.definitions_dir)
    assert defs.id_scheme == "nhs-ods"
    by_id = {p.id: p for p in defs.providers}
    assert by_id["RXX"].name == "ST ELSEWHERE HOSPITAL" and by_id["RXX"].sector == "public"
    assert by_id["NT101"].name == "NT101" and by_id["NT101"].sector == "private"
    assert {p.code: p.instruments for p in defs.packages}["KNEE_REVISION"] == ["EQ5D3L", "OKS"]
    # every package's case-mix models use NHS's published case-mix variables
    factors = ["age_band", "sex", *pack.CASE_MIX]
    assert {p.code: defs.case_mix_factors(p.code) for p in defs.packages} == {
        code: factors for code in ("HIP_PRIMARY", "HIP_REVISION", "KNEE_PRIMARY",
                                   "KNEE_REVISION")}


def test_each_nhs_age_band_lands_whole_in_one_case_mix_age_band():
    """int_case_mix_inputs' bands start at 45, 55, ... 85; NHS's at 40, 50, ... 90."""
    from arvo.nhs.submission import _age

    def arvo_band(age: int) -> int:
        return sum(age >= edge for edge in (45, 55, 65, 75, 85))

    for band in ("30 to 39", "40 to 49", "50 to 59", "60 to 69", "70 to 79", "80 to 89",
                 "90 to 120"):
        low = int(band.split()[0])
        ages = {_age(band, row) for row in range(1, 50)}
        assert len(ages) == 5 and all(low <= a <= low + 9 for a in ages), band
        assert len({arvo_band(a) for a in ages}) == 1, band
    assert _age("*", 7) == 70


def test_modelled_only_lists_every_left_out_record(small_pack, tmp_path):
    summary = import_pack(small_pack, tmp_path / "out", modelled_only=True)
    assert summary.excluded == 1 and summary.episodes == 3
    excluded = _read(tmp_path / "out" / "excluded_records.csv")
    assert excluded.to_dict("records") == [{
        "pack_file": "Hip_Replacement_Provider_1617.csv.zip", "row": "3",
        "provider_code": "NT101", "episode_id": "HIP-000003",
        "reason": "not in NHS's case-mix model (no predicted post-op score)"}]
    assert not (tmp_path / "out" / "raw" / "NT101").exists()


def test_unzipped_pack_reads_the_same(tmp_path):
    hips = [_record("RXX")]
    knees = [_record("RXX", kind="Knee")]
    zipped = import_pack(_write_pack(tmp_path / "z", hips, knees), tmp_path / "oz")
    plain = import_pack(_write_pack(tmp_path / "p", hips, knees, zipped=False), tmp_path / "op")
    assert (zipped.episodes, zipped.responses) == (plain.episodes, plain.responses) == (2, 8)


def test_bad_provider_code_names_file_row_and_column(tmp_path):
    folder = _write_pack(tmp_path / "pack", [_record("RXX"), _record("bad code!")],
                         [_record("RXX", kind="Knee")])
    with pytest.raises(PackError, match=r"Hip_Replacement_Provider_1617\.csv\.zip: row 2, "
                                        r"column 'Provider Code': 'bad code!' is not an NHS ODS"):
        import_pack(folder, tmp_path / "out")


def test_missing_column_is_named(tmp_path):
    rec = _record("RXX")
    del rec["Pre-Op Q Mobility"]
    folder = _write_pack(tmp_path / "pack", [rec], [_record("RXX", kind="Knee")])
    with pytest.raises(PackError, match="missing column.*Pre-Op Q Mobility"):
        import_pack(folder, tmp_path / "out")


def test_pack_without_the_files_is_an_error(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(PackError, match="no file matching"):
        pack.find(tmp_path / "empty", pack.PROVCOMM_PATTERN)


def test_cli_import_prints_what_it_wrote_and_the_next_command(small_pack, tmp_path,
                                                               prefect_server):
    from click.testing import CliRunner

    from flows.cli import main

    out = tmp_path / "nhs"
    result = CliRunner().invoke(main, ["import", "nhs-proms", str(small_pack), "--out", str(out),
                                       "--modelled-only"])
    assert result.exit_code == 0, result.output
    assert "wrote 3 episodes" in result.output
    assert "records left out (not in NHS's case-mix model): 1" in result.output
    assert f"arvo steer --home {out} --raw-dir {out / 'raw'}" in result.output
    assert (out / "raw" / "RXX" / IMPORT_PERIOD / "proms.csv").is_file()


# ------------------------------------------------------------------ case mix

CASE_MIX_COLUMNS = ("Pre-Op Q Assisted", "Pre-Op Q Symptom Period", "Pre-Op Q Previous Surgery",
                    "Pre-Op Q Living Arrangements", "Pre-Op Q Disability", "Heart Disease",
                    "High Bp", "Stroke", "Circulation", "Lung Disease", "Diabetes",
                    "Kidney Disease", "Nervous System", "Liver Disease", "Cancer", "Depression",
                    "Arthritis")


def _with_case_mix(rec: dict[str, str], codes: str) -> dict[str, str]:
    """A record with NHS's seventeen pre-op case-mix columns, one code each, in pack order."""
    return {**rec, **dict(zip(CASE_MIX_COLUMNS, codes, strict=True))}


def test_case_mix_variables_map_into_the_contract(tmp_path):
    hips = [_with_case_mix(_record("RXX"), "13121" + "1" * 6 + "9" * 6),
            _with_case_mix(_record("RXX"), "99999" + "9" * 12),
            _with_case_mix(_record("RXX"), "24231" + "9" * 11 + "1")]
    knees = [_with_case_mix(_record("RXX", kind="Knee"), "2122" "1" + "9" * 12)]
    summary = import_pack(_write_pack(tmp_path / "pack", hips, knees), tmp_path / "out")
    assert summary.case_mix_missing == {"general_health"}
    assert ("case-mix fields the pack does not hold (left empty): general_health"
            in summary.lines())
    episodes = _read(tmp_path / "out" / "raw" / "RXX" / IMPORT_PERIOD / "episodes.csv")
    assert list(episodes.columns) == EPISODE_COLUMNS
    fields = episodes.set_index("episode_id")[list(CASE_MIX_CODES)]
    first = fields.loc["HIP-000001"]
    assert (first.assisted_at_baseline, first.symptom_duration, first.previous_surgery,
            first.living_arrangement, first.disability) == ("1", "3", "1", "2", "1")
    assert first.general_health == ""
    comorbidities = [c for c in CASE_MIX_CODES if c.startswith("comorbidity_")]
    # a comorbidity is a tick box: 9 (no tick) is "no", not unknown
    assert first[comorbidities].tolist() == ["1"] * 6 + ["0"] * 6
    unknown = fields.loc["HIP-000002"]
    assert unknown[["assisted_at_baseline", "symptom_duration", "previous_surgery",
                    "living_arrangement", "disability"]].tolist() == [""] * 5
    assert unknown[comorbidities].tolist() == ["0"] * 12
    third = fields.loc["HIP-000003"]
    assert (third.assisted_at_baseline, third.symptom_duration, third.previous_surgery,
            third.living_arrangement, third.disability) == ("0", "4", "0", "3", "1")
    assert third.comorbidity_arthritis == "1"
    knee = fields.loc["KNEE-000001"]
    assert (knee.assisted_at_baseline, knee.disability) == ("0", "1")


def test_a_pack_without_case_mix_columns_leaves_the_fields_empty(small_pack, tmp_path):
    summary = import_pack(small_pack, tmp_path / "out")
    assert summary.case_mix_missing == set(CASE_MIX_CODES)
    episodes = _read(tmp_path / "out" / "raw" / "RXX" / IMPORT_PERIOD / "episodes.csv")
    assert (episodes[list(CASE_MIX_CODES)] == "").all().all()


def test_a_case_mix_code_nhs_does_not_use_names_file_row_and_column(tmp_path):
    hips = [_with_case_mix(_record("RXX"), "1" * 17),
            _with_case_mix(_record("RXX"), "1" * 5 + "2" + "1" * 11)]  # Heart Disease 2
    folder = _write_pack(tmp_path / "pack", hips, [_record("RXX", kind="Knee")])
    with pytest.raises(PackError, match=r"Hip_Replacement_Provider_1617\.csv\.zip: row 2, "
                                        r"column 'Heart Disease': '2' is not one of NHS's codes"):
        import_pack(folder, tmp_path / "out")


def test_no_predicted_score_reaches_the_submissions(tmp_path):
    """NHS's predicted post-op scores are never an input: no column, no value of theirs."""
    marker = "0.98765"
    hips, knees = [], []
    for rows, kind in ((hips, "Hip"), (knees, "Knee")):
        for _ in range(2):
            rec = _with_case_mix(_record("RXX", kind=kind, predicted=marker), "1" * 5 + "9" * 12)
            rec[f"{kind} Replacement EQ VAS Post-Op Q Predicted"] = marker
            rec[f"{kind} Replacement {'OHS' if kind == 'Hip' else 'OKS'} Post-Op Q Predicted"] = \
                marker
            rows.append(rec)
    for modelled_only in (False, True):
        out = tmp_path / f"out{modelled_only}"
        summary = import_pack(_write_pack(tmp_path / "pack", hips, knees), out,
                              modelled_only=modelled_only)
        assert summary.episodes == 4
        files = list((out / "raw").rglob("*.csv"))
        assert len(files) == 3
        for path in files:
            text = path.read_text()
            assert marker not in text, path
            assert "predict" not in text.lower(), path


# ------------------------------------------------------------------ packs of every year

def test_a_later_years_pack_is_read_as_nhs_names_it_and_dated_by_its_year(tmp_path):
    folder = _write_pack(tmp_path / "pack", [_record("RXX"), _record("RXX")],
                         [_record("RXX", kind="Knee")], zipped=False,
                         pattern="{kind} Replacements Provider 1718.csv")
    summary = import_pack(folder, tmp_path / "out")
    assert summary.year == 2017 and summary.period == "2018-09" == import_period(2017)
    assert summary.records == {"Hip Replacements Provider 1718.csv": 2,
                               "Knee Replacements Provider 1718.csv": 1}
    assert summary.lines()[0].endswith("(financial year 2017-18)")
    folder = tmp_path / "out" / "raw" / "RXX" / "2018-09"
    starts = pd.to_datetime(_read(folder / "episodes.csv")["start_date"])
    assert starts.min() == pd.Timestamp("2017-04-02")
    assert starts.max() <= pd.Timestamp("2018-03-31")
    followups = _read(folder / "proms.csv").query("timepoint == 'followup_6m'")
    assert pd.to_datetime(followups["response_date"]).max() <= pd.Timestamp("2018-09-30")
    assert IMPORT_PERIOD == import_period(2016) == "2017-09"


@pytest.mark.parametrize(("name", "year"), [("Hip_Replacement_Provider_1617.csv.zip", 2016),
                                           ("Hip Replacements Provider 1718.csv", 2017),
                                           ("hip_replacements_provider_2021.csv.zip", 2020)])
def test_file_names_of_every_year_are_found(tmp_path, name, year):
    (tmp_path / name).write_bytes(b"")
    assert pack.find(tmp_path, pack.PROCEDURES[0].file_pattern).name == name
    assert pack.financial_year(tmp_path / name) == year


def test_a_pack_that_cannot_be_read_lists_what_it_found_and_expected(tmp_path):
    folder = tmp_path / "pack"
    folder.mkdir()
    (folder / "Hip Replacement Provider 1718.csv").write_text("x\n")
    (folder / "notes.pdf").write_bytes(b"%PDF")
    with pytest.raises(PackError) as err:
        pack.locate(folder)
    message = str(err.value)
    assert "no file matching" in message and "knee" in message
    assert "expected a hip and a knee record-level file" in message
    assert "the folder holds: Hip Replacement Provider 1718.csv, notes.pdf" in message
    (folder / "Knee Replacement Provider 1617.csv").write_text("x\n")
    with pytest.raises(PackError, match=r"of different years \(Hip Replacement Provider "
                                        r"1718\.csv: 2017-18, Knee Replacement Provider "
                                        r"1617\.csv: 2016-17\)"):
        pack.locate(folder)


def test_cli_import_of_an_unreadable_pack_exits_2_without_a_traceback(tmp_path):
    from click.testing import CliRunner

    from flows.cli import main

    folder = tmp_path / "pack"
    folder.mkdir()
    (folder / "Hips 1718.csv").write_text("x\n")
    result = CliRunner().invoke(main, ["import", "nhs-proms", str(folder), "--out",
                                       str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert "error: " in result.output and "the folder holds: Hips 1718.csv" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()
