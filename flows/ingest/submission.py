"""Ingest a provider's monthly submission folders: every row ends accepted or quarantined.

`ingest_provider` reads each month's files, types and pseudonymises them, runs one Great
Expectations validation per entity over all the months being ingested, and writes the lake,
the quarantine, the ingest log and the check results. A broken file is rejected whole (its
lines quarantined with the reason) without stopping the provider's other files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from flows.config import Settings
from flows.contract import ENTITIES, FILE_SUFFIXES, TIMEPOINTS
from flows.definitions import Definitions
from flows.ingest import checks, lake
from flows.ingest.read import BrokenFile, RawFile, read_file
from flows.ingest.types import Issue, to_typed

log = logging.getLogger(__name__)

_HETU_LIKE = re.compile(r"\d{6}[-+A-FU-Y]\d{3}[0-9A-Y]", re.IGNORECASE)
_RULE_ORDER = {"file_readable": 0, "row_shape": 1, "required": 2, "hetu_valid": 3}
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class FileOutcome:
    """What became of one submitted file."""

    provider_id: str
    month: str
    entity: str
    source_file: str
    file_sha256: str
    file_format: str
    rows_in: int
    rows_accepted: int
    rows_quarantined: int
    status: str  # accepted | partial | rejected | unchanged
    message: str


@dataclass
class _File:
    month: str
    entity: str
    path: Path
    sha256: str
    raw: RawFile | None = None
    broken: BrokenFile | None = None


@dataclass
class ProviderBatch:
    """One provider's submission months being ingested, carried between the stages.

    `typed[entity]` holds the typed rows of all its readable files, `file_key` = month.
    """

    provider_id: str
    months: list[str]
    files: list[_File]
    rejected_months: list[FileOutcome]
    typed: dict[str, pd.DataFrame] = field(default_factory=dict)
    issues: dict[str, list[Issue]] = field(default_factory=dict)
    checks: list[dict] = field(default_factory=list)


def submission_months(raw_dir: Path, provider_id: str, up_to: str | None = None) -> list[str]:
    """Months (YYYY-MM folders) a provider has submitted, up to and including `up_to`."""
    folder = raw_dir / provider_id
    if not folder.is_dir():
        return []
    months = sorted(p.name for p in folder.iterdir() if p.is_dir() and MONTH.match(p.name))
    return [m for m in months if up_to is None or m <= up_to]


def month_files(raw_dir: Path, provider_id: str, month: str) -> dict[str, Path]:
    """The entity files of one submission folder; two formats of one entity is an error."""
    found: dict[str, Path] = {}
    for path in sorted((raw_dir / provider_id / month).iterdir()):
        stem, suffix = path.stem.lower(), path.suffix.lower()
        if stem in ENTITIES and suffix in FILE_SUFFIXES:
            if stem in found:
                raise BrokenFile(path, f"two files for {stem} in one month ({found[stem].name} "
                                 f"and {path.name}); send one")
            found[stem] = path
    return found


def is_unchanged(settings: Settings, provider_id: str, month: str) -> bool:
    """True if this month's files were ingested before with identical content."""
    logged = lake.read_partition(settings.lake_dir, "ingest_log", provider_id, month)
    if logged is None:
        return False
    files = month_files(settings.raw_dir, provider_id, month)
    before = dict(zip(logged["source_file"], logged["file_sha256"], strict=True))
    now = {p.name: _sha256(p) for p in files.values()}
    return before == now


def read_submissions(settings: Settings, provider_id: str, months: list[str],
                     key: bytes) -> ProviderBatch:
    """Read, type and pseudonymise a provider's files for the given months."""
    files: list[_File] = []
    rejected: list[FileOutcome] = []
    for month in months:
        try:
            found = month_files(settings.raw_dir, provider_id, month)
        except BrokenFile as exc:
            log.warning("%s", exc)
            rejected.append(FileOutcome(provider_id, month, "-", exc.path.name, "", "", 0, 0, 0,
                                        "rejected", str(exc)))
            continue
        for entity, path in found.items():
            files.append(_File(month, entity, path, _sha256(path)))
    batch = ProviderBatch(provider_id, months, files, rejected)
    for f in files:
        try:
            f.raw = read_file(f.path, ENTITIES[f.entity])
        except BrokenFile as exc:
            log.warning("rejected %s", exc)
            f.broken = exc
    for entity, spec in ENTITIES.items():
        readable = [f for f in files if f.entity == entity and f.broken is None]
        if not readable:
            continue
        rows = pd.concat([_with_file_columns(f) for f in readable], ignore_index=True)
        batch.typed[entity], batch.issues[entity] = to_typed(rows, spec, key)
    return batch


def _with_file_columns(f: _File) -> pd.DataFrame:
    rows = f.raw.rows.assign(file_key=f.month, decimal_comma=f.raw.decimal_comma)
    rows["shape_error"] = rows["source_row"].map(f.raw.shape_errors).astype(object)
    return rows


def validate_batches(settings: Settings, defs: Definitions, batches: list[ProviderBatch],
                     today: dt.date) -> None:
    """Run each entity's suite once over all batches; add issues and check results."""
    # the contract's timepoint codes and those the commissioner's obligations schedule
    timepoints = list(dict.fromkeys([*TIMEPOINTS, *defs.timepoints]))
    params = checks.parameters(defs.service_codes, defs.package_codes, defs.instruments,
                               timepoints, today)
    by_provider = {b.provider_id: b for b in batches}
    for entity in ENTITIES:
        parts = [b.typed[entity].assign(file_key=b.provider_id + "/" + b.typed[entity].file_key)
                 for b in batches if entity in b.typed]
        if not parts:
            continue
        rows = pd.concat(parts, ignore_index=True)
        issues, results = checks.run_suite(settings.expectations_dir, entity, rows, params,
                                           ENTITIES[entity].of_kind("date"))
        for issue in issues:
            provider_id, month = issue.file_key.split("/")
            by_provider[provider_id].issues[entity].append(replace(issue, file_key=month))
        names = {(b.provider_id, f.month): f.path.name for b in batches for f in b.files
                 if f.entity == entity}
        for key, file_results in results.items():
            provider_id, month = key.split("/")
            by_provider[provider_id].checks += [
                {"month": month, "entity": entity, "source_file": names[provider_id, month],
                 **asdict(r)} for r in file_results]


def write_batch(settings: Settings, batch: ProviderBatch) -> list[FileOutcome]:
    """Write a validated batch to lake, quarantine, ingest log and check results."""
    outcomes = list(batch.rejected_months)
    for entity in ENTITIES:
        files = [f for f in batch.files if f.entity == entity]
        if files:
            outcomes += _write_entity(settings, batch, entity, files)
    for month in batch.months:
        _write_month_logs(settings, batch.provider_id, month,
                          [o for o in outcomes if o.month == month],
                          [c for c in batch.checks if c["month"] == month])
    return outcomes


def ingest_provider(settings: Settings, defs: Definitions, provider_id: str, months: list[str],
                    key: bytes, today: dt.date) -> list[FileOutcome]:
    """All stages for one provider: read, validate, write; one outcome per file."""
    batch = read_submissions(settings, provider_id, months, key)
    validate_batches(settings, defs, [batch], today)
    return write_batch(settings, batch)


def _write_entity(settings: Settings, batch: ProviderBatch, entity: str,
                  files: list[_File]) -> list[FileOutcome]:
    pid, spec = batch.provider_id, ENTITIES[entity]
    schema = lake.LAKE_SCHEMAS[entity]
    by_row: dict[tuple[str, int], list[Issue]] = {}
    for issue in batch.issues.get(entity, []):
        by_row.setdefault((issue.file_key, issue.source_row), []).append(issue)
    typed = batch.typed.get(entity)
    accepted_by_month: dict[str, pa.Table] = {}
    if typed is not None:
        bad = pd.MultiIndex.from_arrays([typed["file_key"], typed["source_row"]]).isin(
            list(by_row))
        accepted = typed.loc[~bad]
        names = {f.month: f.path.name for f in files}
        accepted = accepted.assign(source_file=accepted["file_key"].map(names))
        table = lake.to_arrow(accepted, schema)
        keys = pa.array(accepted["file_key"].to_numpy(dtype=object), pa.string())
        for month in names:
            accepted_by_month[month] = table.filter(pc.equal(keys, month))
    outcomes = []
    for f in files:
        if f.broken is not None:
            quarantined = _broken_lines(f)
            accepted_table = schema.empty_table()
            rows_in, status, message, fmt = len(quarantined), "rejected", str(f.broken), ""
        else:
            mine = {n: v for (k, n), v in by_row.items() if k == f.month}
            quarantined = _quarantine_rows(f.raw.rows, mine, spec.record_id, f.path.name)
            accepted_table = accepted_by_month[f.month]
            rows_in, fmt = len(f.raw.rows), f.raw.file_format
            if rows_in != accepted_table.num_rows + len(quarantined):
                raise AssertionError(f"{f.path}: {rows_in} rows in, {accepted_table.num_rows} "
                                     f"accepted, {len(quarantined)} quarantined")
            status = "partial" if len(quarantined) else "accepted"
            message = f"{len(quarantined)} of {rows_in} rows quarantined" if len(quarantined) \
                else ""
            if f.raw.extra_columns:
                message = "; ".join(filter(None, [message, "ignored extra column(s): "
                                                  + ", ".join(f.raw.extra_columns)]))
        lake.write_table(settings.lake_dir, entity, pid, f.month, accepted_table)
        if len(quarantined):
            lake.write_partition(settings.quarantine_dir, entity, pid, f.month, quarantined,
                                 lake.QUARANTINE_SCHEMA)
        else:
            lake.drop_partition(settings.quarantine_dir, entity, pid, f.month)
        outcomes.append(FileOutcome(pid, f.month, entity, f.path.name, f.sha256, fmt, rows_in,
                                    accepted_table.num_rows, len(quarantined), status, message))
    return outcomes


def _quarantine_rows(raw: pd.DataFrame, by_row: dict[int, list[Issue]], record_id: str,
                     source_file: str) -> pd.DataFrame:
    records = []
    if by_row:
        indexed = raw.set_index("source_row")
    for n in sorted(by_row):
        issues = sorted(by_row[n], key=lambda i: _RULE_ORDER.get(i.rule, 9))
        first = issues[0]
        values = {k: v for k, v in indexed.loc[n].items() if k != "hetu" and v is not None}
        records.append({
            "record_id": indexed.at[n, record_id], "source_file": source_file, "source_row": n,
            "rule": first.rule, "column_name": first.column_name,
            "reason": f"{source_file} row {n}: {first.reason}",
            "issues": "; ".join(dict.fromkeys(i.reason for i in issues)),
            "row_values": _HETU_LIKE.sub("<hetu removed>", json.dumps(values, default=str,
                                                                    ensure_ascii=False)),
        })
    return pd.DataFrame(records, columns=lake.QUARANTINE_SCHEMA.names)


def _broken_lines(f: _File) -> pd.DataFrame:
    """Every data line of a rejected file, kept in quarantine with the file's reason."""
    if f.path.suffix.lower() == ".parquet":
        lines: list[str] = []
    else:
        text = f.path.read_bytes().decode("utf-8", errors="replace")
        lines = [ln for ln in text.splitlines()[1:] if ln.strip()]
    return pd.DataFrame({
        "record_id": None, "source_file": f.path.name,
        "source_row": range(1, len(lines) + 1), "rule": "file_readable",
        "column_name": f.broken.column, "reason": str(f.broken), "issues": f.broken.reason,
        "row_values": [_HETU_LIKE.sub("<hetu removed>", json.dumps({"line": ln},
                                                                  ensure_ascii=False))
                       for ln in lines],
    }, columns=lake.QUARANTINE_SCHEMA.names)


def _write_month_logs(settings: Settings, provider_id: str, month: str,
                      outcomes: list[FileOutcome], check_rows: list[dict]) -> None:
    now = dt.datetime.now().replace(microsecond=0)
    present = {o.entity for o in outcomes}
    for entity in ENTITIES:
        if entity not in present:  # a re-sent month without this file replaces it with nothing
            lake.drop_partition(settings.lake_dir, entity, provider_id, month)
            lake.drop_partition(settings.quarantine_dir, entity, provider_id, month)
    log_frame = pd.DataFrame([{**asdict(o), "ingested_at": now} for o in outcomes],
                             columns=[*lake.LAKE_SCHEMAS["ingest_log"].names])
    lake.write_partition(settings.lake_dir, "ingest_log", provider_id, month, log_frame,
                         lake.LAKE_SCHEMAS["ingest_log"])
    lake.write_partition(settings.lake_dir, "check_results", provider_id, month,
                         pd.DataFrame(check_rows, columns=lake.LAKE_SCHEMAS["check_results"].names),
                         lake.LAKE_SCHEMAS["check_results"])


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
