"""The benchmark's SQL yardstick finds exactly what Great Expectations finds
(arvo/bench/checks_sql.py): the same rules, the same rows checked and failed per file,
the same failing rows, on a year of a small demo region with its planted defects."""

from __future__ import annotations

import pandas as pd
import pytest

from arvo.bench import checks_sql
from arvo.config import REPO_ROOT
from arvo.contract import ENTITIES
from arvo.quality import suites


@pytest.mark.parametrize("entity", list(ENTITIES))
def test_sql_finds_what_great_expectations_finds(month_rows, entity):
    by_entity, params = month_rows
    rows = by_entity[entity]
    dates = ENTITIES[entity].of_kind("date")
    issues, results = suites.run_suite(REPO_ROOT / "expectations", entity, rows, params, dates)
    suite = suites.load_suite(REPO_ROOT / "expectations", entity)
    sql = checks_sql.run(suite, suites.for_validation(rows, dates), params)

    assert len(rows) > 10
    for file_key, file_results in results.items():
        for r in file_results:
            assert sql.counts[r.rule].get(file_key, (0, 0)) == (r.rows_checked, r.rows_failed), \
                (entity, r.rule, file_key)
    gx_failing = {}
    for issue in issues:
        gx_failing.setdefault(issue.rule, set()).add((issue.file_key, issue.source_row))
    sql_failing = {rule: set(found) for rule, found in sql.failing.items() if found}
    assert sql_failing == gx_failing


def test_the_month_has_failures_to_find(month_rows):
    rows, params = month_rows
    found = 0
    for entity, frame in rows.items():
        dates = ENTITIES[entity].of_kind("date")
        suite = suites.load_suite(REPO_ROOT / "expectations", entity)
        found += sum(len(v) for v in checks_sql.run(
            suite, suites.for_validation(frame, dates), params).failing.values())
    assert found > 0  # the planted defects of the month


def test_an_expectation_without_translation_is_refused():
    suite = {"expectations": [{"type": "expect_column_kl_divergence_to_be_less_than",
                               "kwargs": {"column": "x"}, "meta": {"rule": "kl"}}]}
    with pytest.raises(ValueError, match="no SQL translation"):
        checks_sql.run(suite, pd.DataFrame(
            {"file_key": ["a"], "source_row": [1], "x": [1]}), {})
