"""Read one submission file into text columns, detecting encoding and separator.

A file that cannot be read as the contract says raises `BrokenFile`, whose message names
the file, the row and, where it applies, the column. Row N is the record that starts on
line N + 1 of the file (the header is row 0), so blank lines, which are skipped and
counted, never shift the row numbers a provider is told. No message quotes a provider's
content unmasked or at unbounded length (`arvo.redact`).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from arvo.config import MB
from arvo.contract import Entity
from arvo.messages import Message, msg
from arvo.redact import LINE_LIMIT, quoted, shown

BOM = b"\xef\xbb\xbf"
LINE_END = re.compile(r"\r\n|\r|\n")
csv.field_size_limit(1 << 30)  # an over-long field is a row's problem, not the reader's


def split_lines(text: str) -> list[str]:
    """The lines of a text as an editor counts them: a final line end ends the last line,
    it does not start an empty one; blank lines before it are lines."""
    lines = LINE_END.split(text)
    return lines[:-1] if len(lines) > 1 and lines[-1] == "" else lines


class BrokenFile(ValueError):
    """A file that cannot be read at all; the message names file, row and column."""

    def __init__(self, path: Path, message: Message, row: int | None = None,
                 column: str | None = None, rows_in: int | None = None,
                 first_line_is_data: bool = False, unread: bool = False):
        where = "/".join(Path(path).parts[-3:])  # provider/month/file, as the provider sent it
        if row is not None and column is not None:
            located = msg("{path}, row {row}, column '{column}': {message}", path=where,
                          row=row, column=column, message=message)
        elif row is not None:
            located = msg("{path}, row {row}: {message}", path=where, row=row, message=message)
        elif column is not None:
            located = msg("{path}, column '{column}': {message}", path=where, column=column,
                          message=message)
        else:
            located = msg("{path}: {message}", path=where, message=message)
        super().__init__(str(located))
        self.located = located  # the message with the file, row and column it names
        self.path, self.row, self.column, self.reason = path, row, column, message
        self.rows_in = rows_in  # Parquet: the rows the file holds, if its footer can be read
        # the first line holds none of the contract's names: it is content, kept as row 0
        self.first_line_is_data = first_line_is_data
        self.unread = unread  # rejected without reading its content: it holds no rows known


def too_large(path: Path, limit: int, max_rows: int | None = None) -> BrokenFile | None:
    """The rejection of a file over the size limit (`Settings.max_file_bytes`) or, for a
    Parquet file, over the rows its footer counts (`Settings.max_file_rows`), which is
    not read; None for a file within both. The one rule of which files are read whole."""
    size = path.stat().st_size
    if size > limit:
        return BrokenFile(path, msg("the file is {size} MB, over the limit of {limit} MB for "
                                    "one file, and is not read; send only the month's rows, "
                                    "or agree a higher limit with the commissioner",
                                    size=_megabytes(size), limit=_megabytes(limit)),
                          unread=True)
    rows = count_rows(path) if max_rows and path.suffix.lower() == ".parquet" else None
    if rows is not None and rows > max_rows:
        return BrokenFile(path, msg("the file holds {rows} rows, over the limit of {limit} "
                                    "rows for one file, and is not read; send only the "
                                    "month's rows, or agree a higher limit with the "
                                    "commissioner", rows=f"{rows:,}", limit=f"{max_rows:,}"),
                          unread=True)
    return None


def count_rows(path: Path) -> int | None:
    """The rows a Parquet file holds by its footer, or None if the footer cannot be read."""
    try:
        return pq.ParquetFile(path).metadata.num_rows
    except Exception:  # pyarrow raises several types for corrupt files
        return None


def _megabytes(size: int) -> str:
    """Megabytes rounded up to one decimal, a whole number without it: 1536, 1024.1 (a
    byte over 1024 MB is not shown as 1024)."""
    return f"{-(-size * 10 // MB) / 10:.1f}".removesuffix(".0")


@dataclass
class RawFile:
    """A file read as text: one string column per contract column, plus row numbers."""

    path: Path
    file_format: str  # csv_utf8 | csv_fi | csv_fi_1252 | parquet
    rows: pd.DataFrame  # contract columns as str (None for empty), plus `source_row`
    shape_errors: dict[int, Message] = field(default_factory=dict)  # row -> reason
    extra_columns: list[str] = field(default_factory=list)
    blank_lines: int = 0


def read_file(path: Path, entity: Entity) -> RawFile:
    """Read a CSV or Parquet submission file for `entity`."""
    if path.suffix.lower() == ".parquet":
        from arvo.ingest.parquet import read_parquet

        return read_parquet(path, entity)
    return _read_csv(path, entity)


def decode_text(path: Path, data: bytes) -> tuple[str, str]:
    """Return (text, encoding label), or raise BrokenFile naming the first bad row."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise BrokenFile(path, msg("file is UTF-16 text; save it as UTF-8 (or Windows-1252) "
                                   "CSV"), row=0)
    if b"\x00" in data:
        row, column = _locate(data, data.index(b"\x00"))
        raise BrokenFile(path, msg("file is not text (it holds a NUL byte, as binary files "
                                   "and UTF-16 text do); send CSV or Parquet"),
                         row=row, column=column)
    if data.startswith(BOM):
        try:
            return data[len(BOM):].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            row, column = _locate(data, exc.start + len(BOM))
            raise BrokenFile(path, msg("starts with a UTF-8 BOM but byte {byte} is not valid "
                                       "UTF-8", byte=f"0x{data[exc.start + 3]:02x}"),
                             row=row, column=column) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        row, column = _locate(data, exc.start)
        raise BrokenFile(path, msg("byte {byte} is neither UTF-8 nor Windows-1252; save the "
                                   "file as UTF-8", byte=f"0x{data[exc.start]:02x}"),
                         row=row, column=column) from None


def _locate(data: bytes, offset: int) -> tuple[int, str | None]:
    """Row and header column of a byte offset (the column by counting separators)."""
    lines = LINE_END.split(data[:offset].decode("latin-1"))
    row = len(lines) - 1
    header_end = LINE_END.search(data.decode("latin-1"))
    header = data[:header_end.start() if header_end else len(data)].decode("latin-1")
    sep = guess_separator(header, None)
    if sep is None:
        return row, None
    names = [column_key(h) for h in header.split(sep)]
    index = lines[-1].count(sep)
    return row, (names[index] if index < len(names) and names[index] else None)


def column_key(name: str) -> str:
    """A header cell as matched against contract names: trimmed, unquoted, lower case."""
    return name.strip().lstrip("\ufeff").strip('"').strip().lower()


def guess_separator(header_line: str, expected: list[str] | tuple[str, ...] | None) -> str | None:
    """The separator (';', ',' or tab) that splits the header into most expected names.

    With `expected` None, the separator that splits the line into most fields.
    """
    best, best_hits = None, 0
    for sep in (";", ",", "\t"):
        cells = {column_key(h) for h in header_line.split(sep)}
        hits = len(cells & set(expected)) if expected is not None else header_line.count(sep)
        if hits > best_hits:
            best, best_hits = sep, hits
    return best


def _read_csv(path: Path, entity: Entity) -> RawFile:
    data = path.read_bytes()
    if not data.strip():
        raise BrokenFile(path, msg("file is empty; expected a header row and data rows"),
                         row=0)
    text, encoding = decode_text(path, data)
    header_line = LINE_END.split(text, maxsplit=1)[0]
    sep = _separator(path, header_line, entity)
    header = [column_key(h) for h in next(csv.reader([header_line], delimiter=sep))]
    _check_header(path, header, entity)
    records = _records_fast(text, sep, header) if '"' not in text else None
    if records is None:
        records = _records_exact(path, text, sep, header)
    cells, numbers, shape_errors, blank = records
    frame = pd.DataFrame({name: cells[header.index(name)] if name in header else None
                          for name in entity.names}, index=range(len(numbers)), dtype=object)
    frame["source_row"] = pd.Series(numbers, dtype="int64")
    fmt = "csv_utf8" if sep == "," else ("csv_fi_1252" if encoding == "cp1252" else "csv_fi")
    extra = [shown(h) for h in header if h not in entity.names]
    return RawFile(path, fmt, frame, shape_errors, extra, blank)


def _check_header(path: Path, header: list[str], entity: Entity) -> None:
    missing = [c for c in entity.required if c not in header]
    if missing:
        found = ", ".join(quoted(h, 30) for h in header[:12])
        raise BrokenFile(path, msg("required column(s) {missing} missing from the header row "
                                   "(it holds: {found})", missing=", ".join(missing),
                                   found=found), row=0, column=missing[0])
    twice = sorted({h for h in header if h in entity.names and header.count(h) > 1})
    if twice:
        raise BrokenFile(path, msg("column {column} appears more than once in the header row",
                                   column=twice[0]), row=0, column=twice[0])


# per header column its cells (trimmed, None if empty), the rows' numbers, the rows of the
# wrong width with their reason, and the blank lines skipped
Records = tuple[dict[int, pd.Series], list[int], dict[int, Message], int]


def _records_fast(text: str, sep: str, header: list[str]) -> Records | None:
    """Arrow's CSV parser for files without quotes: one line, one record.

    Lines of the wrong width come back through the invalid-row handler with their line
    numbers; None if the numbering cannot be reconciled (the exact reader then runs).
    """
    invalid: dict[int, str] = {}

    def on_invalid(row) -> str:
        if row.number is None:
            raise pa.ArrowInvalid("row number unknown")
        invalid[row.number] = row.text
        return "skip"

    names = [f"c{i}" for i in range(len(header))]
    try:
        table = pacsv.read_csv(
            io.BytesIO(text.encode("utf-8")),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, use_threads=False),
            parse_options=pacsv.ParseOptions(delimiter=sep, quote_char=False,
                                             ignore_empty_lines=False,
                                             invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names}, strings_can_be_null=False))
    except (pa.ArrowInvalid, pa.ArrowException):
        return None
    total = len(split_lines(text))
    lines = [n for n in range(2, total + 1) if n not in invalid]
    if len(lines) != table.num_rows:
        return None
    trimmed = [pc.utf8_trim_whitespace(table.column(i)) for i in range(len(names))]
    empty = trimmed[0].is_valid()  # all true: the rows whose every cell is blank are blank lines
    for col in trimmed:
        empty = pc.and_(empty, pc.equal(col, ""))
    keep = pc.invert(empty)
    blank_count = table.num_rows - (pc.sum(keep).as_py() or 0)
    numbers = [n - 1 for n, k in zip(lines, keep.to_pylist(), strict=True) if k]
    null = pa.scalar(None, pa.string())
    columns = {i: pd.Series(pc.if_else(pc.equal(kept, ""), null, kept).to_numpy(
        zero_copy_only=False), dtype=object)
        for i, kept in enumerate(pc.filter(col, keep) for col in trimmed)}
    shape_errors: dict[int, Message] = {}
    odd: list[tuple[int, list[str]]] = []
    for number, line in sorted(invalid.items()):
        fields = line.split(sep)
        if all(not f.strip() for f in fields):
            blank_count += 1
            continue
        shape_errors[number - 1] = _width_message(len(fields), len(header), sep)
        odd.append((number - 1, (fields + [""] * len(header))[:len(header)]))
    if odd:
        columns, numbers = _merge(columns, numbers, odd)
    return columns, numbers, shape_errors, blank_count


def _merge(columns: dict[int, pd.Series], numbers: list[int],
           odd: list[tuple[int, list[str]]]) -> tuple[dict[int, pd.Series], list[int]]:
    """The well-formed rows and those of the wrong width, in row order."""
    all_numbers = numbers + [n for n, _ in odd]
    order = sorted(range(len(all_numbers)), key=all_numbers.__getitem__)
    merged = {}
    for c, column in columns.items():
        values = list(column) + [fields[c].strip() or None for _, fields in odd]
        merged[c] = pd.Series([values[i] for i in order], dtype=object)
    return merged, [all_numbers[i] for i in order]


def _records_exact(path: Path, text: str, sep: str, header: list[str]) -> Records:
    """Python's csv reader, record by record, with the line each record starts on.

    A quoted field may hold a line break. A quote that never closes, or one that runs
    over lines into a record of the wrong width (two stray quotes far apart), makes the
    file unreadable: the row and column where the quote opened are named.
    """
    width = len(header)
    raw_lines = split_lines(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=False)
    next(reader)
    rows: list[list[str]] = []
    numbers: list[int] = []
    shape_errors: dict[int, Message] = {}
    blank = 0
    last_line = 1
    for fields in reader:
        first, last_line = last_line + 1, reader.line_num
        if last_line > first:  # a quoted field ran over a line break
            span = "\n".join(raw_lines[first - 1:last_line])
            if span.count('"') % 2 or len(fields) != width:
                column = _quote_column(raw_lines[first - 1], sep, header)
                ends = (msg("a quote opened here never closes; check the quotes")
                        if span.count('"') % 2 else
                        msg("a quote opened here closes only {lines} lines later, on row "
                            "{row}; check the quotes", lines=last_line - first,
                            row=last_line - 1))
                raise BrokenFile(path, ends, row=first - 1, column=column)
        if all(not f.strip() for f in fields):
            blank += 1
            continue
        if len(fields) != width:
            shape_errors[first - 1] = _width_message(len(fields), width, sep)
            fields = (fields + [""] * width)[:width]
        numbers.append(first - 1)
        rows.append(fields)
    cells = pd.DataFrame(rows, dtype=object, columns=range(width))
    return {c: _text(cells[c]) for c in range(width)}, numbers, shape_errors, blank


def _quote_column(line: str, sep: str, header: list[str]) -> str | None:
    """The header column of the field in which a quote opens on `line`."""
    fields = next(csv.reader([line], delimiter=sep, strict=False), [])
    index = max(len(fields) - 1, 0)
    return header[index] if index < len(header) else None


def _width_message(found: int, width: int, sep: str) -> Message:
    return msg("row has {found} fields but the header has {width} (separator '{sep}')",
               found=found, width=width, sep=sep)


def _text(column: pd.Series) -> pd.Series:
    """Cells stripped of surrounding spaces, empty cells as None."""
    stripped = column.astype(object).str.strip()
    return stripped.where(stripped != "", None).astype(object)


def _separator(path: Path, header_line: str, entity: Entity) -> str:
    best = guess_separator(header_line, entity.required)
    if best is not None:
        return best
    first = entity.required[0]
    if re.match(r"\s*<(!doctype|html|\?xml|head|body)", header_line, re.IGNORECASE):
        raise BrokenFile(path, msg("file is a web page (HTML or XML), not CSV; an export or "
                                   "download probably failed"), row=0, column=first,
                         first_line_is_data=True)
    raise BrokenFile(path, msg("the first line is not a header row: it holds none of the "
                               "contract's column names ({names}) separated by ';' or ',' (it "
                               "reads: {line})", names=", ".join(entity.required),
                               line=quoted(header_line, LINE_LIMIT // 4)),
                     row=0, column=first, first_line_is_data=True)
