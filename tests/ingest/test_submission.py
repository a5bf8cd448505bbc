import hashlib
from pathlib import Path

import pandas as pd

from arvo.ingest.changes import is_unchanged

from .conftest import CLIENTS, HOSPITAL, PRIVATE, PUBLIC, ingest, write


def _ingest(s, defs, provider, today, key=b"k"):
    return ingest(s, defs, [provider], ["2025-01"], key, today)


def _lake(s, root: Path, entity: str, provider: str) -> pd.DataFrame:
    return pd.read_parquet(root / entity / f"provider_id={provider}")


def test_every_row_is_accepted_or_quarantined(submissions, defs, today):
    s = submissions
    outcomes = _ingest(s, defs, PRIVATE, today)
    by_file = {o.source_file: o for o in outcomes}
    assert by_file["events.csv"].rows_in == 5
    assert (by_file["events.csv"].rows_accepted, by_file["events.csv"].rows_quarantined) == (2, 3)
    assert (by_file["proms.csv"].rows_accepted, by_file["proms.csv"].rows_quarantined) == (1, 1)
    for o in outcomes:
        assert o.rows_in == o.rows_accepted + o.rows_quarantined
    lake = _lake(s, s.lake_dir, "events", PRIVATE)
    quarantine = _lake(s, s.quarantine_dir, "events", PRIVATE)
    assert sorted(lake.event_id) == ["E1", "E2"]
    reasons = dict(zip(quarantine.record_id, quarantine.rule, strict=True))
    assert reasons == {"E3": "hetu_valid", "E4": "service_code_known", "E5": "cost_in_range"}
    e4 = quarantine.set_index("record_id").loc["E4"]
    assert e4.reason == ("events.csv row 4: service_code BOGUS is not in the commissioner's "
                         "list of service types (definitions/service_types.yml)")
    assert e4.column_name == "service_code"
    phq = _lake(s, s.quarantine_dir, "proms", PRIVATE).iloc[0]
    assert (phq.record_id, phq.rule, phq.column_name) == ("R2", "phq9_q8_range", "q8")


def test_types_and_pseudonyms_in_the_lake(submissions, defs, today):
    s = submissions
    _ingest(s, defs, PUBLIC, today)
    _ingest(s, defs, HOSPITAL, today)
    public = _lake(s, s.lake_dir, "events", PUBLIC).set_index("event_id")
    assert public.loc["1002", "cost_eur"] == 1234.75
    assert str(public.loc["1001", "event_date"]) == "2025-01-03"
    hospital = _lake(s, s.lake_dir, "events", HOSPITAL).set_index("event_id")
    # the same person gets the same pseudonym at every provider
    assert public.loc["1001", "client_id"] == hospital.loc["H-1", "client_id"]
    assert public.loc["1001", "sex"] == "F"
    assert str(public.loc["1001", "birth_date"]) == "1952-10-13"
    log = _lake(s, s.lake_dir, "ingest_log", PUBLIC)
    assert log.file_format.tolist() == ["csv_fi"]


def test_reingesting_changes_nothing(submissions, defs, today):
    s = submissions
    first = _ingest(s, defs, PRIVATE, today)
    before = {e: _lake(s, s.lake_dir, e, PRIVATE) for e in ("events", "episodes", "proms")}
    assert is_unchanged(s, PRIVATE, "2025-01")
    second = _ingest(s, defs, PRIVATE, today)
    assert [o.rows_accepted for o in first] == [o.rows_accepted for o in second]
    for entity, frame in before.items():
        pd.testing.assert_frame_equal(frame, _lake(s, s.lake_dir, entity, PRIVATE))
    assert len(_lake(s, s.quarantine_dir, "events", PRIVATE)) == 3


def test_resent_month_replaces_the_earlier_submission(submissions, defs, today):
    s = submissions
    _ingest(s, defs, PRIVATE, today)
    month = s.raw_dir / PRIVATE / "2025-01"
    (month / "proms.csv").unlink()
    write(month / "events.csv", "event_id,hetu,event_date,service_code,episode_id,diagnosis,"
          f"cost_eur\nE1,{CLIENTS[0]},2025-01-03,PC_VISIT,,E11.9,99.00\n")
    assert not is_unchanged(s, PRIVATE, "2025-01")
    _ingest(s, defs, PRIVATE, today)
    events = _lake(s, s.lake_dir, "events", PRIVATE)
    assert events.cost_eur.tolist() == [99.0]
    assert not (s.lake_dir / "proms" / f"provider_id={PRIVATE}").exists() or \
        not any((s.lake_dir / "proms" / f"provider_id={PRIVATE}").iterdir())
    assert not (s.quarantine_dir / "events" / f"provider_id={PRIVATE}" / "month=2025-01").exists()


def test_broken_file_is_rejected_whole_and_others_go_on(submissions, defs, today):
    s = submissions
    write(s.raw_dir / PRIVATE / "2025-01" / "episodes.csv",
          f"episode_id|hetu|package_code|start_date\nEP1|{CLIENTS[1]}|DEPRESSION|2025-01-04\n")
    outcomes = {o.source_file: o for o in _ingest(s, defs, PRIVATE, today)}
    bad = outcomes["episodes.csv"]
    assert bad.status == "rejected"
    assert bad.message.startswith(f"{PRIVATE}/2025-01/episodes.csv, row 0, column 'episode_id':")
    # the header is what is broken, so its line is kept too (row 0): it may be data
    assert (bad.rows_in, bad.rows_quarantined) == (2, 2)
    assert outcomes["events.csv"].rows_accepted == 2
    kept = _lake(s, s.quarantine_dir, "episodes", PRIVATE)
    assert kept.rule.tolist() == ["file_readable", "file_readable"]
    assert kept.source_row.tolist() == [0, 1]
    assert CLIENTS[1] not in kept.row_values.iloc[1]
    assert "<hetu removed>" in kept.row_values.iloc[1]


def test_no_identity_code_is_written_anywhere(submissions, defs, today):
    s = submissions
    for provider in (PRIVATE, PUBLIC, HOSPITAL):
        _ingest(s, defs, provider, today)
    written = [p for p in s.home.rglob("*") if p.is_file()]
    assert len(written) >= 10
    codes = [*CLIENTS, "131052-308U"]
    for path in written:
        data = pd.read_parquet(path).to_csv() if path.suffix == ".parquet" else path.read_text()
        for code in codes:
            assert code not in data, f"{code} found in {path}"
            assert code.replace("-", "") not in data


def test_check_results_carry_dqd_metadata(submissions, defs, today):
    s = submissions
    _ingest(s, defs, PRIVATE, today)
    checks = _lake(s, s.lake_dir, "check_results", PRIVATE).set_index(["entity", "rule"])
    cost = checks.loc[("events", "cost_in_range")]
    assert (cost.category, cost.status, cost.rows_checked, cost.rows_failed) == \
        ("plausibility", "failed", 5, 1)
    assert checks.loc[("events", "event_date_plausible")].status == "passed"
    assert checks.loc[("episodes", "episode_dates_ordered")].status == "not_applicable"
    assert set(checks.status) <= {"passed", "failed", "not_applicable", "error"}
    assert "error" not in set(checks.status)


def test_a_check_that_cannot_run_has_status_error(tmp_path, submissions, defs, today):
    import json
    import shutil

    s = submissions
    suites = tmp_path / "expectations"
    shutil.copytree(s.expectations_dir, suites)
    doc = json.loads((suites / "suites" / "events.json").read_text())
    # a date bound next to a timestamp bound: valid config, but the metric raises
    doc["expectations"].append({
        "type": "expect_column_values_to_be_between",
        "kwargs": {"column": "event_date", "min_value": "2000-01-01",
                   "max_value": {"$PARAMETER": "latest_date"}},
        "meta": {**doc["expectations"][0]["meta"], "rule": "broken_rule"}})
    (suites / "suites" / "events.json").write_text(json.dumps(doc))
    _ingest(s.model_copy(update={"expectations_dir": suites}), defs, PRIVATE, today)
    results = _lake(s, s.lake_dir, "check_results", PRIVATE).set_index(["entity", "rule"])
    assert results.loc[("events", "broken_rule")].status == "error"
    assert results.loc[("events", "cost_in_range")].status == "failed"


# ----------------------------------------------------- resubmissions that must not wipe data

EVENTS_HEADER = "event_id,hetu,event_date,service_code,episode_id,diagnosis,cost_eur\n"


def _by_status(outcomes):
    return {(o.entity, o.status): o for o in outcomes}


def test_rejected_resubmission_leaves_earlier_rows_standing(submissions, defs, today):
    s = submissions
    _ingest(s, defs, PRIVATE, today)
    before = _lake(s, s.lake_dir, "events", PRIVATE)
    page = "<!DOCTYPE html>\n<html><body>502 Bad Gateway</body></html>\n"
    write(s.raw_dir / PRIVATE / "2025-01" / "events.csv", page)
    assert not is_unchanged(s, PRIVATE, "2025-01")
    got = _by_status(_ingest(s, defs, PRIVATE, today))
    rejected, standing = got[("events", "rejected")], got[("events", "standing")]
    assert "web page" in rejected.message and "row 0" in rejected.message
    assert rejected.message.endswith("the earlier submission of events.csv (2 rows accepted) "
                                     "still stands")
    assert (rejected.rows_in, rejected.rows_accepted, rejected.rows_quarantined) == (2, 0, 2)
    assert (standing.rows_in, standing.rows_accepted, standing.rows_quarantined) == (5, 2, 3)
    pd.testing.assert_frame_equal(before, _lake(s, s.lake_dir, "events", PRIVATE))
    quarantine = _lake(s, s.quarantine_dir, "events", PRIVATE)
    # the earlier file's three rows to fix, and the two lines of the page
    assert sorted(quarantine.rule) == ["cost_in_range", "file_readable", "file_readable",
                                       "hetu_valid", "service_code_known"]
    log = _lake(s, s.lake_dir, "ingest_log", PRIVATE)
    assert sorted(log.loc[log.entity == "events", "status"]) == ["rejected", "standing"]
    # a second bad resubmission keeps the first acceptance date on the standing row
    first_date = standing.message
    write(s.raw_dir / PRIVATE / "2025-01" / "events.csv", page + "<!-- again -->\n")
    again = _by_status(_ingest(s, defs, PRIVATE, today))
    assert again[("events", "standing")].message == first_date
    assert first_date.startswith("accepted on ")
    # the same page again is unchanged; a good file then replaces everything
    assert is_unchanged(s, PRIVATE, "2025-01")
    write(s.raw_dir / PRIVATE / "2025-01" / "events.csv",
          EVENTS_HEADER + f"E9,{CLIENTS[0]},2025-01-03,PC_VISIT,,,10.00\n")
    got = _by_status(_ingest(s, defs, PRIVATE, today))
    assert ("events", "standing") not in got
    assert "replaces the earlier submission of events.csv (2 rows accepted) with 1" in \
        got[("events", "accepted")].message
    assert _lake(s, s.lake_dir, "events", PRIVATE).event_id.tolist() == ["E9"]
    assert not (s.quarantine_dir / "events" / f"provider_id={PRIVATE}" / "month=2025-01").exists()


def test_header_only_file_is_empty_and_earlier_rows_stand(submissions, defs, today):
    s = submissions
    _ingest(s, defs, PRIVATE, today)
    write(s.raw_dir / PRIVATE / "2025-01" / "events.csv", EVENTS_HEADER)
    got = _by_status(_ingest(s, defs, PRIVATE, today))
    empty = got[("events", "empty")]
    assert (empty.rows_in, empty.rows_accepted, empty.rows_quarantined) == (0, 0, 0)
    assert "header row and no data rows" in empty.message and "still stands" in empty.message
    assert sorted(_lake(s, s.lake_dir, "events", PRIVATE).event_id) == ["E1", "E2"]


def test_two_files_for_one_entity_reject_that_entity_only(submissions, defs, today):
    s = submissions
    _ingest(s, defs, PRIVATE, today)
    frame = pd.DataFrame({"event_id": ["P1"], "hetu": [CLIENTS[0]],
                          "event_date": [pd.Timestamp("2025-01-02")],
                          "service_code": ["PC_VISIT"], "cost_eur": [5.0]})
    frame.to_parquet(s.raw_dir / PRIVATE / "2025-01" / "events.parquet", index=False)
    outcomes = _ingest(s, defs, PRIVATE, today)
    rejected = [o for o in outcomes if o.status == "rejected"]
    assert sorted(o.source_file for o in rejected) == ["events.csv", "events.parquet"]
    for o in rejected:
        assert "two files for events in one month (events.csv, events.parquet)" in o.message
        assert o.rows_in == o.rows_quarantined
    assert {o.rows_in for o in rejected} == {5, 1}
    assert _by_status(outcomes)[("events", "standing")].rows_accepted == 2
    assert sorted(_lake(s, s.lake_dir, "events", PRIVATE).event_id) == ["E1", "E2"]
    assert _by_status(outcomes)[("episodes", "accepted")].rows_accepted == 1
    # another provider in the same run is not affected
    assert _by_status(_ingest(s, defs, PUBLIC, today))[("events", "accepted")].rows_in == 2


def test_blank_lines_are_counted_and_keep_row_numbers(tmp_path, defs, today):
    from .conftest import settings_for

    s = settings_for(tmp_path)
    a = CLIENTS[0]
    write(s.raw_dir / PUBLIC / "2025-02" / "events.csv",
          "event_id;hetu;event_date;service_code;episode_id;diagnosis;cost_eur\r\n"
          f"1;{a};3.2.2025;PC_VISIT;;;109.47\r\n\r\n;;;;;;\r\n"
          f"2;{a};4.2.2025;PC_VISIT;;;1 234.50\r\n   \r\n"
          f"3;{a};5.2.2025;BOGUS;;;12\r\n\r\n")
    out = ingest(s, defs, [PUBLIC], ["2025-02"], b"k", today)[0]
    assert (out.rows_in, out.rows_accepted, out.rows_quarantined, out.blank_lines) == \
        (3, 2, 1, 4)
    assert "4 blank line(s) skipped" in out.message
    bad = _lake(s, s.quarantine_dir, "events", PUBLIC)
    assert bad.source_row.tolist() == [6]  # line 7 of the file, as an editor shows it
    lake = _lake(s, s.lake_dir, "events", PUBLIC).set_index("event_id")
    from decimal import Decimal
    # a ';' file with decimal points: read by the column's own rule, never x100
    assert lake.cost_eur.tolist() == [Decimal("109.47"), Decimal("1234.50")]


def test_unknown_files_and_misnamed_folders_are_listed(submissions, defs, today):
    from arvo.ingest.submission import record_unrecognised

    s = submissions
    month = s.raw_dir / PRIVATE / "2025-01"
    for name in ("events_korjattu.csv", "proms.csv.bak", "saate.txt"):
        write(month / name, "x")
    write(s.raw_dir / PRIVATE / "2025-13" / "events.csv", "x")
    write(s.raw_dir / PRIVATE / "2025-1" / "events.csv", "x")
    write(s.raw_dir / PRIVATE / "events.csv", "x")
    items = {o.source_file: o.message for o in record_unrecognised(s, PRIVATE, "2025-06")}
    assert set(items) == {"2025-01/events_korjattu.csv", "2025-01/proms.csv.bak",
                          "2025-01/saate.txt", "2025-13", "2025-1", "events.csv"}
    assert "name it events.csv or events.parquet" in items["2025-01/events_korjattu.csv"]
    assert "name it 2025-01" in items["2025-1"]
    assert "no month 13" in items["2025-13"]
    assert "month folder" in items["events.csv"]
    table = _lake(s, s.lake_dir, "unrecognised", PRIVATE)
    assert len(table) == 6
    # the known files of the month are still read
    assert _by_status(_ingest(s, defs, PRIVATE, today))[("events", "partial")].rows_in == 5


def test_withdrawn_file_is_logged(submissions, defs, today):
    s = submissions
    _ingest(s, defs, PRIVATE, today)
    (s.raw_dir / PRIVATE / "2025-01" / "proms.csv").unlink()
    gone = _by_status(_ingest(s, defs, PRIVATE, today))[("proms", "withdrawn")]
    assert "no longer in the month folder: its 1 rows accepted earlier were removed" in \
        gone.message


def test_a_file_over_the_size_limit_is_rejected_unread_and_the_others_go_on(
        submissions, defs, today, monkeypatch):
    from arvo.ingest import submission
    from arvo.ingest.read import _megabytes

    s = submissions
    month = lambda pid: s.raw_dir / pid / "2025-01"  # noqa: E731
    big_csv, parquet = month(PRIVATE) / "events.csv", month(HOSPITAL) / "events.parquet"
    limit = big_csv.stat().st_size - 1
    too_big = {p for p in s.raw_dir.rglob("*.*") if p.stat().st_size > limit}
    assert too_big == {big_csv, parquet}  # a CSV and a Parquet file; the others fit
    opened: list[Path] = []  # every file whose content is read (not only hashed)
    read_bytes, read_file = Path.read_bytes, submission.read_file
    monkeypatch.setattr(Path, "read_bytes", lambda p: opened.append(p) or read_bytes(p))
    monkeypatch.setattr(submission, "read_file", lambda p, e: opened.append(p) or read_file(p, e))
    small = s.model_copy(update={"max_file_bytes": limit})
    outcomes = ingest(small, defs, [PRIVATE, PUBLIC, HOSPITAL], ["2025-01"], b"k", today)
    assert not too_big & set(opened), "an oversized file was read"
    by_file = {(o.provider_id, o.source_file): o for o in outcomes}
    for path in too_big:  # rejected with file, size and limit; no rows known, none kept
        pid = path.parent.parent.name
        o = by_file[(pid, path.name)]
        assert (o.status, o.rows_in, o.rows_accepted, o.rows_quarantined) == \
            ("rejected", 0, 0, 0)
        assert o.message == (f"{pid}/2025-01/{path.name}: the file is "
                             f"{_megabytes(path.stat().st_size)} MB, over the limit of "
                             f"{_megabytes(limit)} MB for one file, and is not read; send "
                             "only the month's rows, or agree a higher limit with the "
                             "commissioner")
        assert o.file_sha256 == hashlib.sha256(read_bytes(path)).hexdigest()
        assert len(_lake(s, s.lake_dir, "events", pid)) == 0
        assert not (s.quarantine_dir / "events" / f"provider_id={pid}").exists()
    # the other files of the same providers and the other provider are read as ever
    assert by_file[(PRIVATE, "episodes.csv")].status == "accepted"
    assert (by_file[(PRIVATE, "proms.csv")].rows_accepted,
            by_file[(PRIVATE, "proms.csv")].rows_quarantined) == (1, 1)
    assert by_file[(PUBLIC, "events.csv")].rows_accepted == 2
    log = _lake(s, s.lake_dir, "ingest_log", PRIVATE).set_index("source_file")
    assert log.loc["events.csv", "status"] == "rejected"
    assert "over the limit" in log.loc["events.csv", "message"]
    # unchanged, it is not read again; with the default limit it is read as ever
    assert is_unchanged(s, PRIVATE, "2025-01")
    big_csv.write_bytes(big_csv.read_bytes() + b"\n")
    again = _by_status(_ingest(s, defs, PRIVATE, today))
    assert (again[("events", "partial")].rows_accepted,
            again[("events", "partial")].rows_quarantined) == (2, 3)


def test_a_parquet_file_over_the_row_limit_is_rejected_unread(submissions, defs, today,
                                                              monkeypatch):
    """A Parquet file's bytes say little of its rows: its footer's count is the limit."""
    import pyarrow.parquet as pq

    from arvo.ingest import submission

    s = submissions
    parquet = s.raw_dir / HOSPITAL / "2025-01" / "events.parquet"
    rows = pq.ParquetFile(parquet).metadata.num_rows
    assert rows > 1
    opened: list[Path] = []
    read_file = submission.read_file
    monkeypatch.setattr(submission, "read_file", lambda p, e: opened.append(p) or read_file(p, e))
    small = s.model_copy(update={"max_file_rows": rows - 1})
    outcomes = ingest(small, defs, [PRIVATE, HOSPITAL], ["2025-01"], b"k", today)
    assert parquet not in opened and opened, "the Parquet file over the limit was read"
    o = {(x.provider_id, x.source_file): x for x in outcomes}[(HOSPITAL, "events.parquet")]
    assert (o.status, o.rows_in, o.rows_accepted, o.rows_quarantined) == ("rejected", 0, 0, 0)
    assert o.message == (f"{HOSPITAL}/2025-01/events.parquet: the file holds {rows:,} rows, "
                         f"over the limit of {rows - 1:,} rows for one file, and is not read; "
                         "send only the month's rows, or agree a higher limit with the "
                         "commissioner")
    # a CSV file is bounded by its bytes only
    assert {(x.provider_id, x.source_file): x for x in outcomes}[
        (PRIVATE, "events.csv")].rows_in == 5
