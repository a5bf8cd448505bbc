"""Read one submission file into text columns, detecting encoding and separator.

A file that cannot be read as the contract says raises `BrokenFile`, whose message names
the file, the row and, where it applies, the column. Rows are numbered as data rows from 1
(the header is row 0).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from flows.contract import Entity

BOM = b"\xef\xbb\xbf"


class BrokenFile(ValueError):
    """A file that cannot be read at all; the message names file, row and column."""

    def __init__(self, path: Path, message: str, row: int | None = None,
                 column: str | None = None, lines: list[str] | None = None):
        where = "/".join(Path(path).parts[-3:])  # provider/month/file, as the provider sent it
        if row is not None:
            where += f", row {row}"
        if column is not None:
            where += f", column '{column}'"
        super().__init__(f"{where}: {message}")
        self.path, self.row, self.column, self.reason = path, row, column, message
        self.lines = lines or []


@dataclass
class RawFile:
    """A file read as text: one string column per contract column, plus row numbers."""

    path: Path
    file_format: str  # csv_utf8 | csv_fi | csv_fi_1252 | parquet
    decimal_comma: bool
    rows: pd.DataFrame  # contract columns as str (None for empty), plus `source_row`
    shape_errors: dict[int, str] = field(default_factory=dict)  # row -> reason
    extra_columns: list[str] = field(default_factory=list)


def read_file(path: Path, entity: Entity) -> RawFile:
    """Read a CSV or Parquet submission file for `entity`."""
    if path.suffix.lower() == ".parquet":
        return _read_parquet(path, entity)
    return _read_csv(path, entity)


def decode_text(path: Path, data: bytes) -> tuple[str, str]:
    """Return (text, encoding label), or raise BrokenFile naming the first bad row."""
    if b"\x00" in data[:65536]:
        raise BrokenFile(path, "file is not text (binary content); send CSV or Parquet",
                         row=_row_of(data, data.index(b"\x00")))
    if data.startswith(BOM):
        try:
            return data[len(BOM):].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise BrokenFile(path, f"starts with a UTF-8 BOM but byte 0x{data[exc.start + 3]:02x}"
                             " is not valid UTF-8", row=_row_of(data, exc.start + 3)) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise BrokenFile(path, f"byte 0x{data[exc.start]:02x} is neither UTF-8 nor "
                         "Windows-1252; save the file as UTF-8", row=_row_of(data, exc.start)) \
            from None


def _row_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset)  # header line is row 0


def column_key(name: str) -> str:
    """A header cell as matched against contract names: trimmed, unquoted, lower case."""
    return name.strip().strip('"').strip().lower()


def guess_separator(header_line: str, expected: list[str] | tuple[str, ...]) -> str | None:
    """The separator (';', ',' or tab) that splits the header into most expected names."""
    best, best_hits = None, 0
    for sep in (";", ",", "\t"):
        hits = len({column_key(h) for h in header_line.split(sep)} & set(expected))
        if hits > best_hits:
            best, best_hits = sep, hits
    return best


def _read_csv(path: Path, entity: Entity) -> RawFile:
    data = path.read_bytes()
    if not data.strip():
        raise BrokenFile(path, "file is empty; expected a header row", row=0)
    text, encoding = decode_text(path, data)
    header_line = text.split("\n", 1)[0].rstrip("\r")
    sep = _separator(path, header_line, entity)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=False)
    header = [column_key(h) for h in next(reader)]
    missing = [c for c in entity.required if c not in header]
    if missing:
        raise BrokenFile(path, f"required column(s) {', '.join(missing)} missing from the "
                         f"header (found: {', '.join(header)})", row=0, column=missing[0])
    frame = _read_fast(text, sep, header, entity)
    if frame is None:  # blank or malformed lines: the exact, slower reader numbers them
        frame, shape_errors = _read_exact(reader, sep, header, entity)
    else:
        shape_errors = {}
    decimal_comma = sep == ";"
    fmt = "csv_utf8" if sep == "," else ("csv_fi_1252" if encoding == "cp1252" else "csv_fi")
    extra = [h for h in header if h not in entity.names]
    return RawFile(path, fmt, decimal_comma, frame, shape_errors, extra)


def _read_fast(text: str, sep: str, header: list[str], entity: Entity) -> pd.DataFrame | None:
    """Arrow's CSV parser for well-formed files; None if any line is blank or malformed."""
    invalid: list[object] = []

    def on_invalid(row: object) -> str:
        invalid.append(row)
        return "skip"

    names = [f"c{i}" for i in range(len(header))]
    try:
        table = pacsv.read_csv(
            io.BytesIO(text.encode("utf-8")),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, use_threads=False),
            parse_options=pacsv.ParseOptions(delimiter=sep, ignore_empty_lines=False,
                                             invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names}, strings_can_be_null=False,
                quoted_strings_can_be_null=False))
    except pa.ArrowInvalid:
        return None
    if invalid:
        return None
    columns = {}
    for name in entity.names:
        if name not in header:
            columns[name] = pd.Series([None] * table.num_rows, dtype=object)
            continue
        trimmed = pc.utf8_trim_whitespace(table.column(header.index(name)))
        cells = pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)
        columns[name] = pd.Series(cells.to_numpy(zero_copy_only=False), dtype=object)
    frame = pd.DataFrame(columns, dtype=object)
    frame["source_row"] = pd.Series(range(1, table.num_rows + 1), dtype="int64")
    return frame


def _read_exact(reader, sep: str, header: list[str],
                entity: Entity) -> tuple[pd.DataFrame, dict[int, str]]:
    """Python's csv reader, row by row: keeps line numbers and flags rows of the wrong width."""
    width = len(header)
    rows: list[list[str]] = []
    numbers: list[int] = []
    shape_errors: dict[int, str] = {}
    for n, fields in enumerate(reader, start=1):
        if len(fields) != width:
            if not fields or (len(fields) == 1 and not fields[0].strip()):
                continue  # blank line
            shape_errors[n] = (f"row has {len(fields)} fields but the header has {width} "
                               f"(separator '{sep}')")
            fields = (fields + [""] * width)[:width]
        numbers.append(n)
        rows.append(fields)
    cells = pd.DataFrame(rows, dtype=object, columns=range(width))
    frame = pd.DataFrame({name: _text(cells[header.index(name)]) if name in header else None
                          for name in entity.names}, index=cells.index, dtype=object)
    frame["source_row"] = pd.Series(numbers, dtype="int64")
    return frame, shape_errors


def _text(column: pd.Series) -> pd.Series:
    """Cells stripped of surrounding spaces, empty cells as None."""
    stripped = column.str.strip()
    return stripped.where(stripped != "", None).astype(object)


def _separator(path: Path, header_line: str, entity: Entity) -> str:
    best = guess_separator(header_line, entity.required)
    if best is None:
        raise BrokenFile(path, "header row does not hold the contract's column names with ';' "
                         f"or ',' as separator (it reads: {header_line[:80]!r})", row=0)
    return best


def _read_parquet(path: Path, entity: Entity) -> RawFile:
    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises several types for corrupt files
        raise BrokenFile(path, f"not a readable Parquet file ({exc})") from None
    header = {column_key(n): n for n in table.column_names}
    missing = [c for c in entity.required if c not in header]
    if missing:
        raise BrokenFile(path, f"required column(s) {', '.join(missing)} missing "
                         f"(found: {', '.join(table.column_names)})", column=missing[0])
    frame = pd.DataFrame(index=range(table.num_rows))
    for name in entity.names:
        if name in header:
            col = table.column(header[name]).to_pandas()
            frame[name] = _as_text(col)
        else:
            frame[name] = None
    frame["source_row"] = pd.Series(range(1, table.num_rows + 1), dtype="int64")
    extra = [h for h in header if h not in entity.names]
    return RawFile(path, "parquet", False, frame, {}, extra)


def _as_text(col: pd.Series) -> pd.Series:
    """Parquet values as text, so typing and checks treat every format alike."""
    if pd.api.types.is_datetime64_any_dtype(col):
        out = col.dt.strftime("%Y-%m-%d")
    elif pd.api.types.is_float_dtype(col):
        out = col.map(lambda v: None if pd.isna(v) else repr(float(v)))
    else:
        out = col.map(lambda v: None if v is None or (not isinstance(v, str) and pd.isna(v))
                      else (v.isoformat() if hasattr(v, "isoformat") else str(v)))
    return out.astype(object).where(out.notna(), None)
