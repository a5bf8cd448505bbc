"""PROM scoring outside the pipeline: `arvo score` and the `score` flow run the dbt model.

The dbt unit tests (dbt_project/models/intermediate/scoring/_scoring__models.yml) check
each instrument's rules on hand-made rows; here the same model scores real data through
the path `arvo score` takes: every record of NHS England's PROMs 2016-17 hip and knee
data pack must get the EQ-5D-3L index NHS published, and every EQ-5D-5L state the
crosswalk value of CW.csv. All scoring calls share one workspace, so dbt parses once.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from arvo import scoring
from arvo.config import REPO_ROOT
from arvo.contract import INSTRUMENT_ITEMS
from arvo.scoring import ScoreInputError, ScoreModelError, ScoreParams
from flows.cli import main
from flows.scoring import score

NHS_DIR = REPO_ROOT.parent / "shared" / "data" / "nhs-proms-2016-17"
NHS_PACKS = ("Hip_Replacement_Provider_1617.csv.zip", "Knee_Replacement_Provider_1617.csv.zip")
CROSSWALK = REPO_ROOT.parent / "shared" / "data" / "eq5d-value-sets" / "CW.csv"


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    return tmp_path_factory.mktemp("scoring")


def run(home: Path, instrument: str, file: Path, **options):
    return score(ScoreParams(instrument=instrument, file=file, home=home, **options))


# ------------------------------------------------------------------ one contract

def test_contract_suite_definitions_and_catalogue_agree():
    """Item ranges: arvo/contract.py = the GE suite; instruments everywhere the same."""
    suite = json.loads((REPO_ROOT / "expectations" / "suites" / "proms.json").read_text())
    ranges: dict[str, dict[str, tuple[int, int]]] = {}
    for exp in suite["expectations"]:
        condition = exp["kwargs"].get("row_condition", "")
        if exp["type"] == "expect_column_values_to_be_between" and condition:
            instrument = condition.split('"')[1]
            kw = exp["kwargs"]
            ranges.setdefault(instrument, {})[kw["column"]] = (kw["min_value"], kw["max_value"])
            assert exp["meta"]["rule"].endswith("_range")
            assert {"category", "subcategory", "severity", "threshold", "rationale",
                    "reason"} <= exp["meta"].keys()
    assert ranges == INSTRUMENT_ITEMS

    measures = pd.read_csv(REPO_ROOT / "dbt_project" / "seeds" / "prom_measures.csv")
    assert set(measures["instrument"]) == set(INSTRUMENT_ITEMS)
    assert (measures.groupby("instrument")["is_primary"].sum() == 1).all()
    contract_doc = (REPO_ROOT / "docs" / "submission-contract.md").read_text()
    instruments_doc = (REPO_ROOT / "docs" / "instruments.md").read_text()
    for instrument in INSTRUMENT_ITEMS:
        assert f"| `{instrument}` |" in contract_doc
        assert f"`{instrument}`" in instruments_doc


# ------------------------------------------------------------------ real data

def _nhs_questionnaires() -> pd.DataFrame:
    """Every pre-op and post-op questionnaire of the pack: profile and published index."""
    frames = []
    for pack in NHS_PACKS:
        with zipfile.ZipFile(NHS_DIR / pack) as z:
            (name,) = [n for n in z.namelist()
                       if n.endswith(".csv") and not n.startswith("__MACOSX")]
            records = pd.read_csv(io.BytesIO(z.read(name)), encoding="latin-1", dtype=str)
        for when in ("Pre-Op Q", "Post-Op Q"):
            frames.append(pd.DataFrame({
                "pack": pack, "questionnaire": when,
                "profile": records[f"{when} EQ5D Index Profile"],
                "published": pd.to_numeric(records[f"{when} EQ5D Index"]),
            }))
    return pd.concat(frames, ignore_index=True)


def test_nhs_proms_2016_17_eq5d3l_index_matches_every_record(home, tmp_path, prefect_server):
    """NHS publishes each questionnaire's EQ-5D-3L index (UK TTO, 3 decimals); Arvo's
    score of its profile must equal it to 3 decimals. Profiles with a missing dimension
    (NHS codes it 9) have no published index and are excluded, and counted."""
    q = _nhs_questionnaires()
    complete = q["profile"].str.fullmatch(r"[1-3]{5}")
    excluded = q[~complete]
    assert excluded["published"].isna().all()  # NHS gives no index without all five
    checked = q[complete]

    profiles = sorted(checked["profile"].unique())
    file = tmp_path / "nhs_profiles.csv"
    with file.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["response_id", "q1", "q2", "q3", "q4", "q5", "q6"])
        writer.writerows([p, *p, ""] for p in profiles)
    result = run(home, "EQ5D3L", file)  # default value set: UK (Dolan 1997)
    assert result.basis == {"eq5d_index": "EQ-5D-3L TTO value set UK"}
    ours = dict(zip(result.scored["response_id"], result.scored["eq5d_index"], strict=True))

    arvo = checked["profile"].map(ours).round(3)
    mismatches = checked[arvo != checked["published"].round(3)]
    assert mismatches.empty, mismatches.head(20)
    # 91,845 records (44,241 hip, 47,604 knee), each with a pre-op and a post-op form
    assert len(q) == 2 * 91_845
    assert len(checked) == 174_518 and len(excluded) == 9_172
    assert len(profiles) == 181  # of the 243 EQ-5D-3L states


def test_uk_crosswalk_gives_cw_csv_value_for_every_5l_state(home, tmp_path, prefect_server):
    cw = pd.read_csv(CROSSWALK, dtype={0: str}).rename(columns={"Unnamed: 0": "state"})
    file = tmp_path / "states.csv"
    rows = ["id;q1;q2;q3;q4;q5;q6"] + [f"s{s};{';'.join(s)};" for s in cw["state"]]
    file.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = run(home, "EQ5D5L", file, eq5d5l_method="crosswalk", value_set="UK")
    assert result.rows_scored == 3125 and not result.issues
    assert result.basis["eq5d_index"] == "EQ-5D-5L crosswalk UK"
    got = result.scored.set_index("id")["eq5d_index"]
    expected = cw.set_index("s" + cw["state"])["UK"]
    assert (got.reindex(expected.index) == expected).all()
    assert result.separator == ";" and "0,879" in result.to_csv()  # 11112, decimal comma


# ------------------------------------------------------------------ the command

GAD7_FILE = """\
response_id,clinic,q1,q2,q3,q4,q5,q6,q7
g1,north,0,1,0,1,0,1,0
g2,north,3,3,2,2,2,2,1
g3,south,1,1,1,4,1,1,1
g4,south,2,2,2,,2,2,2
g5,south,1,1,,,1,1,1
"""


def test_arvo_score_scores_good_rows_and_names_a_bad_rows_row_and_column(
        home, tmp_path, prefect_server):
    file = tmp_path / "gad7.csv"
    file.write_text(GAD7_FILE)
    out = tmp_path / "scored.csv"
    result = CliRunner().invoke(main, ["score", "gad7", str(file), "--home", str(home),
                                       "--out", str(out)])
    assert result.exit_code == 1, result.output  # a row was not scored
    # the instrument as seed prom_measures labels it (arvo.prom_measures)
    assert f"{file}: row 3, column q4: 4 is outside 0-3, the range of q4 in GAD-7" \
        in result.stderr
    assert "4 of 5 rows" in result.stderr

    scored = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(scored.columns) == ["response_id", "clinic", *INSTRUMENT_ITEMS["GAD7"],
                                    "gad7_total", "gad7_total_band"]
    assert scored["clinic"].tolist() == ["north", "north", "south", "south", "south"]
    assert scored.set_index("response_id")[["gad7_total", "gad7_total_band"]].to_dict(
        "index") == {
        "g1": {"gad7_total": "3", "gad7_total_band": "minimal"},
        "g2": {"gad7_total": "15", "gad7_total_band": "severe"},
        "g3": {"gad7_total": "", "gad7_total_band": ""},  # q4 = 4: not scored
        "g4": {"gad7_total": "14", "gad7_total_band": "moderate"},  # 12 / 6 x 7
        "g5": {"gad7_total": "", "gad7_total_band": ""},  # two items missing
    }


def test_arvo_score_refuses_a_file_without_the_items(tmp_path, prefect_server):
    file = tmp_path / "kccq.csv"
    file.write_text("response_id;q1;q2;q3;q4;q5;q6\nk1;5;5;5;5;7;7\n", encoding="cp1252")
    result = CliRunner().invoke(main, ["score", "KCCQ12", str(file), "--home",
                                       str(tmp_path / "home")])
    assert result.exit_code == 2
    assert (f"{file}: row 0, column q7: the header lacks item column(s) q7, q8, q9, q10, "
            "q11, q12 of KCCQ-12 (expected") in result.stderr
    assert result.stdout == ""

    unknown = CliRunner().invoke(main, ["score", "EQ5D3L", str(file), "--value-set", "Mars"])
    assert unknown.exit_code == 2
    assert "eq5d3l value set 'Mars' is not available; choose one of: Argentina" in \
        unknown.stderr


# ------------------------------------------------------------------ failures fail the flow

def test_an_unreadable_file_fails_the_flow(tmp_path, prefect_server):
    file = tmp_path / "phq9.csv"
    file.write_text("response_id,q1,q2\np1,0,1\n")
    state = score(ScoreParams(instrument="PHQ9", file=file, home=tmp_path / "home"),
                  return_state=True)
    assert state.is_failed()
    with pytest.raises(ScoreInputError, match="the header lacks item column"):
        state.result()


def test_a_scoring_model_that_cannot_run_fails_the_flow_and_the_command(
        tmp_path, monkeypatch, prefect_server):
    def broken(data, settings, vars_):
        raise ScoreModelError("the scoring model could not run with these options: boom")

    monkeypatch.setattr(scoring, "run_scoring_model", broken)
    file = tmp_path / "gad7.csv"
    file.write_text(GAD7_FILE)
    state = score(ScoreParams(instrument="GAD7", file=file, home=tmp_path / "home"),
                  return_state=True)
    assert state.is_failed()

    result = CliRunner().invoke(main, ["score", "GAD7", str(file), "--home",
                                       str(tmp_path / "home")])
    assert result.exit_code == 2
    assert "error: the scoring model could not run with these options: boom" in result.stderr
    assert result.stdout == ""


def test_no_identity_code_in_what_scoring_says(tmp_path):
    """A file without its header (its first line a client's row) and an identity code in
    an item cell: the messages name row and column but never the code."""
    code = "131052-308T"
    headless = tmp_path / "eq.csv"
    headless.write_text(f"{code};1;2;3;4;5;70\n", encoding="utf-8")
    with pytest.raises(ScoreInputError) as caught:
        scoring.read_input(headless, "EQ5D5L")
    assert "row 0, column q1" in str(caught.value) and code not in str(caught.value)
    swapped = tmp_path / "phq.csv"
    swapped.write_text("response_id;q1;q2;q3;q4;q5;q6;q7;q8;q9\n"
                       f"p1;{code};0;0;0;0;0;0;0;0\n", encoding="utf-8")
    data = scoring.read_input(swapped, "PHQ9")
    [issue] = data.issues
    assert (issue.row, issue.column) == (1, "q1") and "not a whole number" in str(issue)
    assert code not in str(issue) and code not in issue.message
