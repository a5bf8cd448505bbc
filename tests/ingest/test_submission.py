from pathlib import Path

import pandas as pd

from flows.ingest.submission import ingest_provider, is_unchanged

from .conftest import CLIENTS, HOSPITAL, PRIVATE, PUBLIC, write


def _ingest(s, defs, provider, today, key=b"k"):
    return ingest_provider(s, defs, provider, ["2025-01"], key, today)


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
    assert bad.message.startswith(f"{PRIVATE}/2025-01/episodes.csv, row 0:")
    assert (bad.rows_in, bad.rows_quarantined) == (1, 1)
    assert outcomes["events.csv"].rows_accepted == 2
    kept = _lake(s, s.quarantine_dir, "episodes", PRIVATE)
    assert kept.rule.tolist() == ["file_readable"]
    assert CLIENTS[1] not in kept.row_values.iloc[0]
    assert "<hetu removed>" in kept.row_values.iloc[0]


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

    from flows.ingest import checks

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
    checks._validation.cache_clear()
    try:
        _ingest(s.model_copy(update={"expectations_dir": suites}), defs, PRIVATE, today)
    finally:
        checks._validation.cache_clear()
    results = _lake(s, s.lake_dir, "check_results", PRIVATE).set_index(["entity", "rule"])
    assert results.loc[("events", "broken_rule")].status == "error"
    assert results.loc[("events", "cost_in_range")].status == "failed"
