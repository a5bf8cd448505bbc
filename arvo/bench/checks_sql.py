"""The submission suites' checks as plain DuckDB SQL: the benchmark's yardstick for the
validation stage (docs/operations.md#benchmark).

Great Expectations stays the engine of record: ingest quarantines what
`arvo.quality.suites.run_suite` finds. This module only measures what the same checks
cost when written as SQL by hand: `run(suite, frame, parameters)` reads the same JSON
suite and the same typed rows and returns, per rule and file, the rows checked and
failed and the failing rows, in one query per suite; tests/bench/test_checks_sql.py
checks that it finds exactly what Great Expectations finds. The six expectation types
of the suites are translated; any other type raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb
import pandas as pd

_CONDITION = re.compile(r'^\s*(\w+)\s*==\s*"([^"]*)"\s*$')


@dataclass(frozen=True)
class SqlResult:
    """Per rule: {file_key: (rows checked, rows failed)}, and the failing rows."""

    counts: dict[str, dict[str, tuple[int, int]]]
    failing: dict[str, list[tuple[str, int]]]  # rule -> [(file_key, source_row)]


def _literal(value: object) -> str:
    if isinstance(value, (pd.Timestamp,)) or hasattr(value, "isoformat"):
        return f"timestamp '{pd.Timestamp(value).isoformat(sep=' ')}'"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return repr(value)


def _value(v: object, parameters: dict) -> object:
    return parameters[v["$PARAMETER"]] if isinstance(v, dict) and "$PARAMETER" in v else v


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _condition(kwargs: dict) -> str:
    """An expectation's pandas row condition (`column=="value"`) as SQL; true without one."""
    condition = kwargs.get("row_condition")
    if not condition:
        return "true"
    found = _CONDITION.match(condition)
    if not found:
        raise ValueError(f"row condition {condition!r} has no SQL translation here")
    return f"{_quoted(found.group(1))} = {_literal(found.group(2))}"


def _rule(exp: dict, parameters: dict) -> tuple[str, str, str | None]:
    """(rows checked, rows failed among them, a window column it needs) as SQL."""
    kind, kw = exp["type"], exp["kwargs"]
    where = _condition(kw)
    if kind == "expect_compound_columns_to_be_unique":
        cols = ", ".join(_quoted(c) for c in kw["column_list"])
        window = f"count(*) over (partition by {cols})"
        present = " and ".join(f"{_quoted(c)} is not null" for c in kw["column_list"])
        return f"({where}) and {present}", "{window} > 1", window
    if kind == "expect_column_pair_values_a_to_be_greater_than_b":
        a, b = _quoted(kw["column_A"]), _quoted(kw["column_B"])
        op = ">=" if kw.get("or_equal") else ">"
        return (f"({where}) and {a} is not null and {b} is not null",
                f"not ({a} {op} {b})", None)
    col = _quoted(kw["column"])
    checked = f"({where}) and {col} is not null"
    lo, hi = _value(kw.get("min_value"), parameters), _value(kw.get("max_value"), parameters)
    if kind == "expect_column_values_to_be_between":
        parts = ([f"{col} < {_literal(lo)}"] if lo is not None else []) + (
            [f"{col} > {_literal(hi)}"] if hi is not None else [])
        return checked, " or ".join(parts) or "false", None
    if kind == "expect_column_value_lengths_to_be_between":
        text = f"length(cast({col} as varchar))"
        parts = ([f"{text} < {lo}"] if lo is not None else []) + (
            [f"{text} > {hi}"] if hi is not None else [])
        return checked, " or ".join(parts) or "false", None
    if kind == "expect_column_values_to_be_in_set":
        values = _value(kw["value_set"], parameters)
        listed = ", ".join(_literal(v) for v in values) or "null"
        return checked, f"{col} not in ({listed})", None
    if kind == "expect_column_values_to_match_regex":
        return checked, f"not regexp_matches(cast({col} as varchar), {_literal(kw['regex'])})", None
    raise ValueError(f"expectation {kind} has no SQL translation here")


def run(suite: dict, frame: pd.DataFrame, parameters: dict) -> SqlResult:
    """Run every expectation of `suite` on `frame` (typed rows with file_key, source_row)."""
    rules, windows, flags, aggs = [], [], [], []
    for i, exp in enumerate(suite["expectations"]):
        checked, failed, window = _rule(exp, parameters)
        if window:
            windows.append(f"{window} as _w{i}")
            failed = failed.format(window=f"_w{i}")
        rules.append(exp["meta"]["rule"])
        flags.append(f"({checked}) as _c{i}, coalesce(({checked}) and ({failed}), false) as _f{i}")
        aggs.append(f"count(*) filter (where _c{i}), count(*) filter (where _f{i})")
    with duckdb.connect() as con:
        con.register("submitted", frame)
        inner = ", ".join(["*", *windows]) if windows else "*"
        flagged = (f"select file_key, source_row, {', '.join(flags)} "
                   f"from (select {inner} from submitted)")
        con.execute(f"create temp table flagged as {flagged}")
        per_file = con.execute(
            f"select file_key, {', '.join(aggs)} from flagged group by file_key").fetchall()
        any_failed = " or ".join(f"_f{i}" for i in range(len(rules))) or "false"
        rows = con.execute(
            f"select file_key, source_row, {', '.join(f'_f{i}' for i in range(len(rules)))} "
            f"from flagged where {any_failed}").fetchall()
    counts = {r: {} for r in rules}
    for row in per_file:
        for i, rule in enumerate(rules):
            counts[rule][row[0]] = (int(row[1 + 2 * i]), int(row[2 + 2 * i]))
    failing = {r: [] for r in rules}
    for row in rows:
        for i, rule in enumerate(rules):
            if row[2 + i]:
                failing[rule].append((row[0], int(row[1])))
    return SqlResult(counts, failing)
