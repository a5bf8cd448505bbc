"""Write the demo region's submissions to disk as the provider submission contract says.

`<raw root>/<provider Y-tunnus>/<YYYY-MM>/{events,episodes,proms}.{csv,parquet}`, each in
the provider's `submission_format` (definitions/providers.yml):

| format | separator | decimals | encoding | dates | line end |
| --- | --- | --- | --- | --- | --- |
| `csv_utf8` | `,` | `.` | UTF-8, no BOM | `YYYY-MM-DD` | LF |
| `csv_fi` | `;` | `,` | UTF-8 with BOM | `D.M.YYYY` | CRLF |
| `csv_fi_1252` | `;` | `,` | Windows-1252 | `D.M.YYYY` | CRLF |
| `parquet` | - | - | - | `date32` | - |

Columns are written in the contract's order, the optional case-mix fields only when the
frame holds them; nulls are empty cells. A provider-month with
no rows for an entity gets no file. Output bytes depend only on the frames.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from arvo.contract import ENTITIES

ENTITY_COLUMNS = {name: e.names for name, e in ENTITIES.items()}
CORE_COLUMNS = {name: e.core_names for name, e in ENTITIES.items()}
DATE_COLUMNS = {name: tuple(e.of_kind("date")) for name, e in ENTITIES.items()}
DECIMAL_COLUMNS = {name: tuple(e.of_kind("decimal")) for name, e in ENTITIES.items()}
INTEGER_COLUMNS = {name: tuple(e.of_kind("integer")) for name, e in ENTITIES.items()}
FILE_NAMES = tuple(f"{e}.{x}" for e in ENTITY_COLUMNS for x in ("csv", "parquet"))


@dataclass(frozen=True)
class CsvStyle:
    sep: str
    decimal: str
    encoding: str
    finnish_dates: bool
    newline: str


CSV_STYLES = {
    "csv_utf8": CsvStyle(",", ".", "utf-8", False, "\n"),
    "csv_fi": CsvStyle(";", ",", "utf-8-sig", True, "\r\n"),
    "csv_fi_1252": CsvStyle(";", ",", "cp1252", True, "\r\n"),
}


TEXT = pa.large_string()


def _format_dates(values: pd.Series, finnish: bool) -> pa.Array:
    """Dates as text (`YYYY-MM-DD` or `D.M.YYYY`), empty for missing; via unique values."""
    codes, uniques = pd.factorize(pd.to_datetime(values))
    if finnish:
        text = [f"{d.day}.{d.month}.{d.year}" for d in uniques]
    else:
        text = [f"{d.year:04d}-{d.month:02d}-{d.day:02d}" for d in uniques]
    table = pa.array(text + [""], type=TEXT)
    return table.take(pa.array(np.where(codes >= 0, codes, len(text))))


def _format_money(values: pd.Series, decimal: str) -> pa.Array:
    """Euros with two decimals and the given decimal mark (no thousands separator)."""
    cents = np.round(values.to_numpy(dtype=float) * 100).astype(np.int64)
    digits = pc.utf8_lpad(pc.cast(pa.array(np.abs(cents)), TEXT), width=3, padding="0")
    text = pc.binary_replace_slice(digits, start=-2, stop=-2, replacement=decimal)
    negative = cents < 0
    if negative.any():
        signed = pc.binary_join_element_wise(pa.scalar("-", TEXT), text, pa.scalar("", TEXT))
        text = pc.if_else(pa.array(negative), signed, text)
    return text


def _format_text(values: pd.Series) -> pa.Array:
    """Text and integers as they read, empty for missing."""
    kind = values.dtype.kind if isinstance(values.dtype, np.dtype) else None
    if pd.api.types.is_integer_dtype(values.dtype) or (
            kind is None and pd.api.types.is_string_dtype(values.dtype)):
        arr = pc.cast(pa.array(values, from_pandas=True), TEXT)
    else:  # anything else as pandas writes it as text
        arr = pa.array(values.astype("string").fillna("").astype(str).to_numpy(dtype=object),
                       type=TEXT)
    return pc.fill_null(arr, pa.scalar("", TEXT))


def _columns(df: pd.DataFrame, entity: str) -> list[str]:
    """The contract columns to write: all but the case-mix fields the frame does not hold."""
    return [c for c in ENTITY_COLUMNS[entity] if c in CORE_COLUMNS[entity] or c in df.columns]


def csv_lines(df: pd.DataFrame, entity: str, style: CsvStyle) -> np.ndarray:
    """Each row of `df` as one CSV line (no line end) in the entity's contract columns."""
    cols = []
    for c in _columns(df, entity):
        s = df[c]
        if c in DATE_COLUMNS[entity]:
            cols.append(_format_dates(s, style.finnish_dates))
        elif c in DECIMAL_COLUMNS[entity]:
            cols.append(_format_money(s, style.decimal))
        else:
            text = _format_text(s)
            if pc.any(pc.match_substring(text, style.sep)).as_py():
                raise ValueError(f"{entity}.{c}: a value contains the separator {style.sep!r}")
            cols.append(text)
    line = pc.binary_join_element_wise(*cols, pa.scalar(style.sep, TEXT))
    return line.to_numpy(zero_copy_only=False)


def arrow_table(df: pd.DataFrame, entity: str) -> pa.Table:
    """The entity's contract columns as an Arrow table (dates as date32, items as int32)."""
    arrays, fields = [], []
    for c in _columns(df, entity):
        s = df[c]
        if c in DATE_COLUMNS[entity]:
            typ = pa.date32()
            vals = pd.to_datetime(s).to_numpy().astype("datetime64[D]")
            arr = pa.array(vals, type=typ, from_pandas=True)
        elif c in DECIMAL_COLUMNS[entity]:
            typ = pa.float64()
            arr = pa.array(s.to_numpy(dtype=float), type=typ)
        elif c in INTEGER_COLUMNS[entity]:
            typ = pa.int32()
            arr = pa.array(s.astype("Int64").to_numpy(dtype="float64", na_value=np.nan),
                           from_pandas=True).cast(typ)
        else:
            typ = pa.string()
            arr = pa.array(s.astype(object).where(s.notna(), None).to_numpy(), type=typ)
        arrays.append(arr)
        fields.append(pa.field(c, typ, nullable=True))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


class SubmissionWriter:
    """Writes a region's provider-month files a block of residents at a time.

    `add(frames)` writes one block's rows; a later block's rows are appended to the file:
    to a CSV file without a second header or byte-order mark, to a Parquet file as a row
    group of its own (each block's part is staged in a folder beside the raw root and the
    parts are joined by `close`, one file at a time). `close` returns the paths written
    (sorted) and removes files of an earlier run in the provider-month folders that this
    run did not write, so a rerun leaves exactly this run's submissions. Use it as a
    context manager: the staging folder is removed however the run ends.
    """

    def __init__(self, formats: dict[str, str], raw_root: Path):
        self.formats = formats
        self.raw_root = Path(raw_root)
        self.csv: set[Path] = set()  # CSV files this run has begun
        self.parts: dict[Path, list[Path]] = {}  # Parquet file -> staged parts, in order
        self.stage: Path | None = None  # the staging folder, while parts are staged
        self.staged = 0

    def __enter__(self) -> SubmissionWriter:
        return self

    def __exit__(self, *exc) -> None:
        self._drop_stage()

    def _drop_stage(self) -> None:
        if self.stage is not None:
            shutil.rmtree(self.stage, ignore_errors=True)
            self.stage = None

    def add(self, frames: dict[str, pd.DataFrame]) -> None:
        """Write one block's rows: `frames` maps entity -> frame with the contract columns
        plus `provider_id` and `month`; rows are written in frame order."""
        for entity, df in frames.items():
            codes, providers = pd.factorize(df["provider_id"])
            fmts = np.array([self.formats.get(p) for p in providers], dtype=object)
            unknown = sorted(p for p, f in zip(providers, fmts, strict=True) if f is None)
            if unknown:
                raise ValueError(f"no submission_format for providers {unknown}")
            columns = [*_columns(df, entity), "provider_id", "month"]
            for fmt in sorted(set(fmts)):
                rows = np.isin(codes, np.flatnonzero(fmts == fmt))
                sub = df.loc[rows, columns].reset_index(drop=True)
                if fmt == "parquet":
                    self._parquet(sub, entity)
                elif fmt in CSV_STYLES:
                    self._csv(sub, entity, CSV_STYLES[fmt])
                else:
                    raise ValueError(f"unknown submission_format {fmt!r}")

    def _files(self, sub: pd.DataFrame) -> list[tuple[Path, np.ndarray]]:
        """Each provider-month folder of `sub` (created) and its rows, sorted."""
        groups = sub.groupby(["provider_id", "month"], sort=True).indices
        out = []
        for (pid, month) in sorted(groups):
            folder = self.raw_root / str(pid) / str(month)
            folder.mkdir(parents=True, exist_ok=True)
            out.append((folder, groups[(pid, month)]))
        return out

    def _csv(self, sub: pd.DataFrame, entity: str, style: CsvStyle) -> None:
        lines = csv_lines(sub, entity, style)
        header = style.sep.join(_columns(sub, entity))
        nl = style.newline
        for folder, idx in self._files(sub):
            path = folder / f"{entity}.csv"
            body = nl.join(lines[idx]) + nl
            if path in self.csv:  # a later block: no second header or byte-order mark
                encoding = "utf-8" if style.encoding == "utf-8-sig" else style.encoding
                with path.open("ab") as fh:
                    fh.write(body.encode(encoding))
            else:
                path.write_bytes((header + nl + body).encode(style.encoding))
                self.csv.add(path)

    def _parquet(self, sub: pd.DataFrame, entity: str) -> None:
        table = arrow_table(sub, entity)
        if self.stage is None:
            self.raw_root.parent.mkdir(parents=True, exist_ok=True)
            self.stage = Path(tempfile.mkdtemp(prefix=".parquet-parts-",
                                               dir=self.raw_root.parent))
        for folder, idx in self._files(sub):
            path = folder / f"{entity}.parquet"
            self.staged += 1
            part = self.stage / f"{self.staged}.parquet"
            pq.write_table(table.take(pa.array(idx)), part, compression="snappy")
            self.parts.setdefault(path, []).append(part)

    def close(self) -> list[Path]:
        """Join the staged Parquet parts into their files; remove stale files; the paths."""
        for path, parts in self.parts.items():
            if len(parts) == 1:
                os.replace(parts[0], path)
                continue
            schema = pq.read_schema(parts[0])
            with pq.ParquetWriter(path, schema, compression="snappy") as writer:
                for part in parts:  # one block's rows a row group
                    writer.write_table(pq.read_table(part))
        self._drop_stage()
        written = self.csv | set(self.parts)
        if self.raw_root.exists():
            for path in sorted(self.raw_root.glob("*/*/*")):
                if path.name in FILE_NAMES and path not in written:
                    path.unlink()
        return sorted(written)
