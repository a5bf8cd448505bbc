"""Convert a file's text columns to contract types and pseudonymise identity codes.

Every value that cannot be converted becomes an `Issue` for its row and column; the
raw HETU is dropped here and never leaves this module.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from flows import hetu as hetu_codes
from flows.contract import Entity
from flows.ingest.read import RawFile


@dataclass(frozen=True)
class Issue:
    """One broken rule on one row."""

    source_row: int
    rule: str
    column_name: str | None
    reason: str


def to_typed(raw: RawFile, entity: Entity, key: bytes) -> tuple[pd.DataFrame, list[Issue]]:
    """Typed rows (hetu replaced by client_id, birth_date, sex) and the issues found."""
    rows = raw.rows
    issues = [Issue(n, "row_shape", None, msg) for n, msg in raw.shape_errors.items()]
    out = pd.DataFrame({"source_row": rows["source_row"]})
    for col in entity.columns:
        text = rows[col.name]
        if col.required:
            for n in rows.loc[text.isna(), "source_row"]:
                issues.append(Issue(int(n), "required", col.name, f"{col.name} is empty"))
        if col.kind == "hetu":
            facts, hetu_issues = _pseudonymise(text, rows["source_row"], key)
            issues += hetu_issues
            out = pd.concat([out, facts], axis=1)
        elif col.kind == "date":
            out[col.name], bad = _dates(text)
            issues += _bad(rows, bad, col.name, "type_date",
                           "is not a date (use YYYY-MM-DD or D.M.YYYY)")
        elif col.kind == "decimal":
            out[col.name], bad = _decimals(text, raw.decimal_comma)
            mark = "decimal comma" if raw.decimal_comma else "decimal point"
            issues += _bad(rows, bad, col.name, "type_decimal", f"is not a number (use a {mark})")
        elif col.kind == "integer":
            out[col.name], bad = _integers(text)
            issues += _bad(rows, bad, col.name, "type_integer", "is not a whole number")
        else:
            out[col.name] = text.astype(object)
    return out, issues


def _bad(rows: pd.DataFrame, bad: pd.Series, column: str, rule: str, what: str) -> list[Issue]:
    return [Issue(int(n), rule, column, f"{column} {v!r} {what}")
            for n, v in zip(rows.loc[bad, "source_row"], rows.loc[bad, column], strict=True)]


def _dates(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    iso = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    fi = pd.to_datetime(text, format="%d.%m.%Y", errors="coerce")
    value = iso.fillna(fi)
    return value.dt.date.astype(object).where(value.notna(), None), text.notna() & value.isna()


def _decimals(text: pd.Series, decimal_comma: bool) -> tuple[pd.Series, pd.Series]:
    cleaned = text.str.replace(r"[\s\u00a0]", "", regex=True)
    if decimal_comma:
        cleaned = cleaned.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    value = pd.to_numeric(cleaned, errors="coerce").astype("float64")
    return value, text.notna() & value.isna()


def _integers(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    number = pd.to_numeric(text.str.strip().str.replace(r"[.,]0+$", "", regex=True),
                           errors="coerce")
    bad = text.notna() & (number.isna() | (number.round() != number))
    return number.where(~bad).astype("Int64"), bad


def _pseudonymise(text: pd.Series, source_rows: pd.Series,
                  key: bytes) -> tuple[pd.DataFrame, list[Issue]]:
    """client_id, birth_date and sex per row; an issue (without the code) for invalid ones."""
    lookup: dict[str, tuple[str, object, str] | str] = {}
    for code in text.dropna().unique():
        try:
            facts = hetu_codes.parse(code)
        except hetu_codes.InvalidHetu as exc:
            lookup[code] = str(exc)
        else:
            lookup[code] = (hetu_codes.pseudonymise(code, key), facts.birth_date, facts.sex)
    client, birth, sex, issues = [], [], [], []
    for code, n in zip(text, source_rows, strict=True):
        found = lookup.get(code) if code is not None else None
        if isinstance(found, tuple):
            client.append(found[0])
            birth.append(found[1])
            sex.append(found[2])
            continue
        client.append(None)
        birth.append(None)
        sex.append(None)
        if isinstance(found, str):
            issues.append(Issue(int(n), "hetu_valid", "hetu", found))
    frame = pd.DataFrame({"client_id": client, "birth_date": birth, "sex": sex},
                         index=text.index, dtype=object)
    return frame, issues
