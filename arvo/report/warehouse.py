"""The reports' one input: read-only access to the marts of the DuckDB warehouse.

Every figure a report shows, and every row a provider is asked to fix, is read here
(docs/marts.md). The marts keep every period's rows, so a report re-rendered for a past
period from the warehouse alone is the report of that period.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from arvo.report.formatting import missing

PERIOD_MARTS = ("mart_prom_compliance", "mart_provider_data_quality", "mart_segment_value")
"""Marts whose periods say which steering periods have results."""

FUNNEL = "mart_provider_funnel"
MODELS = "mart_case_mix_models"
FUNNEL_ORDER = "period, package_code, instrument, measure, provider_id"
"""The verdict marts (docs/verdicts.md), and the order their rows are read in."""


class Warehouse:
    """Read-only access to the marts; a missing file or table reads as empty.

    `batched`: each mart is read once per period (and order) for all providers, and
    `rows` and `history` of one provider are its slice of those rows, in the same order
    (for rendering the feedback of every provider of a register:
    docs/performance-history.md, "Earlier measurements").
    The rows handed out are copies, so a caller changing them changes no other's."""

    def __init__(self, con: duckdb.DuckDBPyConnection | None, batched: bool = False):
        self.con = con
        self.tables: set[str] = set()
        self._read: dict[tuple, _Read] | None = {} if batched else None
        self._once: dict[tuple, Any] = {}
        if con is not None:
            self.tables = {r[0] for r in con.execute(
                "select table_name from information_schema.tables").fetchall()}

    def rows(self, table: str, period: str, provider_id: str | None = None,
             order_by: str = "1", only: Only | None = None) -> list[dict[str, Any]]:
        """The rows of `table` for `period` (and one provider), as plain Python values;
        `only` (column, values): those whose column holds one of the values."""
        if self.con is None or table not in self.tables:
            return []
        if self._read is not None:
            return self._slice("=", table, period, provider_id, order_by, only)
        sql = f'select * from "{table}" where cast(period as varchar) = ?{_only(only)}'
        params: list[Any] = [period, *(only[1] if only else ())]
        if provider_id is not None:
            sql += " and provider_id = ?"
            params.append(provider_id)
        return self._fetch(f"{sql} order by {order_by}", params)

    def outcome_rows(self, period: str, provider_id: str | None = None) -> list[dict[str, Any]]:
        """The period's rows of mart_provider_package_outcomes. Rows of a period built
        before the mart carried the instrument's metadata take it from seed prom_measures
        (the primary measure's direction, decimals and label), so a re-rendered old period
        is not shown with a guessed direction."""
        rows = self.rows("mart_provider_package_outcomes", period, provider_id,
                         order_by="package_code, instrument, provider_id")
        if all(r.get("higher_is_better") is not None for r in rows):
            return rows
        meta = self.primary_measures()
        for r in rows:
            for key, value in meta.get(r["instrument"], {}).items():
                if r.get(key) is None:
                    r[key] = value
        return rows

    def history(self, table: str, period: str, provider_id: str | None = None,
                order_by: str = "1") -> list[dict[str, Any]]:
        """The rows of `table` for `period` and every earlier period (for trends)."""
        if self.con is None or table not in self.tables:
            return []
        if self._read is not None:
            return self._slice("<=", table, period, provider_id, order_by)
        sql = f'select * from "{table}" where cast(period as varchar) <= ?'
        params: list[Any] = [period]
        if provider_id is not None:
            sql += " and provider_id = ?"
            params.append(provider_id)
        return self._fetch(f"{sql} order by {order_by}", params)

    def _slice(self, op: str, table: str, period: str, provider_id: str | None,
               order_by: str, only: Only | None = None) -> list[dict[str, Any]]:
        """Batched `rows` (op "=") or `history` (op "<="): the table's rows of the
        period(s) read once in `order_by` and kept as tuples by provider (a fraction of the
        memory of dicts); each call makes fresh dicts of one provider's rows, or copies of
        all rows (made dicts once: each provider's feedback reads every provider's
        verdicts)."""
        key = (op, table, period, order_by, only)
        if key not in self._read:
            cur = self.con.execute(f'select * from "{table}" where cast(period as varchar) '
                                   f"{op} ?{_only(only)} order by {order_by}",
                                   [period, *(only[1] if only else ())])
            self._read[key] = _Read(cur)
        read = self._read[key]
        if provider_id is None:
            if read.dicts is None:
                read.dicts = [dict(zip(read.columns, row, strict=True)) for row in read.rows]
            return [r.copy() for r in read.dicts]
        return [dict(zip(read.columns, row, strict=True))
                for row in read.groups.get(provider_id, [])]

    def memo(self, key: tuple, read: Callable[[], Any]) -> Any:
        """What `read` returns, read once when batched."""
        if self._read is None:
            return read()
        if key not in self._once:
            self._once[key] = read()
        return copy.deepcopy(self._once[key])

    def query(self, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
        """The rows of a read-only query, DECIMAL kept as Decimal (exact euro sums) and NaN
        as None (the follow-up's sums over periods: docs/follow-up.md)."""
        if self.con is None:
            return []
        cur = self.con.execute(sql, params or [])
        names = [d[0] for d in cur.description]
        return [{k: None if missing(v) else v for k, v in zip(names, row, strict=True)}
                for row in cur.fetchall()]

    def _fetch(self, sql: str, params: list[Any]) -> list[dict[str, Any]]:
        cur = self.con.execute(sql, params)
        names = [d[0] for d in cur.description]
        return [{k: _plain(v) for k, v in zip(names, row, strict=True)}
                for row in cur.fetchall()]

    def instrument_labels(self) -> dict[str, str]:
        """Instrument code -> label as printed, from seed prom_measures (empty without)."""
        return {code: meta["instrument_label"]
                for code, meta in self.primary_measures().items() if meta["instrument_label"]}

    def primary_measures(self) -> dict[str, dict[str, Any]]:
        """Instrument code -> its primary measure's `higher_is_better`, `decimals` and
        `instrument_label`, from seed prom_measures (empty without the seed or, in a
        warehouse built before the seed had these columns, without them)."""
        return self.memo(("primary_measures",), self._primary_measures)

    def _primary_measures(self) -> dict[str, dict[str, Any]]:
        if self.con is None or "prom_measures" not in self.tables:
            return {}
        try:
            found = self.con.execute(
                "select instrument, higher_is_better, decimals, instrument_label "
                "from prom_measures where is_primary").fetchall()
        except duckdb.Error:  # a seed from before it had these columns
            return {}
        return {code: {"higher_is_better": hib, "decimals": dec, "instrument_label": label}
                for code, hib, dec, label in found}

    def measure_thresholds(self) -> list[dict[str, Any]]:
        """The primary measures' MIDs and NHS Talking Therapies thresholds with their
        sources, from seed prom_measures (empty without, or for a seed without them)."""
        return self.memo(("measure_thresholds",), self._measure_thresholds)

    def _measure_thresholds(self) -> list[dict[str, Any]]:
        if self.con is None or "prom_measures" not in self.tables:
            return []
        try:
            cur = self.con.execute(
                "select measure, instrument_label, measure_label, decimals, mid, "
                "caseness_threshold, reliable_change, source from prom_measures where "
                "is_primary and "
                "(mid is not null or caseness_threshold is not null "
                "or reliable_change is not null) order by instrument_label")
        except duckdb.Error:  # a warehouse built before the seed had them
            return []
        names = [d[0] for d in cur.description]
        from arvo.report.labels import measure  # labels reads the warehouse

        rows = [{k: _plain(v) for k, v in zip(names, row, strict=True)}
                for row in cur.fetchall()]
        return [{**r, "measure_label": measure(r["measure"], r["instrument_label"],
                                               r["measure_label"])} for r in rows]

    def definitions_version(self, period: str) -> dict[str, Any] | None:
        """The definitions version the period was built with, {version, in_force_from}
        (mart_period_register; None for a period built before versions were named)."""
        return self.memo(("definitions_version", period),
                          lambda: self._definitions_version(period))

    def _definitions_version(self, period: str) -> dict[str, Any] | None:
        if self.con is None or "mart_period_register" not in self.tables:
            return None
        rows = self._fetch("select distinct definitions_version as version, "
                           "definitions_in_force_from as in_force_from "
                           "from mart_period_register where cast(period as varchar) = ?",
                           [period]) if {"definitions_version", "definitions_in_force_from"} \
            <= self.columns("mart_period_register") else []
        return rows[0] if rows else None

    def columns(self, table: str) -> set[str]:
        """The column names of a table of the warehouse (empty when it is missing)."""
        return self.memo(("columns", table), lambda: self._columns(table))

    def _columns(self, table: str) -> set[str]:
        if self.con is None or table not in self.tables:
            return set()
        return {r[0] for r in self.con.execute(f'describe "{table}"').fetchall()}

    def previous_period(self, period: str) -> str | None:
        """The latest period before `period` present in the marts (None if there is none)."""
        return self.memo(("previous_period", period), lambda: self._previous_period(period))

    def _previous_period(self, period: str) -> str | None:
        found = []
        for table in sorted(self.tables & set(PERIOD_MARTS)):
            row = self.con.execute(
                f'select max(cast(period as varchar)) from "{table}" '
                "where cast(period as varchar) < ?", [period]).fetchone()
            if row and row[0]:
                found.append(row[0])
        return max(found) if found else None


Only = tuple[str, tuple[Any, ...]]
"""A column and the values of the rows to read (Warehouse.rows)."""


def _only(only: Only | None) -> str:
    """The SQL condition of `only`, its values as parameters."""
    if not only:
        return ""
    column, values = only
    return f' and "{column}" in ({", ".join("?" for _ in values)})'


class _Read:
    """One batched read of a table (Warehouse._slice): its columns, its rows as tuples
    (values as `_plain` makes them), the rows by provider, and all rows as dicts once
    asked for."""

    def __init__(self, cur: duckdb.DuckDBPyConnection):
        self.columns = tuple(d[0] for d in cur.description)
        rows = cur.fetchall()
        inexact = [i for i, d in enumerate(cur.description) if str(d[1]) not in _AS_IS]
        self.rows = [_plained(row, inexact) for row in rows] if inexact else rows
        self.groups: dict[Any, list[tuple]] = {}
        if "provider_id" in self.columns:
            at = self.columns.index("provider_id")
            for row in self.rows:
                self.groups.setdefault(row[at], []).append(row)
        self.dicts: list[dict[str, Any]] | None = None


_AS_IS = {"VARCHAR", "BOOLEAN", "DATE", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE",
          "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
          "UINTEGER", "UBIGINT"}
"""Column types whose values `_plain` leaves as they are (never a float nor a Decimal)."""


def _plained(row: tuple, columns: list[int]) -> tuple:
    """`row` with `_plain` applied to the values of `columns`."""
    out = list(row)
    for i in columns:
        out[i] = _plain(out[i])
    return tuple(out)


def _plain(value: Any) -> Any:
    """NaN as None and DECIMAL as float, so a mart's numeric types do not matter."""
    if missing(value):
        return None
    return float(value) if isinstance(value, Decimal) else value


@contextmanager
def open_warehouse(path: Path, batched: bool = False) -> Iterator[Warehouse]:
    """The warehouse at `path`, read-only; an absent file is an empty warehouse. `batched`:
    each mart read once for all providers (Warehouse)."""
    path = Path(path)
    if not path.is_file():
        yield Warehouse(None)
        return
    con = duckdb.connect(str(path), read_only=True)
    try:
        yield Warehouse(con, batched)
    finally:
        con.close()
