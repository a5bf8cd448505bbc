"""Convert text columns to contract types and pseudonymise identity codes.

Works on the rows of many files at once (told apart by `file_key`), so the cost is per
row, not per file. Every value that cannot be converted becomes an `Issue` for its file,
row and column; the raw HETU is dropped here and never leaves this module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from arvo import hetu as hetu_codes
from arvo.contract import Entity
from arvo.ingest import numbers
from arvo.messages import N_, Message
from arvo.redact import HETU_CANDIDATE, holds_identity_code, quoted


@dataclass(frozen=True)
class Issue:
    """One broken rule on one row of one file."""

    file_key: str
    source_row: int
    rule: str
    column_name: str | None
    reason: Message


def to_typed(rows: pd.DataFrame, entity: Entity, key: bytes) -> tuple[pd.DataFrame, list[Issue]]:
    """Typed rows (hetu replaced by client_id, birth_date, sex) and the issues found.

    `rows` holds the entity's columns as text plus `file_key` (one per file),
    `source_row` and `shape_error` (text or None) per row.
    """
    issues = [Issue(k, int(n), "row_shape", None, why) for k, n, why in
              rows.loc[rows["shape_error"].notna(), ["file_key", "source_row", "shape_error"]]
              .itertuples(index=False)]
    out = rows[["file_key", "source_row"]].copy()
    for col in entity.columns:
        text = rows[col.name]
        if col.required:
            issues += _bad(rows, text.isna(), col.name, "required", N_("{column} is empty"))
        if col.kind == "hetu":
            facts, hetu_issues = _pseudonymise(text, rows, key)
            issues += hetu_issues
            out = pd.concat([out, facts], axis=1)
        elif col.kind == "date":
            out[col.name], bad = _dates(text)
            issues += _bad(rows, bad, col.name, "type_date",
                           N_("{column} {value} is not a date (use YYYY-MM-DD or D.M.YYYY)"))
        elif col.kind == "decimal":
            out[col.name], reasons = numbers.parse(text, rows["file_key"], col.name)
            issues += _reasons(rows, reasons, col.name, "type_decimal")
        elif col.kind == "integer":
            out[col.name], bad = _integers(text)
            issues += _bad(rows, bad, col.name, "type_integer",
                           N_("{column} {value} is not a whole number"))
        else:
            out[col.name] = text.astype(object)
            issues += _bad(rows, _hetu_like(text), col.name, "id_is_hetu",
                           N_("{column} holds a personal identity code; identity codes "
                               "belong in the hetu column only"))
    return out, issues


def _hetu_like(text: pd.Series) -> pd.Series:
    """Values of a text column that hold something shaped like an identity code."""
    candidate = pc.match_substring_regex(pa.array(text, pa.string(), from_pandas=True),
                                         HETU_CANDIDATE)
    hit = pd.Series(candidate.fill_null(False).to_numpy(zero_copy_only=False),
                    index=text.index, dtype=bool)
    if hit.any():  # RE2 has no look-arounds: confirm the few candidates
        hit[hit] = text[hit].astype(str).map(holds_identity_code)
    return hit


def _reasons(rows: pd.DataFrame, reasons: pd.Series, column: str, rule: str) -> list[Issue]:
    hits = reasons.notna()
    return [Issue(k, int(n), rule, column, reason) for k, n, reason in
            zip(rows.loc[hits, "file_key"], rows.loc[hits, "source_row"], reasons[hits],
                strict=True)]


def _bad(rows: pd.DataFrame, bad: pd.Series, column: str, rule: str,
         what: str) -> list[Issue]:
    """An issue per bad row; `what` names the column and, if it has a {value} field, the
    value (masked and cut by `quoted`)."""
    if not bad.any():
        return []
    hits = rows.loc[bad, ["file_key", "source_row", column]]
    show = "{value}" in what
    return [Issue(k, int(n), rule, column,
                  Message(what, {"column": column, **({"value": quoted(v)} if show
                                                               else {})}))
            for k, n, v in hits.itertuples(index=False)]


def _per_distinct(text: pd.Series, convert: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """`convert` run once per distinct value of `text` and spread back over its rows: a
    month's dates and answers are a few hundred values over hundreds of thousands of rows."""
    position, distinct = pd.factorize(text)
    converted = convert(pd.Series(distinct, dtype=object))
    # one missing value appended: an empty cell (position -1) takes it
    values = converted.reindex(range(len(distinct) + 1)).to_numpy()
    return pd.Series(values[position], index=text.index)


def _dates(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    def convert(distinct: pd.Series) -> pd.Series:
        iso = pd.to_datetime(distinct, format="%Y-%m-%d", errors="coerce")
        return iso.fillna(pd.to_datetime(distinct, format="%d.%m.%Y", errors="coerce"))

    value = _per_distinct(text, convert)
    return value, text.notna() & value.isna()


def _integers(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    def convert(distinct: pd.Series) -> pd.Series:
        return pd.to_numeric(distinct.str.strip().str.replace(r"[.,]0+$", "", regex=True),
                             errors="coerce")

    number = _per_distinct(text, convert)
    bad = text.notna() & (number.isna() | (number.round() != number))
    return number.where(~bad).astype("Int64"), bad


def _pseudonymise(text: pd.Series, rows: pd.DataFrame,
                  key: bytes) -> tuple[pd.DataFrame, list[Issue]]:
    """client_id, birth_date and sex per row; an issue (without the code) for invalid ones.

    Each distinct code is parsed and pseudonymised once; the rows take their facts by
    the code's position among the distinct ones (a client has many rows a month).
    """
    position, codes = pd.factorize(text, use_na_sentinel=True)
    # one slot more than codes, left empty: a row without a code (position -1) takes it,
    # as in _per_distinct
    client_id = np.full(len(codes) + 1, np.nan, dtype=object)
    birth_day = np.full(len(codes) + 1, np.datetime64("NaT"), dtype="datetime64[D]")
    sex = np.full(len(codes) + 1, np.nan, dtype=object)
    invalid = np.zeros(len(codes) + 1, dtype=bool)
    reasons: list[Message | None] = [None] * (len(codes) + 1)
    for i, code in enumerate(codes):
        try:
            facts = hetu_codes.parse(code)
        except hetu_codes.InvalidHetu as exc:
            invalid[i], reasons[i] = True, exc.args[0]
        else:
            client_id[i] = hetu_codes.pseudonymise(code, key)
            birth_day[i], sex[i] = facts.birth_date, facts.sex
    frame = pd.DataFrame({
        "client_id": pd.Series(client_id[position], index=text.index, dtype=object),
        "birth_date": pd.Series(birth_day[position].astype("datetime64[s]"), index=text.index),
        "sex": pd.Series(sex[position], index=text.index, dtype=object),
    })
    bad = invalid[position]
    issues = [Issue(k, int(n), "hetu_valid", "hetu", reasons[i]) for k, n, i in
              zip(rows.loc[bad, "file_key"], rows.loc[bad, "source_row"], position[bad],
                  strict=True)]
    return frame, issues
