"""The submission suites as ingest runs them (arvo/quality/suites.py). What they find is
checked against the SQL yardstick in tests/bench/test_checks_sql.py; here, how."""

from __future__ import annotations

import sys

import pandas as pd

from arvo.config import REPO_ROOT
from arvo.contract import ENTITIES
from arvo.quality import suites


def test_each_row_condition_is_evaluated_once_a_run(month_rows, monkeypatch):
    """The proms suite's item ranges share one row condition per instrument: each distinct
    condition is evaluated once, for the expectations left idle and the rows checked."""
    by_entity, params = month_rows
    evaluated: list[str] = []
    real_eval = pd.DataFrame.eval

    def counted(self, expr, *args, **kwargs):
        if sys._getframe(1).f_code.co_filename == suites.__file__:  # not Great Expectations'
            evaluated.append(expr)
        return real_eval(self, expr, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "eval", counted)
    _, results = suites.run_suite(REPO_ROOT / "expectations", "proms", by_entity["proms"],
                                  params, ENTITIES["proms"].of_kind("date"))

    suite = suites.load_suite(REPO_ROOT / "expectations", "proms")
    conditions = [e["kwargs"]["row_condition"] for e in suite["expectations"]
                  if e["kwargs"].get("row_condition")]
    assert len(conditions) > 70 and len(set(conditions)) == 8
    assert sorted(evaluated) == sorted(set(conditions))
    statuses = {r.status for file_results in results.values() for r in file_results}
    assert {"passed", "not_applicable"} <= statuses  # some instruments are not in every file
