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
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd

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
    typed: pd.DataFrame | None = None
    issues: list[Issue] | None = None
    broken: BrokenFile | None = None


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


def ingest_provider(settings: Settings, defs: Definitions, provider_id: str, months: list[str],
                    key: bytes, today: dt.date) -> list[FileOutcome]:
    """Ingest the given submission months of one provider and return one outcome per file."""
    files: list[_File] = []
    outcomes: list[FileOutcome] = []
    for month in months:
        try:
            found = month_files(settings.raw_dir, provider_id, month)
        except BrokenFile as exc:
            log.warning("%s", exc)
            outcomes.append(FileOutcome(provider_id, month, "-", exc.path.name, "", "", 0, 0, 0,
                                        "rejected", str(exc)))
            continue
        for entity, path in found.items():
            files.append(_File(month, entity, path, _sha256(path)))
    for f in files:
        _read_and_type(f, key)
    params = checks.parameters(defs.service_codes, defs.package_codes, defs.instruments,
                               list(TIMEPOINTS), today)
    check_rows: dict[str, list[dict]] = {m: [] for m in months}
    for entity in ENTITIES:
        readable = [f for f in files if f.entity == entity and f.broken is None]
        if not readable:
            continue
        batch = pd.concat([f.typed.assign(file_key=f.month) for f in readable],
                          ignore_index=True)
        issues, results = checks.run_suite(settings.expectations_dir, entity, batch, params,
                                           ENTITIES[entity].of_kind("date"))
        for f in readable:
            rows = set(f.typed["source_row"])
            f.issues += [i for (month, i) in issues if month == f.month and i.source_row in rows]
            for r in results.get(f.month, []):
                check_rows[f.month].append({"entity": entity, "source_file": f.path.name,
                                            **asdict(r)})
    for f in files:
        outcomes.append(_write(settings, provider_id, f, today))
    for month in months:
        _write_month_logs(settings, provider_id, month,
                          [o for o in outcomes if o.month == month], check_rows.get(month, []))
    return outcomes


def _read_and_type(f: _File, key: bytes) -> None:
    entity = ENTITIES[f.entity]
    try:
        f.raw = read_file(f.path, entity)
    except BrokenFile as exc:
        log.warning("rejected %s", exc)
        f.broken = exc
        return
    f.typed, f.issues = to_typed(f.raw, entity, key)


def _write(settings: Settings, provider_id: str, f: _File, today: dt.date) -> FileOutcome:
    entity = ENTITIES[f.entity]
    schema = lake.LAKE_SCHEMAS[f.entity]
    if f.broken is not None:
        quarantined = _broken_lines(f)
        lake.write_partition(settings.lake_dir, f.entity, provider_id, f.month,
                             pd.DataFrame(columns=schema.names), schema)
        lake.write_partition(settings.quarantine_dir, f.entity, provider_id, f.month,
                             quarantined, lake.QUARANTINE_SCHEMA)
        return FileOutcome(provider_id, f.month, f.entity, f.path.name, f.sha256, "",
                           len(quarantined), 0, len(quarantined), "rejected", str(f.broken))
    raw, typed = f.raw.rows, f.typed
    by_row: dict[int, list[Issue]] = {}
    for issue in f.issues:
        by_row.setdefault(issue.source_row, []).append(issue)
    bad = typed["source_row"].isin(by_row.keys())
    accepted = typed.loc[~bad].assign(source_file=f.path.name)
    for col in ("event_date", "start_date", "end_date", "response_date", "birth_date"):
        if col in accepted:
            accepted[col] = accepted[col].astype(object)
    lake.write_partition(settings.lake_dir, f.entity, provider_id, f.month, accepted, schema)
    quarantined = _quarantine_rows(raw, by_row, entity.record_id, f.path.name)
    if len(quarantined):
        lake.write_partition(settings.quarantine_dir, f.entity, provider_id, f.month,
                             quarantined, lake.QUARANTINE_SCHEMA)
    else:
        lake.drop_partition(settings.quarantine_dir, f.entity, provider_id, f.month)
    rows_in = len(raw)
    if rows_in != len(accepted) + len(quarantined):
        raise AssertionError(f"{f.path}: {rows_in} rows in, {len(accepted)} accepted, "
                             f"{len(quarantined)} quarantined")
    status = "accepted" if not len(quarantined) else "partial"
    message = f"{len(quarantined)} of {rows_in} rows quarantined" if len(quarantined) else ""
    if f.raw.extra_columns:
        message = "; ".join(filter(None, [message, "ignored extra column(s): "
                                          + ", ".join(f.raw.extra_columns)]))
    return FileOutcome(provider_id, f.month, f.entity, f.path.name, f.sha256, f.raw.file_format,
                       rows_in, len(accepted), len(quarantined), status, message)


def _quarantine_rows(raw: pd.DataFrame, by_row: dict[int, list[Issue]], record_id: str,
                     source_file: str) -> pd.DataFrame:
    records = []
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
