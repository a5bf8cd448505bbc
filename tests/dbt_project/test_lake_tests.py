"""How the lake is read: the data tests of its monthly staging models check the window's
folders only (macros/test_where.sql), so their cost follows the window, not the history
(the one exception is the rule that lets int_events_windowed read only the window's
folders); and every source unites its files' columns by name."""

from __future__ import annotations

import yaml

from arvo.config import REPO_ROOT

STAGING = REPO_ROOT / "dbt_project" / "models" / "staging" / "_staging__models.yml"
MONTHLY = {"stg_lake__events", "stg_lake__episodes", "stg_lake__proms",
           "stg_lake__ingest_logs", "stg_lake__check_results"}
WINDOW = "submission_month between '__window_start_month__' and '__period__'"
PERIOD = "submission_month = '__period__'"
#: checked over every folder on purpose: no event is dated after its folder's month
EVERY_FOLDER = {("stg_lake__events", None, "dated_in_folder_month")}


def lake_tests() -> list[tuple[str, str | None, str, str | None]]:
    """(model, column, test, its `where`) of every data test on a monthly lake view."""
    found = []
    for model in yaml.safe_load(STAGING.read_text("utf-8"))["models"]:
        if model["name"] not in MONTHLY:
            continue
        tests = [(None, test) for test in model.get("data_tests", [])]
        tests += [(column["name"], test) for column in model.get("columns", [])
                  for test in column.get("data_tests", [])]
        for column, test in tests:
            name, body = (test, {}) if isinstance(test, str) else next(iter(test.items()))
            found.append((model["name"], column, name,
                          (body or {}).get("config", {}).get("where")))
    return found


def test_every_monthly_lake_test_checks_the_window_only():
    tests = lake_tests()
    assert {model for model, *_ in tests} == MONTHLY
    unbounded = [t[:3] for t in tests if t[3] not in (WINDOW, PERIOD)]
    assert sorted(unbounded, key=str) == sorted(EVERY_FOLDER, key=str)


def test_every_lake_source_unites_its_files_columns_by_name():
    # without union_by_name DuckDB reads no footer when it binds, estimates each lake
    # scan at one row and plans joins on that: the first run's dbt stage at 500,000
    # residents took 4 to 8 s and 400 MB more (docs/performance-history.md, 2026-12-06)
    sources = yaml.safe_load(
        (STAGING.parent / "_sources.yml").read_text("utf-8"))["sources"]
    [lake] = [s for s in sources if s["name"] == "lake"]
    reads = {t["name"]: " ".join(t["config"]["external_location"].split())
             for t in lake["tables"]}
    assert {"events", "episodes", "proms"} <= set(reads)
    assert {name for name, read in reads.items() if "union_by_name=true" not in read} == set()
