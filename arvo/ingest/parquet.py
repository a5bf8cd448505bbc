"""Read a Parquet submission file: each contract column must have a type that fits it.

Which Parquet (Arrow) types a column of each contract kind accepts, and how they become
text, so that typing and checks then treat every format alike:

| kind | accepted | refused (the file is rejected, the column named) |
| --- | --- | --- |
| text, code | string; integer; binary that is UTF-8 | float, date, bool, nested |
| hetu | string; binary that is UTF-8 | every other type |
| date | date, timestamp; string (read as `YYYY-MM-DD` or `D.M.YYYY`) | numbers, bool |
| decimal | decimal, integer, float (rounded to cents when within 1e-9); string | date, bool |
| integer | integer; float and decimal (whole values checked per row); string | date, bool |

A column that is entirely null has no values to convert and is read as empty.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from arvo.contract import Entity, Kind
from arvo.ingest.read import BrokenFile, RawFile, column_key, count_rows
from arvo.messages import msg
from arvo.redact import quoted


def _is_text(t: pa.DataType) -> bool:
    return pa.types.is_string(t) or pa.types.is_large_string(t)


def _is_binary(t: pa.DataType) -> bool:
    return pa.types.is_binary(t) or pa.types.is_large_binary(t)


ACCEPTS = {
    "text": lambda t: _is_text(t) or _is_binary(t) or pa.types.is_integer(t),
    "code": lambda t: _is_text(t) or _is_binary(t) or pa.types.is_integer(t),
    "hetu": lambda t: _is_text(t) or _is_binary(t),
    "date": lambda t: _is_text(t) or pa.types.is_date(t) or pa.types.is_timestamp(t),
    "decimal": lambda t: (_is_text(t) or pa.types.is_integer(t) or pa.types.is_floating(t)
                          or pa.types.is_decimal(t)),
    "integer": lambda t: (_is_text(t) or pa.types.is_integer(t) or pa.types.is_floating(t)
                          or pa.types.is_decimal(t)),
}
EXPECTED = {
    "text": msg("text (string)"), "code": msg("text (string)"), "hetu": msg("text (string)"),
    "date": msg("a date, timestamp or YYYY-MM-DD text"),
    "decimal": msg("a number or number text"), "integer": msg("a whole number"),
}


def read_parquet(path: Path, entity: Entity) -> RawFile:
    """The contract's columns of a Parquet file as text, or BrokenFile naming the column."""
    rows_in = count_rows(path)
    if rows_in is None:
        raise BrokenFile(path, msg("not a readable Parquet file (its footer cannot be read), "
                                   "so its rows cannot be counted"))
    try:
        table = pq.read_table(path)
    except Exception as exc:
        raise BrokenFile(path, msg("Parquet data cannot be read ({error})",
                                   error=quoted(exc, 120)), rows_in=rows_in) from None
    header = {column_key(n): n for n in table.column_names}
    missing = [c for c in entity.required if c not in header]
    if missing:
        raise BrokenFile(path, msg("required column(s) {missing} missing (it has: {found})",
                                   missing=", ".join(missing),
                                   found=", ".join(quoted(n, 30)
                                                   for n in table.column_names[:12])),
                         column=missing[0], rows_in=table.num_rows)
    frame = pd.DataFrame(index=range(table.num_rows))
    for col in entity.columns:
        if col.name not in header:
            frame[col.name] = None
            continue
        values = table.column(header[col.name])
        frame[col.name] = _as_text(path, col.name, col.kind, values, table.num_rows)
    frame["source_row"] = pd.Series(range(1, table.num_rows + 1), dtype="int64")
    extra = [quoted(h, 30) for h in header if h not in entity.names]
    return RawFile(path, "parquet", frame, {}, extra, 0)


def _as_text(path: Path, name: str, kind: Kind, values: pa.ChunkedArray,
             rows_in: int) -> pd.Series:
    """One column as text (None for null), after checking its type fits the kind."""
    t = values.type
    if pa.types.is_dictionary(t):
        values, t = values.cast(t.value_type), t.value_type
    if pa.types.is_null(t):
        return pd.Series([None] * len(values), dtype=object)
    if not ACCEPTS[kind](t):
        raise BrokenFile(path, msg("column {column} has Parquet type {type}; expected "
                                   "{expected}", column=name, type=str(t),
                                   expected=EXPECTED[kind]),
                         row=0, column=name, rows_in=rows_in)
    if _is_binary(t):
        try:
            values = values.cast(pa.string())
        except pa.ArrowInvalid:
            raise BrokenFile(path, msg("column {column} is binary that is not UTF-8 text; "
                                       "send it as a string column", column=name),
                             row=0, column=name, rows_in=rows_in) from None
    elif pa.types.is_timestamp(t):
        values = pc.strftime(values.cast(pa.timestamp("s", t.tz)), format="%Y-%m-%d")
    elif pa.types.is_date(t):
        values = pc.strftime(values.cast(pa.date32()).cast(pa.timestamp("s")),
                             format="%Y-%m-%d")
    elif pa.types.is_floating(t):
        return pd.Series([_float_text(v) for v in values.to_pylist()], dtype=object)
    elif not _is_text(t):  # integers and decimals: exact text
        values = values.cast(pa.string())
    return pd.Series(values.to_pylist(), dtype=object)


def _float_text(value: float | None) -> str | None:
    """A float as text: cents when it is within binary rounding of a cent (109.47 stays
    109.47), otherwise every digit, so a finer value is refused, not rounded."""
    if value is None or value != value:  # null or NaN
        return None
    cents = round(value, 2)
    if abs(value - cents) <= 1e-9 * max(1.0, abs(value)):
        return f"{cents:.2f}".rstrip("0").rstrip(".") if cents != int(cents) else str(int(cents))
    return repr(value)
