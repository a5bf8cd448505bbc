"""`arvo check`: a provider folder checked as ingest would, writing nothing (docs/providers.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from arvo.config import REPO_ROOT
from arvo.ingest.check import CheckUsageError, check_submission
from arvo.messages import from_json
from flows.cli import main
from tests.ingest.conftest import CLIENTS, PRIVATE, PUBLIC, ingest, settings_for, write

A, B, C = CLIENTS
PLANTED_HETU = "150281-1235"  # a valid identity code, sent in the diagnosis column
EVENTS = "event_id,hetu,event_date,service_code,episode_id,diagnosis,cost_eur\n"
EPISODES = "episode_id,hetu,package_code,start_date,end_date\n"
PROMS = ("response_id,episode_id,hetu,instrument,timepoint,response_date,"
         + ",".join(f"q{i}" for i in range(1, 13)) + "\n")


def clean_month(root: Path, provider: str = PRIVATE, month: str = "2025-01") -> Path:
    folder = root / provider / month
    write(folder / "events.csv", EVENTS + f"E1,{A},2025-01-03,PC_VISIT,,E11.9,95.50\n"
                                          f"E2,{B},2025-01-04,MH_VISIT,EP1,F32,120\n")
    write(folder / "episodes.csv", EPISODES + f"EP1,{B},DEPRESSION,2025-01-04,\n")
    write(folder / "proms.csv", PROMS + f"R1,EP1,{B},PHQ9,baseline,2025-01-04,"
                                        "2,2,3,1,2,1,0,1,1,,,\n")
    return folder


def defective_month(root: Path) -> Path:
    """Planted defects: a bad date, an unknown service code, an identity code in the
    wrong column and a mistyped one in its own, a header missing a column, an
    unparseable file, a file misnamed."""
    folder = root / PRIVATE / "2025-02"
    write(folder / "events.csv", EVENTS
          + f"E1,{A},2025-02-03,PC_VISIT,,E11.9,95.50\n"
          + f"E2,{B},31.2.2025,PC_VISIT,,,80\n"                 # row 2: bad date
          + f"E3,{C},2025-02-05,BOGUS,,,80\n"                    # row 3: unknown service code
          + f"E4,{A},2025-02-06,PC_VISIT,,{PLANTED_HETU},80\n"   # row 4: hetu in diagnosis
          + "E5,131052-308U,2025-02-06,PC_VISIT,,,80\n")          # row 5: bad check character
    write(folder / "episodes.csv", "episode_id,hetu,start_date,end_date\n"  # no package_code
          f"EP1,{B},2025-02-04,\n")
    write(folder / "proms.csv", PROMS + f"R1,EP1,{B},PHQ9,baseline,2025-02-04,1,1\n",
          encoding="utf-16")                                     # not readable as CSV
    write(folder / "saate.txt", "Hei, tässä helmikuun aineisto.\n")
    return folder


def test_a_clean_month_passes(tmp_path, today):
    folder = clean_month(tmp_path / "raw")
    report = check_submission(folder, today=today)
    assert report.exit_status == 0
    assert report.provider_id == PRIVATE and report.months == ["2025-01"]
    assert [(o.source_file, o.rows_in, o.rows_accepted, o.rows_quarantined, o.status)
            for o in report.files] == [("events.csv", 2, 2, 0, "accepted"),
                                       ("episodes.csv", 1, 1, 0, "accepted"),
                                       ("proms.csv", 1, 1, 0, "accepted")]
    result = CliRunner().invoke(main, ["check", str(folder), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "Result: all 4 rows would be accepted." in result.output


def test_planted_defects_are_found_as_ingest_finds_them(tmp_path, defs, today):
    """Same rows, rules, columns, reasons and per-file counts as ingest stores."""
    folder = defective_month(tmp_path / "raw")
    report = check_submission(folder, today=today)
    assert report.exit_status == 1

    settings = settings_for(tmp_path)  # ingest the very same folder with a real key
    outcomes = ingest(settings, defs, [PRIVATE], ["2025-02"], b"k", today)
    stored = pd.read_parquet(settings.quarantine_dir / "events" / f"provider_id={PRIVATE}"
                             / "month=2025-02" / "data.parquet")
    expected = {(r.source_file, r.source_row, r.record_id, r.rule, r.column_name,
                 from_json(r.reason_json).args["reason"]) for r in stored.itertuples()}
    found = {(r.source_file, r.source_row, r.record_id, r.rule, r.column_name, str(r.reason))
             for r in report.rows}
    assert found == expected
    assert {(r.source_row, r.record_id, r.rule, r.column_name) for r in report.rows} == {
        (2, "E2", "type_date", "event_date"), (3, "E3", "service_code_known", "service_code"),
        (4, "E4", "id_is_hetu", "diagnosis"), (5, "E5", "hetu_valid", "hetu")}

    def counts(o):
        return (o.entity, o.source_file, o.rows_in, o.rows_accepted, o.rows_quarantined,
                o.status, str(o.message))
    assert [counts(o) for o in report.files] == [counts(o) for o in outcomes
                                                 if o.status != "unrecognised"]
    assert {o.source_file for o in report.rejected} == {"episodes.csv", "proms.csv"}
    assert "package_code" in str(report.rejected[0].message)
    assert [u.path for u in report.not_read] == ["2025-02/saate.txt"]


def test_the_output_names_record_ids_in_finnish_by_default_and_no_identity_code(tmp_path,
                                                                                 today):
    folder = defective_month(tmp_path / "raw")
    result = CliRunner().invoke(main, ["check", str(folder)])
    assert result.exit_code == 1
    out = result.output
    assert "Karanteeniin siirrettäisiin (4):" in out  # Finnish by default
    assert ("2025-02/events.csv rivi 3, event_id E3, sarake service_code: service_code BOGUS "
            "ei ole") in out
    for lang in ("fi", "sv", "en"):
        for args in ([], ["--json"]):
            text = CliRunner().invoke(main, ["check", str(folder), "--lang", lang,
                                             *args]).output
            for code in (PLANTED_HETU, "131052-308U", A, B, C):
                assert code not in text, (lang, args, code)
    data = json.loads(CliRunner().invoke(main, ["check", str(folder), "--json"]).output)
    assert data["exit_status"] == 1
    assert [(r["file"], r["row"], r["id_column"], r["record_id"], r["column"])
            for r in data["rows"]] == [("events.csv", 2, "event_id", "E2", "event_date"),
                                       ("events.csv", 3, "event_id", "E3", "service_code"),
                                       ("events.csv", 4, "event_id", "E4", "diagnosis"),
                                       ("events.csv", 5, "event_id", "E5", "hetu")]
    assert [f["file"] for f in data["rejected"]] == ["episodes.csv", "proms.csv"]
    assert [(f["file"], f["rows_in"], f["would_accept"], f["would_quarantine"])
            for f in data["files"]][0] == ("events.csv", 5, 1, 4)


def test_nothing_is_written_and_no_key_is_needed(tmp_path):
    """In a child process whose home, working folder and ARVO_HOME are a bare tmp folder,
    without any pseudonymisation key: afterwards it holds the submission and nothing else."""
    root = tmp_path / "home"
    folder = defective_month(root / "raw")
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARVO_")}
    env.update(HOME=str(root), ARVO_HOME=str(root / "var"), TMPDIR=str(root),
               PYTHONPATH=str(REPO_ROOT), PYTHONDONTWRITEBYTECODE="1")
    proc = subprocess.run([sys.executable, "-m", "flows.cli", "check", str(folder)],
                          cwd=root, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stderr
    assert "E3" in proc.stdout and PLANTED_HETU not in proc.stdout + proc.stderr
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before


def test_a_provider_folder_checks_each_month(tmp_path, today):
    raw = tmp_path / "raw"
    clean_month(raw)
    defective_month(raw)
    (raw / PRIVATE / "2025-3").mkdir()
    report = check_submission(raw / PRIVATE, today=today)
    assert report.months == ["2025-01", "2025-02"]
    assert {o.month for o in report.files} == {"2025-01", "2025-02"}
    assert {r.month for r in report.rows} == {"2025-02"}
    assert [u.path for u in report.not_read] == ["2025-02/saate.txt", "2025-3"]


def test_the_provider_id_may_be_given_for_a_folder_named_otherwise(tmp_path, today):
    folder = clean_month(tmp_path / "raw", provider="meidan-aineisto")
    with pytest.raises(CheckUsageError, match="meidan-aineisto is not a provider ID"):
        check_submission(folder, today=today)
    report = check_submission(folder, provider_id=PUBLIC, today=today)
    assert report.provider_id == PUBLIC and report.exit_status == 0


@pytest.mark.parametrize("make, error", [
    (lambda root: root / "missing", "is not a folder"),
    (lambda root: root, "is neither a month folder"),
    (lambda root: (root / PRIVATE / "2025-01").mkdir(parents=True) or root / PRIVATE / "2025-01",
     "holds no submission files"),
    (lambda root: clean_month(root, provider="meidan-aineisto"),
     "meidan-aineisto is not a provider ID in the register"),
])
def test_a_folder_that_cannot_be_checked_is_one_line_and_exit_status_2(tmp_path, make, error):
    folder = make(tmp_path)
    result = CliRunner().invoke(main, ["check", str(folder), "--lang", "en"])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and error in lines[0]
    assert "Traceback" not in result.output


def test_the_help_shows_an_example():
    result = CliRunner().invoke(main, ["check", "--help"])
    assert result.exit_code == 0
    assert "arvo check submissions/2358253-3/2025-12" in result.output.split("Example:")[1]
