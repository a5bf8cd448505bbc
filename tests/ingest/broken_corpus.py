"""Broken provider submissions, as a careless or hurried provider sends them.

Each `Case` is one provider folder's content for one month: one damaged file (`target`) of
one entity in one style (csv_utf8, csv_fi, parquet) plus GOOD files of the other two
entities in the same style. A test ingests it and checks conservation (rows in = accepted
+ quarantined), no crash, no identity code anywhere (`identity_codes`), the good files
accepted whole and the damaged file ending as its `Expect` says.

`Expect` follows /work/notes/ingest-rules.md: row N is the record starting on line N+1
(header = row 0; blank lines are skipped and keep this line-based numbering); a rejected
CSV quarantines each non-blank line after line 1, a rejected Parquet that opens its rows,
an unreadable one nothing. Fields the rules leave open are None, with the reason at the
kind. Each damage kind is one small function, registered in `DAMAGES` by `@damage(...)`
with the entities and styles it applies to. Everything is deterministic (fixed seeds).
"""

from __future__ import annotations

import datetime as dt
import io
import random
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

import pyarrow as pa
import pyarrow.parquet as pq

from arvo import hetu
from arvo.contract import ENTITIES, INSTRUMENT_ITEMS, PROM_ITEMS

STYLES = ("csv_utf8", "csv_fi")
PQ = ("parquet",)
ALL = tuple(ENTITIES)
EV = ("events",)  # the only entity with a decimal column
BOM = "\ufeff"
# Codes as in definitions/service_types.yml and packages.yml (the instruments packages use).
SERVICE_CODES = ("PC_VISIT", "PC_NURSE", "SPEC_OUTPATIENT", "ER_VISIT", "MH_VISIT",
                 "HOME_CARE_VISIT", "SOCIAL_WORK", "REHAB_VISIT")
PACKAGE_CODES = ("DEPRESSION", "T2_DIABETES", "HEART_FAILURE", "HIP_KNEE", "HOME_CARE",
                 "CASE_MANAGEMENT")
INSTRUMENTS = ("EQ5D5L", "PHQ9")
DIAGNOSES = ("E11.9", "F32", "I10", "", "J06.9", "M16")
# No cost has one mark followed by exactly three digits: none is ambiguous.
COSTS = ("95.50", "120", "45.50", "80", "1234.75", "310.20", "18.90", "950", "64.10", "2400",
         "33.30", "7.05")
# Per entity: the record id, date, code and text column that damage is applied to.
ROLES = {"events": ("event_id", "event_date", "service_code", "episode_id"),
         "episodes": ("episode_id", "start_date", "package_code", "episode_id"),
         "proms": ("response_id", "response_date", "instrument", "episode_id")}
HTML = ("<!DOCTYPE html>", "<html>", "<head><title>502 Bad Gateway</title></head>", "<body>",
        "<h1>502 Bad Gateway</h1>", "<p>The export service did not answer in time.</p>",
        "</body>", "</html>")


@dataclass(frozen=True)
class Expect:
    status: str            # accepted | partial | rejected | empty | unrecognised
    rows_in: int | None    # rows_in of the damaged file (None = don't check)
    quarantined: int | None  # rows_quarantined of the damaged file
    rule: str | None = None    # partial: a rule among the quarantined rows
    row: int | None = None     # the row the message/quarantine names (first bad row)
    column: str | None = None  # the column named
    blank_lines: int = 0
    value: tuple[str, str, object] | None = None  # (record_id, column, lake value): accepted


@dataclass(frozen=True)
class Case:
    name: str      # <entity>-<style>-<damage>
    damage: str
    entity: str
    style: str
    files: dict[str, bytes]  # path relative to the provider folder -> bytes
    target: str    # the damaged file (or the folder/file listed as unrecognised)
    expect: Expect


# --- good rows and rendering -------------------------------------------------------------

def good_rows(entity: str, n: int = 12, seed: int = 0) -> list[dict[str, str]]:
    """Valid rows (text, ISO dates, '.' decimals) dated 2025-01; row i is person i."""
    return _rows(entity, n, seed, "2025-01")


def _rows(entity: str, n: int, seed: int, month: str) -> list[dict[str, str]]:
    rng = random.Random(f"{entity}-{seed}")
    who = random.Random(f"people-{seed}")  # the same people in every entity
    rows = []
    for i in range(1, n + 1):
        code = hetu.make(dt.date(who.randint(1930, 2015), who.randint(1, 12),
                                 who.randint(1, 28)), 900 + (37 * i + seed) % 100)
        day = f"{month}-{2 + (2 * i + seed) % 26:02d}"
        if entity == "events":
            rows.append({"event_id": f"E{i}", "hetu": code, "event_date": day,
                         "service_code": SERVICE_CODES[(i + seed) % len(SERVICE_CODES)],
                         "episode_id": f"EP{i}" if i % 3 == 0 else "",
                         "diagnosis": DIAGNOSES[i % len(DIAGNOSES)],
                         "cost_eur": COSTS[(i - 1 + seed) % len(COSTS)],
                         "municipality": ("837", "536", "020")[i % 3]})
        elif entity == "episodes":
            rows.append({"episode_id": f"EP{i}", "hetu": code,
                         "package_code": PACKAGE_CODES[(i + seed) % len(PACKAGE_CODES)],
                         "start_date": day, "end_date": f"{month}-28" if i % 2 == 0 else ""})
        else:
            items = INSTRUMENT_ITEMS[INSTRUMENTS[i % 2]]
            rows.append({"response_id": f"R{i}", "episode_id": f"EP{i}", "hetu": code,
                         "instrument": INSTRUMENTS[i % 2],
                         "timepoint": ("baseline", "followup_6m")[i % 2], "response_date": day,
                         **{q: str(rng.randint(*items[q])) if q in items else ""
                            for q in PROM_ITEMS}})
    return rows


def _fi_date(iso: str) -> str:
    y, m, d = iso.split("-")
    return f"{int(d)}.{int(m)}.{y}"


def _styled(row: dict[str, str], entity: str, style: str) -> dict[str, str]:
    """A row as the style writes it: csv_fi has D.M.YYYY dates and decimal commas."""
    out = dict(row)
    for c in ENTITIES[entity].columns:
        if style == "csv_fi" and out.get(c.name) and c.kind == "date":
            out[c.name] = _fi_date(out[c.name])
        elif style == "csv_fi" and out.get(c.name) and c.kind == "decimal":
            out[c.name] = out[c.name].replace(".", ",")
    return out


def _quote(cell: str, sep: str, mode: bool | str) -> str:
    if mode == "all" or (mode and any(ch in cell for ch in (sep, '"', "\n", "\r"))):
        return '"' + cell.replace('"', '""') + '"'
    return cell


def _arrays(rows: list[dict[str, str]], entity: str) -> dict[str, pa.Array]:
    """Contract columns with proper Parquet types: date32, float64, int64, string."""
    out = {}
    for c in ENTITIES[entity].columns:
        if c.case_mix:  # optional fields the corpus's files do not send
            continue
        vals = [r.get(c.name) or None for r in rows]
        if c.kind == "date":
            out[c.name] = pa.array([v and dt.date.fromisoformat(v) for v in vals], pa.date32())
        elif c.kind == "decimal":
            out[c.name] = pa.array([v and float(v) for v in vals], pa.float64())
        elif c.kind == "integer":
            out[c.name] = pa.array([v and int(v) for v in vals], pa.int64())
        else:
            out[c.name] = pa.array(vals, pa.string())
    return out


def _parquet(arrays: dict[str, pa.Array]) -> bytes:
    buf = io.BytesIO()  # uncompressed: identity codes stay findable even in a cut file
    pq.write_table(pa.table(arrays), buf, compression="none")
    return buf.getvalue()


def render_csv(rows: list[dict[str, str]], entity: str, style: str) -> bytes:
    s = Sub(entity, style, "2025-01", rows)
    return s.encode(s.lines())


def render_parquet(rows: list[dict[str, str]], entity: str) -> bytes:
    return _parquet(_arrays(rows, entity))


@cache
def _good_file(entity: str, style: str, month: str) -> bytes:
    rows = _rows(entity, 12, 0, month)
    return render_parquet(rows, entity) if style == "parquet" else render_csv(rows, entity, style)


def _zip(data: bytes) -> bytes:
    """A workbook-like zip holding `data` stored; its first NUL byte is on line 1."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        z.writestr(zipfile.ZipInfo("xl/worksheets/sheet1.xml", (2025, 1, 31, 12, 0, 0)), data)
    return buf.getvalue()


class Sub:
    """The damaged entity's file: its rows (as the style writes them) and how to write it."""

    def __init__(self, entity: str, style: str, month: str,
                 rows: list[dict[str, str]] | None = None):
        self.entity, self.style, self.month = entity, style, month
        rows = _rows(entity, 12, 0, month) if rows is None else rows
        self.rows = rows if style == "parquet" else [_styled(r, entity, style) for r in rows]
        self.header = list(ENTITIES[entity].core_names)
        self.id, self.date_col, self.code, self.text = ROLES[entity]
        self.path = self.target = f"{month}/{entity}.{'parquet' if style in PQ else 'csv'}"
        self.files: dict[str, bytes] = {}
        self.fi = style == "csv_fi"
        self.sep = ";" if self.fi else ","

    def get(self, row: int, column: str) -> str:
        return self.rows[row - 1][column]

    def set(self, row: int, column: str, value: str) -> None:
        self.rows[row - 1][column] = value

    def date(self, iso: str) -> str:
        return _fi_date(iso) if self.fi else iso

    def dec(self, text: str) -> str:
        """A number written '.' decimal / ',' thousands; the marks swapped for csv_fi."""
        return text.translate(str.maketrans(".,", ",.")) if self.fi else text

    def cells(self, row: int) -> list[str]:
        return [self.rows[row - 1].get(c, "") for c in self.header]

    def line(self, cells: list[str], quote: bool | str = True) -> str:
        return self.sep.join(_quote(c, self.sep, quote) for c in cells)

    def lines(self, names: list[str] | None = None, quote: bool | str = True) -> list[str]:
        return [self.line(names or self.header, quote)] + [
            self.line(self.cells(i), quote) for i in range(1, len(self.rows) + 1)]

    def encode(self, lines: list[str] | str, eol: str | None = None, bom: str | None = None,
               encoding: str = "utf-8", final: bool = True) -> bytes:
        eol = eol or ("\r\n" if self.fi else "\n")
        bom = (BOM if self.fi else "") if bom is None else bom
        text = lines if isinstance(lines, str) else eol.join(lines) + (eol if final else "")
        return (bom + text).encode(encoding)

    def put(self, data: bytes, expect: Expect) -> Expect:
        self.files[self.path] = data
        return expect

    def ok(self, data: bytes | None = None, **kw) -> Expect:
        data = self.encode(self.lines()) if data is None else data
        return self.put(data, Expect("accepted", len(self.rows), 0, **kw))

    def bad(self, rule: str | None, row: int, column: str | None, n: int = 1,
            data: bytes | None = None, rows_in: int | None = None) -> Expect:
        data = self.encode(self.lines()) if data is None else data
        return self.put(data, Expect("partial", rows_in or len(self.rows), n, rule, row, column))

    def cell(self, column: str, value: str, rule: str) -> Expect:
        """Row 5's `column` set to `value`: that row quarantined by `rule`."""
        self.set(5, column, value)
        return self.bad(rule, 5, column)

    def settled(self, shown_row: int, shown: str, text: str, value: str) -> Expect:
        """Row `shown_row`'s cost `shown` shows the number marks; row 5's `text`, read
        by them, is accepted as `value` (numbers given '.' decimal, swapped for csv_fi)."""
        self.set(shown_row, "cost_eur", self.dec(shown))
        self.set(5, "cost_eur", self.dec(text))
        return self.ok(value=(self.get(5, self.id), "cost_eur", Decimal(value)))

    def reject(self, lines: list[str], row: int, column: str | None, data: bytes | None = None,
               bom: str | None = None, first_line_is_data: bool = False) -> Expect:
        """Rejected whole: each non-blank line after line 1 is one quarantined row, and
        line 1 too when it holds none of the contract's names (it is content then)."""
        n = sum(1 for ln in lines[0 if first_line_is_data else 1:] if re.sub(r"[\s;,]", "", ln))
        data = self.encode(lines, bom=bom) if data is None else data
        return self.put(data, Expect("rejected", n, n, None, row, column))

    def pq_ok(self, arrays: dict[str, pa.Array], **kw) -> Expect:
        return self.ok(_parquet(arrays), **kw)

    def pq_bad(self, rule: str, column: str) -> Expect:
        """The rows as Parquet, row 5 quarantined by `rule`."""
        return self.put(_parquet(_arrays(self.rows, self.entity)),
                        Expect("partial", len(self.rows), 1, rule, 5, column))

    def pq_reject(self, arrays: dict[str, pa.Array], column: str) -> Expect:
        n = len(self.rows)
        return self.put(_parquet(arrays), Expect("rejected", n, n, column=column))


@dataclass(frozen=True)
class Damage:
    name: str
    make: Callable[[Sub], Expect]
    entities: tuple[str, ...]
    styles: tuple[str, ...]


DAMAGES: list[Damage] = []


def damage(entities: tuple[str, ...] = ALL, styles: tuple[str, ...] = STYLES):
    def register(fn: Callable[[Sub], Expect]) -> Callable[[Sub], Expect]:
        DAMAGES.append(Damage(fn.__name__, fn, entities, styles))
        return fn
    return register


# --- the file's shape ------------------------------------------------------------------------

@damage()
def unclosed_quote(s: Sub) -> Expect:
    s.set(5, s.code, '"' + s.get(5, s.code))
    return s.reject(s.lines(quote=False), 5, s.code)


@damage()
def stray_quotes(s: Sub) -> Expect:
    """A quote opens in row 3, closes at the end of row 8: a 6-line record, too few fields."""
    last = s.header[-1]
    s.set(3, s.code, '"' + s.get(3, s.code))
    s.set(8, last, s.get(8, last) + '"')
    return s.reject(s.lines(quote=False), 3, s.code)


@damage()
def blank_lines(s: Sub) -> Expect:
    lines = s.lines()
    lines[5:5] = [""]  # after row 4
    lines.insert(10, "   ")  # after row 8
    return s.ok(s.encode(lines + ["", ""]), blank_lines=4)


@damage()
def separator_only_lines(s: Sub) -> Expect:
    """Rows cleared in a spreadsheet: ';;;;;;' lines."""
    empty = s.sep * (len(s.header) - 1)
    lines = s.lines()
    lines[7:7] = [empty, empty]
    return s.ok(s.encode(lines + [empty]), blank_lines=3)


@damage()
def header_only(s: Sub) -> Expect:
    return s.put(s.encode(s.lines()[:1]), Expect("empty", 0, 0))


@damage()
def empty_file(s: Sub) -> Expect:
    return s.put(b"", Expect("rejected", 0, 0, row=0))


@damage()
def whitespace_only(s: Sub) -> Expect:
    # One line only: whether a rejected file counts blank lines is not stated.
    return s.put(b" \t  \r\n", Expect("rejected", 0, 0, row=0))


# When line 1 holds none of the contract's names (no_header, title_line, html_error_page),
# it is content, not a header: it is quarantined too, as row 0, and counted in rows_in.

@damage()
def no_header(s: Sub) -> Expect:
    """The header left out: line 1 is data holding an identity code."""
    return s.reject(s.lines()[1:], 0, s.id, first_line_is_data=True)


@damage()
def title_line(s: Sub) -> Expect:
    """A report title above the header."""
    title = f"Raportti {s.month}" + s.sep * (len(s.header) - 1)
    return s.reject([title] + s.lines(), 0, s.id, first_line_is_data=True)


@damage()
def misspelt_header(s: Sub) -> Expect:
    """The date column misspelt: event_date -> evnet_date."""
    c = s.date_col
    return s.reject(s.lines([c[:2] + c[3] + c[2] + c[4:] if h == c else h for h in s.header]),
                    0, c)


@damage()
def finnish_header_name(s: Sub) -> Expect:
    return s.reject(s.lines(["henkilötunnus" if h == "hetu" else h for h in s.header]),
                    0, "hetu")


@damage()
def double_bom(s: Sub) -> Expect:
    # Not in the rules: read literally, the second BOM makes the first name '\ufeffevent_id'
    # and the file is rejected; but U+FEFF is an invisible no-break space and the contract
    # ignores spaces around names, so the header is expected to read as usual.
    return s.ok(s.encode(s.lines(), bom=BOM * 2))


@damage()
def upper_case_header(s: Sub) -> Expect:
    return s.ok(s.encode(s.lines([f" {h.upper()} " for h in s.header])))


@damage()
def reordered_columns(s: Sub) -> Expect:
    s.header.reverse()
    return s.ok()


@damage()
def extra_column(s: Sub) -> Expect:
    s.header.insert(2, "lisatieto")
    s.set(7, "lisatieto", "soitettu")
    return s.ok()


@damage()
def trailing_separator(s: Sub) -> Expect:
    """Every line, header too, ends with a separator: an unnamed extra column."""
    return s.ok(s.encode([ln + s.sep for ln in s.lines()]))


@damage()
def all_quoted(s: Sub) -> Expect:
    return s.ok(s.encode(s.lines(quote="all")))


@damage()
def quoted_newline_in_extra_column(s: Sub) -> Expect:
    """A quoted note with a line break: a 2-line record of the right width, accepted."""
    s.header.append("huom")
    s.set(4, "huom", "Asiakas soitti,\nkäynti siirretty")
    return s.ok()


@damage()
def short_row(s: Sub) -> Expect:
    lines = s.lines()
    lines[5] = s.line(s.cells(5)[:3])
    return s.bad("row_shape", 5, None, data=s.encode(lines))


@damage()
def long_row(s: Sub) -> Expect:
    lines = s.lines()
    lines[5] = s.line(s.cells(5) + ["ylimääräinen"])
    return s.bad("row_shape", 5, None, data=s.encode(lines))


@damage()
def duplicate_header_mid(s: Sub) -> Expect:
    """A second export pasted after row 6 (with its BOM for csv_fi): its header is row 7."""
    # That row breaks several rules at once (hetu_valid, type_date, ...); which one the
    # quarantine names first is not fixed by the rules.
    lines = s.lines()
    lines.insert(7, (BOM if s.fi else "") + lines[0])
    return s.bad(None, 7, None, data=s.encode(lines), rows_in=13)


@damage()
def line_ends_swapped(s: Sub) -> Expect:
    """CRLF in csv_utf8, LF in csv_fi."""
    return s.ok(s.encode(s.lines(), eol="\n" if s.fi else "\r\n"))


@damage()
def line_ends_cr_only(s: Sub) -> Expect:
    # Old Mac line ends: the rules do not say; Python's csv (and str.splitlines) read a
    # lone '\r' as a line end, so the file is expected to read as usual.
    return s.ok(s.encode(s.lines(), eol="\r"))


@damage()
def line_ends_mixed(s: Sub) -> Expect:
    return s.ok(s.encode("".join(ln + ("\r\n", "\n")[i % 2] for i, ln in enumerate(s.lines()))))


@damage()
def no_final_newline(s: Sub) -> Expect:
    return s.ok(s.encode(s.lines(), final=False))


# --- bytes and encodings -----------------------------------------------------------------------

@damage()
def html_error_page(s: Sub) -> Expect:
    # Every line of the page is content; the first expected column is named.
    return s.reject(list(HTML), 0, s.id, bom="", first_line_is_data=True)


@damage()
def nul_byte(s: Sub) -> Expect:
    s.set(5, s.code, s.get(5, s.code) + "\x00\x00\x00")
    return s.reject(s.lines(), 5, s.code)


@damage()
def xlsx_renamed(s: Sub) -> Expect:
    """An Excel workbook renamed .csv."""
    # The column of a NUL inside a binary "header" and the line count of a zip are open.
    return s.put(_zip(s.encode(s.lines())), Expect("rejected", None, None, row=0))


@damage()
def invalid_bytes(s: Sub) -> Expect:
    """Byte 0x81, neither UTF-8 nor Windows-1252, in row 5."""
    s.set(5, s.code, s.get(5, s.code) + "\ue000")
    lines = s.lines()
    return s.reject(lines, 5, s.code, data=s.encode(lines).replace("\ue000".encode(), b"\x81"))


@damage()
def cp1252_text(s: Sub) -> Expect:
    """Saved by Excel as Windows-1252 (no BOM), an 'Ä' in a text column."""
    s.set(5, s.text, "EPÄ5")
    return s.ok(s.encode(s.lines(), bom="", encoding="cp1252"),
                value=(s.get(5, s.id), s.text, "EPÄ5"))


@damage()
def utf16(s: Sub) -> Expect:
    """Saved as 'Unicode text' (UTF-16 LE): NUL bytes from line 1 on."""
    # The column of the first NUL (in the header) and the line count of UTF-16 bytes are open.
    data = b"\xff\xfe" + ("\r\n".join(s.lines()) + "\r\n").encode("utf-16-le")
    return s.put(data, Expect("rejected", None, None, row=0))


@damage()
def huge_field(s: Sub) -> Expect:
    """A 2 MB code, over Python csv's default field size limit (128 KiB)."""
    return s.cell(s.code, ("Lorem ipsum dolor sit amet " * 80_000)[:2_000_000],
                  f"{s.code}_known")


# --- numbers ----------------------------------------------------------------------------------

@damage(EV, ("csv_fi",))  # in csv_utf8 a '.' decimal is what every good file has
def dot_decimal_in_semicolon_file(s: Sub) -> Expect:
    for r in s.rows:
        r["cost_eur"] = r["cost_eur"].replace(",", ".")
    s.set(3, "cost_eur", "109.47")
    return s.ok(value=("E3", "cost_eur", Decimal("109.47")))


@damage(EV, ("csv_utf8",))  # in csv_fi a ',' decimal is what every good file has
def quoted_comma_decimal(s: Sub) -> Expect:
    for r in s.rows:
        r["cost_eur"] = r["cost_eur"].replace(".", ",")  # quoted: they hold the separator
    s.set(3, "cost_eur", "109,47")
    return s.ok(value=("E3", "cost_eur", Decimal("109.47")))


@damage(EV, ("csv_utf8",))  # in csv_fi a ',' is no separator
def unquoted_comma_decimal(s: Sub) -> Expect:
    s.set(3, "cost_eur", "109,47")
    return s.bad("row_shape", 3, None, data=s.encode(s.lines(quote=False)))


@damage(EV)
def mixed_decimal_marks(s: Sub) -> Expect:
    """'45.50' and '45,50' in one column: the 8 rows with a mark out, the plain '120' in."""
    for i, r in enumerate(s.rows):
        r["cost_eur"] = ("120", "45.50", "45,50")[i % 3]
    return s.bad("type_decimal", 2, "cost_eur", n=8)


@damage(EV)
def ambiguous_thousands(s: Sub) -> Expect:
    """'1.234' in a column of plain integers: nothing settles what the '.' is."""
    for i, r in enumerate(s.rows, 1):
        r["cost_eur"] = str(40 * i)
    return s.cell("cost_eur", "1.234", "type_decimal")


@damage(EV)
def thousands_settled(s: Sub) -> Expect:
    """'2,500' (fi: '2.500') where '1,234.50' ('1.234,50') settles the marks: 2500."""
    return s.settled(2, "1,234.50", "2,500", "2500")


@damage(EV)
def thousands_separators(s: Sub) -> Expect:
    for row, text in ((2, "1 234.50"), (4, "1\u00a0234.50"), (6, "1,234.50"), (8, "123 456.78")):
        s.set(row, "cost_eur", s.dec(text))
    return s.ok(value=("E4", "cost_eur", Decimal("1234.50")))


@damage(EV)
def too_many_decimals(s: Sub) -> Expect:
    return s.cell("cost_eur", s.dec("109.4712"), "type_decimal")


@damage(EV)
def trailing_zero_decimals(s: Sub) -> Expect:
    """'12.500' where row 1's '95.50' shows the decimal mark: 12.50."""
    return s.settled(1, "95.50", "12.500", "12.50")


@damage(EV)
def negative_cost(s: Sub) -> Expect:
    return s.cell("cost_eur", s.dec("-95.50"), "cost_in_range")


@damage(EV)
def cost_text(s: Sub) -> Expect:
    return s.cell("cost_eur", "n/a", "type_decimal")


@damage(EV)
def cost_euro_sign(s: Sub) -> Expect:
    return s.cell("cost_eur", s.dec("95.50 €"), "type_decimal")


# --- dates ------------------------------------------------------------------------------------

@damage()
def us_date(s: Sub) -> Expect:
    return s.cell(s.date_col, "01/31/2025", "type_date")


@damage()
def impossible_date(s: Sub) -> Expect:
    return s.cell(s.date_col, s.date("2025-02-30"), "type_date")


@damage()
def future_date(s: Sub) -> Expect:
    return s.cell(s.date_col, s.date("2099-01-15"), f"{s.date_col}_plausible")


@damage(styles=STYLES + PQ)
def dated_after_folder_month(s: Sub) -> Expect:
    """A February date in the January folder: the window reads its months' folders only."""
    if s.style == "parquet":
        s.set(5, s.date_col, "2025-02-14")
        return s.pq_bad(f"{s.date_col}_in_folder_month", s.date_col)
    return s.cell(s.date_col, s.date("2025-02-14"), f"{s.date_col}_in_folder_month")


@damage()
def excel_serial_date(s: Sub) -> Expect:
    return s.cell(s.date_col, "45678", "type_date")


@damage()
def excel_day_zero(s: Sub) -> Expect:
    return s.cell(s.date_col, s.date("1899-12-30"), f"{s.date_col}_plausible")


@damage()
def date_with_time(s: Sub) -> Expect:
    return s.cell(s.date_col, s.date(f"{s.month}-15") + (" 0:00" if s.fi else " 00:00:00"),
                  "type_date")


# --- identity codes, ids and codes --------------------------------------------------------------

@damage()
def bad_hetu_check(s: Sub) -> Expect:
    code, chars = s.get(5, "hetu"), hetu.CHECK_CHARS
    return s.cell("hetu", code[:-1] + chars[(chars.index(code[-1]) + 1) % 31], "hetu_valid")


@damage()
def hetu_lower_case(s: Sub) -> Expect:
    s.set(5, "hetu", hetu.make(dt.date(2008, 5, 17), 923).lower())  # century sign 'a'
    return s.ok()


@damage()
def hetu_no_century_sign(s: Sub) -> Expect:
    code = s.get(5, "hetu")
    return s.cell("hetu", code[:6] + code[7:], "hetu_valid")


@damage()
def hetu_in_text_column(s: Sub) -> Expect:
    return s.cell(s.text, s.get(5, "hetu"), "id_is_hetu")


@damage()
def swapped_id_hetu(s: Sub) -> Expect:
    # id_is_hetu (record id column) and hetu_valid both fire; which column the quarantine
    # names first is not fixed by the rules.
    rid, code = s.get(5, s.id), s.get(5, "hetu")
    s.set(5, s.id, code)
    s.set(5, "hetu", rid)
    return s.bad("hetu_valid", 5, None)


@damage()
def required_empty(s: Sub) -> Expect:
    return s.cell("hetu", "", "required")


@damage()
def duplicate_id(s: Sub) -> Expect:
    # Both rows sharing the ID (3 and 8) are quarantined: which is right is the provider's call.
    s.set(8, s.id, s.get(3, s.id))
    return s.put(s.encode(s.lines()), Expect("partial", 12, 2, f"{s.id}_unique", 3, s.id))


@damage()
def id_too_long(s: Sub) -> Expect:
    return s.cell(s.id, s.get(5, s.id) + "-" + "x" * 70, f"{s.id}_length")


@damage()
def unknown_code(s: Sub) -> Expect:
    typo = {"events": "PC_VIIST", "episodes": "DEPRESION", "proms": "EQ-5D-5L"}[s.entity]
    return s.cell(s.code, typo, f"{s.code}_known")


@damage()
def trailing_spaces(s: Sub) -> Expect:
    code = s.get(5, s.code)
    s.set(5, s.code, f"  {code}   ")
    s.set(5, "hetu", f" {s.get(5, 'hetu')} ")
    return s.ok(value=(s.get(5, s.id), s.code, code))


@damage(("episodes",))  # only episodes have two dates
def end_before_start(s: Sub) -> Expect:
    # The pair rule may name end_date or start_date: not fixed by the rules.
    s.set(5, "start_date", s.date(f"{s.month}-20"))
    s.set(5, "end_date", s.date(f"{s.month}-10"))
    return s.bad("episode_dates_ordered", 5, None)


@damage(("proms",))  # items and timepoints are PROM columns
def item_out_of_range(s: Sub) -> Expect:
    s.set(5, "instrument", "EQ5D5L")
    for q in PROM_ITEMS:
        s.set(5, q, {"q6": "70"}.get(q, "2") if q in INSTRUMENT_ITEMS["EQ5D5L"] else "")
    return s.cell("q1", "7", "eq5d5l_q1_range")


@damage(("proms",))  # items and timepoints are PROM columns
def item_not_integer(s: Sub) -> Expect:
    return s.cell("q1", s.dec("2.5"), "type_integer")


@damage(("proms",))  # items and timepoints are PROM columns
def unknown_timepoint(s: Sub) -> Expect:
    return s.cell("timepoint", "6kk", "timepoint_known")


# --- folder and file names (rows_in of a file that is not read is left open) ---------------------

def _month_folder(s: Sub, folder: str) -> Expect:
    s.files = {f"{folder}/{s.entity}.csv": s.encode(s.lines())}
    s.target = folder
    return Expect("unrecognised", None, None)


@damage()
def month_folder_13(s: Sub) -> Expect:
    return _month_folder(s, s.month[:4] + "-13")


@damage()
def month_folder_unpadded(s: Sub) -> Expect:
    m = int(s.month[5:])  # October to December have no unpadded form: YYYYMM instead
    return _month_folder(s, f"{s.month[:4]}-{m}" if m < 10 else s.month.replace("-", ""))


@damage()
def month_folder_underscore(s: Sub) -> Expect:
    return _month_folder(s, s.month.replace("-", "_"))


def _stray(s: Sub, name: str, data: bytes | None = None) -> Expect:
    """A file that is not read, next to the month's good files."""
    good = s.encode(s.lines())
    s.target = f"{s.month}/{name}"
    s.files = {s.target: good if data is None else data, s.path: good}
    return Expect("unrecognised", None, None)


@damage()
def stray_corrected_copy(s: Sub) -> Expect:
    return _stray(s, f"{s.entity}_korjattu.csv")


@damage()
def stray_backup(s: Sub) -> Expect:
    return _stray(s, f"{s.entity}.csv.bak")


@damage()
def stray_xlsx(s: Sub) -> Expect:
    return _stray(s, f"{s.entity}.xlsx", _zip(s.encode(s.lines())))


@damage(EV)  # a cover letter belongs to no entity: one case per style
def stray_cover_letter(s: Sub) -> Expect:
    return _stray(s, "saate.txt", b"Hei,\nohessa tammikuun aineisto.\nTerveisin\n")


@damage()
def file_name_upper_case(s: Sub) -> Expect:
    s.target = f"{s.month}/{s.entity.capitalize()}.CSV"
    s.files = {s.target: s.encode(s.lines())}
    return Expect("accepted", 12, 0)


# --- Parquet ----------------------------------------------------------------------------------

@damage(ALL, PQ)
def pq_date_int64(s: Sub) -> Expect:
    a = _arrays(s.rows, s.entity)
    a[s.date_col] = pa.array([int(r[s.date_col].replace("-", "")) for r in s.rows], pa.int64())
    return s.pq_reject(a, s.date_col)


@damage(ALL, PQ)
def pq_date_timestamp(s: Sub) -> Expect:
    # pandas writes datetime64 as timestamp. The rules name int64 as a wrong date type, not
    # timestamp, so a midnight timestamp is expected to be read as its date.
    a = _arrays(s.rows, s.entity)
    a[s.date_col] = a[s.date_col].cast(pa.timestamp("us"))
    return s.pq_ok(a)


@damage(EV, PQ)
def pq_cost_comma_strings(s: Sub) -> Expect:
    """cost_eur as strings with decimal commas: text, read by the number rules."""
    a = _arrays(s.rows, s.entity)
    a["cost_eur"] = pa.array([("109.47" if i == 3 else r["cost_eur"]).replace(".", ",")
                              for i, r in enumerate(s.rows, 1)], pa.string())
    return s.pq_ok(a, value=("E3", "cost_eur", Decimal("109.47")))


@damage(EV, PQ)
def pq_cost_bool(s: Sub) -> Expect:
    a = _arrays(s.rows, s.entity)
    a["cost_eur"] = pa.array([i % 2 == 0 for i in range(len(s.rows))], pa.bool_())
    return s.pq_reject(a, "cost_eur")


def _numeric_hetu(i: int) -> str:
    """A HETU with a digit check char and day >= 10, so as int64 it is the code sans sign."""
    born = dt.date(1940 + 3 * i, 1 + i % 12, 10 + i)
    return next(c for n in range(900, 1000) if (c := hetu.make(born, n))[-1].isdigit())


@damage(ALL, PQ)
def pq_hetu_int64(s: Sub) -> Expect:
    a = _arrays(s.rows, s.entity)
    codes = [_numeric_hetu(i) for i in range(len(s.rows))]
    a["hetu"] = pa.array([int(c[:6] + c[7:]) for c in codes], pa.int64())
    return s.pq_reject(a, "hetu")


@damage(ALL, PQ)
def pq_hetu_binary(s: Sub) -> Expect:
    a = _arrays(s.rows, s.entity)
    a["hetu"] = pa.array([r["hetu"].encode() for r in s.rows], pa.binary())
    return s.pq_ok(a)


@damage(ALL, PQ)
def pq_text_binary_invalid(s: Sub) -> Expect:
    """The record id as binary; row 5 in Windows-1252, not UTF-8."""
    a = _arrays(s.rows, s.entity)
    a[s.id] = pa.array([(r[s.id] + "ä").encode("cp1252") if i == 5 else r[s.id].encode()
                        for i, r in enumerate(s.rows, 1)], pa.binary())
    return s.pq_reject(a, s.id)


@damage(("proms",), PQ)
def pq_item_strings(s: Sub) -> Expect:
    """q1 as strings, row 5 'kaksi': a row-level type_integer."""
    a = _arrays(s.rows, s.entity)
    a["q1"] = pa.array(["kaksi" if i == 5 else r["q1"] or None
                        for i, r in enumerate(s.rows, 1)], pa.string())
    return s.bad("type_integer", 5, "q1", data=_parquet(a))


@damage(("proms",), PQ)
def pq_items_float(s: Sub) -> Expect:
    # pandas writes items with gaps as float64 (2.0, NaN). The rules do not call float a
    # wrong type for items and every value is whole, so the file is expected to be read.
    a = _arrays(s.rows, s.entity)
    for q in PROM_ITEMS:
        a[q] = a[q].cast(pa.float64())
    return s.pq_ok(a)


@damage(ALL, PQ)
def pq_missing_column(s: Sub) -> Expect:
    a = _arrays(s.rows, s.entity)
    del a[s.date_col]
    return s.pq_reject(a, s.date_col)


@damage(ALL, PQ)
def pq_truncated(s: Sub) -> Expect:
    """An upload cut in half: no footer, unreadable."""
    data = _parquet(_arrays(s.rows, s.entity))
    return s.put(data[: len(data) // 2], Expect("rejected", 0, 0))


@damage(ALL, PQ)
def pq_zero_rows(s: Sub) -> Expect:
    return s.put(_parquet(_arrays([], s.entity)), Expect("empty", 0, 0))


@damage(ALL, PQ)
def pq_two_files(s: Sub) -> Expect:
    """<entity>.parquet and <entity>.csv in one month: both rejected (target: the Parquet)."""
    # The Parquet rejected for its twin still has its rows counted from its footer.
    s.files[f"{s.month}/{s.entity}.csv"] = _good_file(s.entity, "csv_utf8", s.month)
    n = len(s.rows)
    return s.put(_parquet(_arrays(s.rows, s.entity)), Expect("rejected", n, n))


# --- the corpus -------------------------------------------------------------------------------

def cases(month: str = "2025-01") -> list[Case]:
    """Every damage kind for each of its entities and styles; the other entities' files good."""
    out = []
    for d in DAMAGES:
        for style in d.styles:
            for entity in d.entities:
                s = Sub(entity, style, month)
                expect = d.make(s)
                files = dict(s.files)
                for other in ENTITIES:
                    path = f"{month}/{other}.{'parquet' if style in PQ else 'csv'}"
                    if other != entity:
                        files.setdefault(path, _good_file(other, style, month))
                out.append(Case(f"{entity}-{style}-{d.name}", d.name, entity, style, files,
                                s.target, expect))
    return out


_HETU_SHAPED = re.compile(r"(?<![0-9A-Za-z])\d{6}[-+A-FU-Ya-fu-y]?\d{3}[0-9A-Ya-y](?![0-9A-Za-z])")


def _texts(data: bytes) -> Iterator[str]:
    yield data.decode("latin-1")
    if data[:2] == b"\xff\xfe":
        yield data[2:].decode("utf-16-le", errors="replace")
    if data[:4] == b"PAR1":
        try:
            table = pq.read_table(io.BytesIO(data))
        except (pa.ArrowException, OSError):
            return
        yield "\n".join(str(v) for col in table.columns for v in col.to_pylist())


def identity_codes(case_list: list[Case]) -> set[str]:
    """Every HETU-shaped string in the corpus, as written and upper-cased; this includes
    codes written without the century sign and Parquet int64 codes (the code sans sign)."""
    found: set[str] = set()
    for case in case_list:
        for data in case.files.values():
            for text in _texts(data):
                for code in _HETU_SHAPED.findall(text):
                    found |= {code, code.upper()}
    return found
