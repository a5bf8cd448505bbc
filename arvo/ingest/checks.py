"""Run the Great Expectations suites in `expectations/suites/` on typed rows.

Each expectation carries its rule name and the Data Quality Dashboard metadata in `meta`
(category, subcategory, severity, threshold, rationale, reason). Running a suite gives the
row issues (every failing row is quarantined) and one `CheckResult` per rule with a status:
passed, failed, not_applicable or error. Suites run on pandas: Great Expectations has no
working DuckDB datasource.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

from arvo.ingest.types import Issue

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
logging.getLogger("great_expectations").setLevel(logging.ERROR)

_LOCK = threading.Lock()  # one Great Expectations context per process, used serially


@dataclass(frozen=True)
class CheckResult:
    """One rule's outcome on one file, in the Data Quality Dashboard's terms."""

    rule: str
    category: str
    subcategory: str
    severity: str
    threshold: float
    rationale: str
    rows_checked: int
    rows_failed: int
    status: str  # passed | failed | not_applicable | error
    message: str = ""


def load_suite(expectations_dir: Path, entity: str) -> dict:
    """The suite of `entity` as JSON, as kept in expectations/suites/."""
    return json.loads((expectations_dir / "suites" / f"{entity}.json").read_text("utf-8"))


@cache
def _validation(expectations_dir: Path, entity: str):
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    doc = load_suite(expectations_dir, entity)
    suite = gx.ExpectationSuite(name=doc["name"], meta=doc.get("meta", {}))
    for exp in doc["expectations"]:
        suite.add_expectation_configuration(ExpectationConfiguration(**exp))
    suite = context.suites.add(suite)
    batch = (context.data_sources.add_pandas(f"{entity}_rows")
             .add_dataframe_asset(entity).add_batch_definition_whole_dataframe("all_rows"))
    return context.validation_definitions.add(
        gx.ValidationDefinition(name=f"{entity}_contract", data=batch, suite=suite))


FileResults = dict[str, list[CheckResult]]


def run_suite(expectations_dir: Path, entity: str, rows: pd.DataFrame, parameters: dict,
              date_columns: list[str]) -> tuple[list[Issue], FileResults]:
    """Validate typed `rows` of one or more files (told apart by `file_key`) against a suite.

    Returns the failing rows as Issues and each file's CheckResult per rule.
    """
    frame = _for_validation(rows, date_columns)
    with _LOCK:
        validation = _validation(expectations_dir, entity)
        run = validation.run(batch_parameters={"dataframe": frame},
                             expectation_parameters=parameters,
                             result_format={"result_format": "COMPLETE"})
    keys = frame["file_key"]
    issues: list[Issue] = []
    results: dict[str, list[CheckResult]] = {k: [] for k in keys.unique()}
    for res in run.results:
        meta = res.expectation_config.meta
        kwargs = res.expectation_config.kwargs
        column = kwargs.get("column") or kwargs.get("column_A") or kwargs["column_list"][-1]
        checked = keys[_checked_mask(frame, kwargs, column)].value_counts()
        message = _exception_message(res.exception_info)
        if message is not None:
            for key in results:
                results[key].append(_result(meta, int(checked.get(key, 0)), 0, "error", message))
            continue
        positions = [i if isinstance(i, int) else i.get("index")
                     for i in res.result.get("unexpected_index_list") or []]
        for pos in positions:
            issues.append(Issue(keys.iat[pos], int(frame.at[pos, "source_row"]), meta["rule"],
                                column, meta["reason"].format(value=_show(frame.at[pos, column]))))
        failed = keys.iloc[positions].value_counts()
        for key in results:
            n_checked, n_failed = int(checked.get(key, 0)), int(failed.get(key, 0))
            if n_checked == 0:
                status = "not_applicable"
            else:
                status = "passed" if n_failed / n_checked <= meta["threshold"] else "failed"
            results[key].append(_result(meta, n_checked, n_failed, status))
    return issues, results


def _exception_message(info: dict) -> str | None:
    """The error of a failed expectation run, or None; 1.x nests it per metric."""
    if info.get("raised_exception"):
        return info.get("exception_message") or "error"
    for nested in info.values():
        if isinstance(nested, dict) and nested.get("raised_exception"):
            return nested.get("exception_message") or "error"
    return None


def _result(meta: dict, checked: int, failed: int, status: str, message: str = "") -> CheckResult:
    return CheckResult(meta["rule"], meta["category"], meta["subcategory"], meta["severity"],
                       float(meta["threshold"]), meta["rationale"], checked, failed, status,
                       message)


def _checked_mask(frame: pd.DataFrame, kwargs: dict, column: str) -> pd.Series:
    mask = frame[column].notna()
    condition = kwargs.get("row_condition")
    if isinstance(condition, dict):  # Great Expectations wraps pandas conditions
        condition = condition.get("pass_through_filter")
    if condition:
        mask &= frame.eval(condition).fillna(False).astype(bool)
    return mask


def _for_validation(rows: pd.DataFrame, date_columns: list[str]) -> pd.DataFrame:
    """A positional-index copy with dates as timestamps, which the between checks compare."""
    frame = rows.reset_index(drop=True)
    for col in date_columns:
        if not pd.api.types.is_datetime64_any_dtype(frame[col]):
            frame[col] = pd.to_datetime(frame[col])
    return frame


def _show(value: object) -> str:
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def parameters(service_codes: list[str], package_codes: list[str], instruments: list[str],
               timepoints: list[str], today: dt.date) -> dict:
    """The suite parameters that come from the commissioner's definitions."""
    return {
        "service_codes": service_codes,
        "package_codes": package_codes,
        "instruments": instruments,
        "timepoints": timepoints,
        "earliest_date": pd.Timestamp("2000-01-01"),
        "latest_date": pd.Timestamp(today),
    }
