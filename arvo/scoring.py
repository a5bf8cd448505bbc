"""Score a provider's own PROM responses with Arvo's scoring (`arvo score INSTRUMENT FILE`).

There is one implementation of scoring: the dbt model `int_prom_measures_scored` (rules
and sources in docs/instruments.md). `score_file` reads the provider's CSV (columns
`response_id` or any ID column, and the instrument's items q1..qN), checks every item
against the contract's ranges (`arvo.contract.INSTRUMENT_ITEMS`; a row with a bad value
is reported by file, row and column and left unscored), writes the good rows as a
one-partition lake in a scoring workspace (`<home>/score/`), runs `dbt build` on the
scoring model and its staging view (`arvo.transform.build_selected`), and returns the
file's rows, unchanged, with one column per measure of the instrument (and
`<measure>_band` where it has bands).

The workspace is locked while it is used (`arvo.runlock`), so concurrent runs wait for
each other. The file's rows and scores are deleted after each run; the seeds (value sets,
measures) stay loaded in the workspace's warehouse while their files are unchanged
(`<home>/score/seeds.sha256`; when (re)loaded, their data tests run), and dbt's parse
cache is kept, so later runs start faster. `score_file` runs these steps without
Prefect (`arvo score`, a quick command); the Prefect flow `flows.scoring.score` wires
the same steps for deployments.
A file that cannot be scored raises `ScoreInputError`, a scoring model that cannot run
`ScoreModelError` (both `ScoreError`).
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator

from arvo import prom_measures, runlock, transform
from arvo.config import REPO_ROOT, Settings
from arvo.contract import INSTRUMENT_ITEMS
from arvo.ingest import lake
from arvo.ingest.read import BrokenFile, column_key, decode_text, guess_separator
from arvo.redact import quoted, shown

SCORING_MODEL = "int_prom_measures_scored"
STAGING_MODEL = "stg_lake__proms"  # a table: it holds the file's answers until dropped
# Submission month and steering period of the one-partition lake a file is scored in.
SCORE_PERIOD = "2000-01"
PROVIDER = "score"
METHODS = ("value_set", "crosswalk")
_INTEGER = re.compile(r"^[+-]?\d+([.,]0*)?$")


class ScoreError(Exception):
    """Scoring failed; the message says why in one line."""


class ScoreInputError(ScoreError, ValueError):
    """A file that cannot be scored at all; the message names the file, row and column."""


class ScoreModelError(ScoreError):
    """The dbt scoring model could not run with the chosen options."""


@dataclass(frozen=True)
class RowIssue:
    """A value that keeps one row from being scored."""

    row: int  # 1-based data row (the header is row 0)
    column: str | None
    message: str

    def describe(self, file: str) -> str:
        where = f"{file}: row {self.row}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.message}"


@dataclass
class ScoreInput:
    """A provider's file as read: its rows as text and which rows can be scored."""

    path: Path
    instrument: str
    columns: list[str]  # header as in the file
    rows: list[list[str]]  # one list of cells per data row, as in the file
    row_numbers: list[int]
    items: pd.DataFrame  # index: row number of the scoreable rows; columns q1..qN (int)
    issues: list[RowIssue] = field(default_factory=list)
    separator: str = ","
    decimal_comma: bool = False


@dataclass(frozen=True)
class ModelScores:
    """What the dbt scoring model gave for a file's checked rows."""

    scores: pd.DataFrame  # row_number, measure, score, band, basis
    measures: pd.DataFrame  # the instrument's measures in catalogue order: measure, has_bands
    seconds: float  # dbt's run time


@dataclass
class ScoreResult:
    """The scored file: the input rows with one column per measure, and what happened."""

    instrument: str
    file: str
    scored: pd.DataFrame  # the input columns (text) + measure columns (float / band text)
    measures: list[str]
    basis: dict[str, str]  # measure -> what it was computed with (EQ-5D index)
    issues: list[str]
    rows_in: int
    rows_scored: int
    seconds: dict[str, float]
    separator: str = ","
    decimal_comma: bool = False

    def to_csv(self) -> str:
        """The scored rows as CSV, with the input's separator and decimal mark."""
        out = self.scored.copy()
        for m in self.measures:
            out[m] = out[m].map(lambda v: _number(v, self.decimal_comma))
        buffer = io.StringIO()
        out.to_csv(buffer, sep=self.separator, index=False, lineterminator="\n")
        return buffer.getvalue()


class ScoreParams(BaseModel):
    """What to score and how (`arvo score`)."""

    model_config = ConfigDict(extra="forbid")

    instrument: str = Field(description="instrument code, e.g. EQ5D5L (arvo/contract.py)")
    file: Path = Field(description="CSV of responses: an ID column and items q1..qN")
    home: Path | None = Field(None, description="root of var/ outputs; default $ARVO_HOME or ./var")
    eq5d5l_method: str | None = Field(None, description="EQ5D5L: value_set or crosswalk")
    value_set: str | None = Field(
        None, description="EQ-5D value set country: EQ5D5L value set (e.g. England) or "
                          "crosswalk country (e.g. UK), EQ5D3L TTO value set (e.g. UK)")

    @field_validator("instrument")
    @classmethod
    def _known(cls, v: str) -> str:
        code = v.strip().upper()
        if code not in INSTRUMENT_ITEMS:
            raise ValueError(f"instrument {v!r} is not one of {', '.join(INSTRUMENT_ITEMS)}")
        return code

    @field_validator("eq5d5l_method")
    @classmethod
    def _method(cls, v: str | None) -> str | None:
        if v is not None and v not in METHODS:
            raise ValueError(f"eq5d5l_method must be one of {', '.join(METHODS)}, got {v!r}")
        return v


# ------------------------------------------------------------------ reading and checking

def read_input(path: Path, instrument: str) -> ScoreInput:
    """Read a provider's CSV and check its items; raises ScoreInputError if unreadable."""
    path = Path(path)
    items = INSTRUMENT_ITEMS[instrument]
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ScoreInputError(f"{path}: cannot read the file ({exc.strerror})") from None
    if not data.strip():
        raise ScoreInputError(f"{path}: row 0: the file is empty; expected a header row")
    try:
        text, _ = decode_text(path, data)
    except BrokenFile as exc:
        raise ScoreInputError(f"{path}: row {exc.row}: {exc.reason}") from None
    header_line = text.split("\n", 1)[0].rstrip("\r")
    separator = guess_separator(header_line, list(items)) or ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=False)
    columns = [h.strip().lstrip("\ufeff") for h in next(reader)]
    names = [column_key(c) for c in columns]
    missing = [q for q in items if q not in names]
    if missing:
        label = prom_measures.instrument_labels()[instrument]
        raise ScoreInputError(
            f"{path}: row 0, column {missing[0]}: the header lacks item column(s) "
            f"{', '.join(missing)} of {label} (expected an ID column "
            f"and {', '.join(items)}; found: {shown(', '.join(columns)) or 'nothing'})")
    duplicated = sorted({n for n in names if names.count(n) > 1 and n in items})
    if duplicated:
        raise ScoreInputError(f"{path}: row 0, column {duplicated[0]}: the header names "
                              f"{duplicated[0]} more than once")
    position = {q: names.index(q) for q in items}

    rows, numbers, issues = [], [], []
    good: dict[int, list[int | None]] = {}
    for n, cells in enumerate(reader, start=1):
        if not cells or (len(cells) == 1 and not cells[0].strip()):
            continue  # blank line
        rows.append(cells)
        numbers.append(n)
        if len(cells) != len(columns):
            issues.append(RowIssue(n, None, f"the row has {len(cells)} fields but the header "
                                            f"has {len(columns)} (separator '{separator}')"))
            continue
        values, row_issues = _check_items(cells, position, items, instrument, n)
        issues += row_issues
        if not row_issues:
            good[n] = values
    frame = pd.DataFrame.from_dict(good, orient="index", columns=list(items), dtype="Int64")
    return ScoreInput(path, instrument, columns, rows, numbers, frame, issues, separator,
                      separator == ";")


def _check_items(cells: list[str], position: dict[str, int], items: dict[str, tuple[int, int]],
                 instrument: str, row: int) -> tuple[list[int | None], list[RowIssue]]:
    values: list[int | None] = []
    issues: list[RowIssue] = []
    for q, (lo, hi) in items.items():
        raw = cells[position[q]].strip()
        if not raw:
            values.append(None)
            continue
        if not _INTEGER.match(raw):
            issues.append(RowIssue(row, q, f"{quoted(raw)} is not a whole number"))
            values.append(None)
            continue
        value = int(re.sub(r"[.,]0*$", "", raw))
        if not lo <= value <= hi:
            label = prom_measures.instrument_labels()[instrument]
            issues.append(RowIssue(row, q, f"{value} is outside {lo}-{hi}, the range of "
                                           f"{q} in {label}"))
        values.append(value)
    return values, issues


# ------------------------------------------------------------------ scoring with dbt

def workspace_settings(home: Path | None = None) -> Settings:
    """Settings of the scoring workspace `<home>/score/` (its own lake, warehouse, dbt target)."""
    base = Settings.from_env(home)
    ws = base.home / "score"
    return base.model_copy(update={
        "home": ws, "raw_dir": ws / "raw", "lake_dir": ws / "lake",
        "quarantine_dir": ws / "quarantine", "warehouse": ws / "warehouse" / "arvo.duckdb",
        "reports_dir": ws / "reports", "compiled_definitions_dir": ws / "definitions"})


def dbt_vars(instrument: str, eq5d5l_method: str | None, value_set: str | None) -> dict[str, str]:
    """The dbt vars that choose the EQ-5D value set or crosswalk (others: project defaults)."""
    out: dict[str, str] = {}
    if instrument == "EQ5D5L":
        method = eq5d5l_method or _project_default("eq5d5l_method")
        out["eq5d5l_method"] = method
        if value_set:
            key = "eq5d5l_crosswalk_country" if method == "crosswalk" else "eq5d5l_value_set"
            out[key] = value_set
    elif instrument == "EQ5D3L" and value_set:
        out["eq5d3l_value_set"] = value_set
    return out


def check_value_set(settings: Settings, vars_: dict[str, str]) -> None:
    """Raise ScoreInputError naming the choices when a chosen value set is not in the seeds."""
    seeds = Path(settings.dbt_project_dir) / "seeds"
    choices = {
        "eq5d5l_value_set": _seed_countries(seeds / "eq5d5l_value_sets.csv"),
        "eq5d3l_value_set": _seed_countries(seeds / "eq5d3l_value_sets.csv"),
        "eq5d5l_crosswalk_country": (seeds / "eq5d5l_crosswalk.csv").open(encoding="utf-8")
        .readline().strip().split(",")[1:],
    }
    for key, allowed in choices.items():
        if key in vars_ and vars_[key] not in allowed:
            raise ScoreInputError(f"{key.replace('_', ' ')} {vars_[key]!r} is not available; "
                                  f"choose one of: {', '.join(allowed)}")


def _seed_countries(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(dict.fromkeys(row["country"] for row in csv.DictReader(f)))


def _project_default(var: str) -> str:
    import yaml

    project = REPO_ROOT / "dbt_project" / "dbt_project.yml"
    return str(yaml.safe_load(project.read_text("utf-8"))["vars"][var])


def _seeds_digest() -> str:
    """What the seeds the scoring model reads hold (their files' contents)."""
    digest = hashlib.sha256()
    for path in sorted((REPO_ROOT / "dbt_project" / "seeds").rglob("*.csv")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def run_scoring_model(data: ScoreInput, settings: Settings,
                      vars_: dict[str, str]) -> ModelScores:
    """Score the checked rows with the dbt scoring model; ScoreModelError if it cannot run."""
    rows = data.items.reset_index(drop=True)
    frame = pd.DataFrame({name: pd.Series([None] * len(rows), dtype=object)
                          for name in lake.LAKE_SCHEMAS["proms"].names})
    frame["response_id"] = [str(n) for n in data.items.index]  # the row number
    frame["instrument"] = data.instrument
    for q in rows.columns:
        frame[q] = rows[q]
    frame["source_file"] = data.path.name
    frame["source_row"] = list(data.items.index)
    home = Path(settings.home)
    with runlock.hold(home / ".lock", runlock.holder_text("arvo score")):
        shutil.rmtree(settings.lake_dir, ignore_errors=True)
        stamp, digest = home / "seeds.sha256", _seeds_digest()
        # the seeds stay loaded between runs while their files are unchanged (and are
        # checked by their tests when loaded); only the scoring model runs each time
        seeded = Path(settings.warehouse).is_file() and stamp.is_file() \
            and stamp.read_text() == digest
        if not seeded:
            Path(settings.warehouse).unlink(missing_ok=True)
            stamp.unlink(missing_ok=True)
        try:
            lake.write_partition(Path(settings.lake_dir), "proms", PROVIDER, SCORE_PERIOD, frame,
                                 lake.LAKE_SCHEMAS["proms"])
            try:
                result = transform.build_selected(
                    settings, SCORE_PERIOD, select=f"+{SCORING_MODEL}", dbt_vars=vars_,
                    resource_types=("model",) if seeded else ("seed", "model", "test"))
            except transform.TransformError as exc:
                raise ScoreModelError("the scoring model could not run with these options: "
                                      f"{exc}") from exc
            stamp.write_text(digest)
            with duckdb.connect(str(settings.warehouse)) as con:
                scores = con.execute(
                    f"select cast(response_id as integer) as row_number, measure, score, band, "
                    f"basis from {SCORING_MODEL} where measure is not null").df()
                measures = con.execute(
                    "select m.measure, exists (select 1 from prom_score_bands as b "
                    "where b.measure = m.measure) as has_bands from prom_measures as m "
                    "where m.instrument = ? order by not m.is_primary, m.rowid",
                    [data.instrument]).df()
                for model in (SCORING_MODEL, STAGING_MODEL):  # the file's answers
                    con.execute(f"drop table if exists {model}")
        finally:
            shutil.rmtree(settings.lake_dir, ignore_errors=True)
    return ModelScores(scores, measures, result.elapsed_seconds)


def assemble(data: ScoreInput, scores: pd.DataFrame, measures: pd.DataFrame) -> pd.DataFrame:
    """The input rows, as in the file, with one column per measure (and band)."""
    width = len(data.columns)
    cells = [(r + [""] * width)[:width] for r in data.rows]
    out = pd.DataFrame(cells, columns=_unique(data.columns), dtype=object)
    out.index = data.row_numbers
    wide = scores.pivot(index="row_number", columns="measure", values="score")
    bands = scores.dropna(subset=["band"]).pivot(index="row_number", columns="measure",
                                                 values="band")
    for m, has_bands in measures.itertuples(index=False):
        out[m] = wide[m].reindex(out.index) if m in wide else float("nan")
        if has_bands:
            out[f"{m}_band"] = bands[m].reindex(out.index) if m in bands else None
    return out.reset_index(drop=True)


def _unique(columns: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for c in columns:
        seen[c] = seen.get(c, 0) + 1
        out.append(c if seen[c] == 1 else f"{c}.{seen[c] - 1}")
    return out


def _number(value: object, decimal_comma: bool) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = format(float(value), ".10g")
    return text.replace(".", ",") if decimal_comma else text


def prepare(params: ScoreParams) -> tuple[Settings, dict[str, str]]:
    """The scoring workspace and dbt vars for `params`; ScoreInputError for a bad value set."""
    settings = workspace_settings(params.home)
    vars_ = dbt_vars(params.instrument, params.eq5d5l_method, params.value_set)
    check_value_set(settings, vars_)
    return settings, vars_


def score_file(path: Path, instrument: str, *, home: Path | None = None,
               eq5d5l_method: str | None = None, value_set: str | None = None) -> ScoreResult:
    """Score a provider's CSV of `instrument` responses with the dbt scoring model."""
    params = ScoreParams(instrument=instrument, file=path, home=home,
                         eq5d5l_method=eq5d5l_method, value_set=value_set)
    started = time.perf_counter()
    settings, vars_ = prepare(params)
    data = read_input(params.file, params.instrument)
    read_seconds = time.perf_counter() - started
    model = run_scoring_model(data, settings, vars_)
    return make_result(params, data, model, read_seconds, started)


def make_result(params: ScoreParams, data: ScoreInput, model: ModelScores,
                read_seconds: float, started: float) -> ScoreResult:
    """The scored file: input rows, measure columns, issues and timings since `started`."""
    scores, measures = model.scores, model.measures
    basis = (scores.dropna(subset=["basis"]).drop_duplicates("measure")
             .set_index("measure")["basis"].to_dict())
    name = str(params.file)
    return ScoreResult(
        instrument=params.instrument, file=name, scored=assemble(data, scores, measures),
        measures=[m for m, _ in measures.itertuples(index=False)], basis=basis,
        issues=[i.describe(name) for i in data.issues], rows_in=len(data.rows),
        rows_scored=len(data.items),
        seconds={"read": round(read_seconds, 2), "dbt": round(model.seconds, 2),
                 "total": round(time.perf_counter() - started, 2)},
        separator=data.separator, decimal_comma=data.decimal_comma)
