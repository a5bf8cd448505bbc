"""The submission suites in `expectations/suites/<entity>.json`, run on typed rows at ingest.

Each expectation carries its rule name and the Data Quality Dashboard metadata in `meta`
(category, subcategory, severity, threshold, rationale, reason). Running a suite gives the
row issues (every failing row is quarantined) and one `CheckResult` per rule and file with
a status: passed, failed, not_applicable or error. `arvo.quality.gx` runs it.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from arvo.ingest.types import Issue
from arvo.messages import Message
from arvo.quality import gx


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


FileResults = dict[str, list[CheckResult]]


def run_suite(expectations_dir: Path, entity: str, rows: pd.DataFrame, parameters: dict,
              date_columns: list[str]) -> tuple[list[Issue], FileResults]:
    """Validate typed `rows` of one or more files (told apart by `file_key`) against a suite.

    Returns the failing rows as Issues and each file's CheckResult per rule.
    """
    frame = for_validation(rows, date_columns)
    suite = load_suite(expectations_dir, entity)
    keys = frame["file_key"]
    issues: list[Issue] = []
    results: dict[str, list[CheckResult]] = {k: [] for k in keys.unique()}
    # an expectation whose row condition selects no row (the item ranges of an instrument
    # the files do not hold) is not applicable in every file: it is not sent to Great
    # Expectations, which would check zero rows, at a fixed cost per expectation
    selects = _RowConditions(frame)
    idle = [e for e in suite["expectations"]
            if e["kwargs"].get("row_condition") and not selects(e["kwargs"]).any()]
    applicable = [e for e in suite["expectations"] if e not in idle]
    ran = {res.expectation_config.meta["rule"]: res
           for res in gx.run({**suite, "expectations": applicable}, frame, parameters)}
    for exp in suite["expectations"]:
        if exp in idle:
            for key in results:
                results[key].append(_result(exp["meta"], 0, 0, "not_applicable"))
            continue
        res = ran.get(exp["meta"]["rule"])
        if res is None:  # Great Expectations gives no result where a shared metric raised
            continue
        meta = res.expectation_config.meta
        kwargs = res.expectation_config.kwargs
        # meta "column": the column a pair rule is about, where column_A is a derived one
        column = (meta.get("column") or kwargs.get("column") or kwargs.get("column_A")
                  or kwargs["column_list"][-1])
        checked = keys[frame[column].notna() & selects(kwargs)].value_counts()
        message = gx.exception_message(res.exception_info)
        if message is not None:
            for key in results:
                results[key].append(_result(meta, int(checked.get(key, 0)), 0, "error", message))
            continue
        positions = gx.unexpected_positions(res)
        for pos in positions:
            issues.append(Issue(keys.iat[pos], int(frame.at[pos, "source_row"]), meta["rule"],
                                column, Message(meta["reason"], {
                                    "column": column, "value": _show(frame.at[pos, column]),
                                    **meta.get("reason_args", {})})))
        failed = keys.iloc[positions].value_counts()
        for key in results:
            n_checked, n_failed = int(checked.get(key, 0)), int(failed.get(key, 0))
            if n_checked == 0:
                status = "not_applicable"
            else:
                status = "passed" if n_failed / n_checked <= meta["threshold"] else "failed"
            results[key].append(_result(meta, n_checked, n_failed, status))
    return issues, results


def _result(meta: dict, checked: int, failed: int, status: str, message: str = "") -> CheckResult:
    return CheckResult(meta["rule"], meta["category"], meta["subcategory"], meta["severity"],
                       float(meta["threshold"]), meta["rationale"], checked, failed, status,
                       message)


class _RowConditions:
    """The rows each expectation's row condition selects in `frame` (every row without one),
    each distinct condition evaluated once: a suite's expectations share a few (the proms
    suite's 75 item ranges share 8, one per instrument), and each evaluation costs pandas
    about half a millisecond of parsing whatever the rows."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self._frame = frame
        self._masks: dict[str, pd.Series] = {}

    def __call__(self, kwargs: dict) -> pd.Series:
        condition = kwargs.get("row_condition")
        if isinstance(condition, dict):  # Great Expectations wraps pandas conditions
            condition = condition.get("pass_through_filter")
        if not condition:
            return pd.Series(True, index=self._frame.index)
        if condition not in self._masks:
            self._masks[condition] = self._frame.eval(condition).fillna(False).astype(bool)
        return self._masks[condition]


def for_validation(rows: pd.DataFrame, date_columns: list[str]) -> pd.DataFrame:
    """A positional-index copy typed for Great Expectations' vectorised paths, with the
    last day of each row's month folder.

    Dates become nanosecond timestamps and text becomes Arrow strings: on any other date
    unit or on Python objects, Great Expectations compares and measures value by value
    (about twice the time of a whole suite at county scale; docs/performance-history.md,
    2026-12-02). The values are the same. `folder_month_end` (from `file_key`, which ends
    with the month folder `YYYY-MM`) is what the rules "not dated after its folder's
    month" compare with.
    """
    frame = rows.reset_index(drop=True)
    for col in date_columns:
        frame[col] = pd.to_datetime(frame[col]).astype("datetime64[ns]")
    for col in frame.columns:
        if frame[col].dtype == object:
            frame[col] = frame[col].astype("string[pyarrow]")
    months = pd.to_datetime(frame["file_key"].str[-7:] + "-01", format="%Y-%m-%d")
    frame["folder_month_end"] = (months + pd.offsets.MonthEnd(0)).astype("datetime64[ns]")
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
