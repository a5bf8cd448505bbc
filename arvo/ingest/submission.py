"""Ingest a provider's monthly submission folders: every row ends accepted or quarantined.

`read_submissions` reads each month's files, types and pseudonymises them;
`validate_batches` runs one Great Expectations validation per entity over all the
providers' months of a wave (arvo.ingest.waves); `write_batch` writes the lake, the
quarantine, the ingest log and the check results. Per file, rows in = rows accepted +
rows quarantined (blank lines are skipped and counted apart). A broken file is rejected
whole (its lines quarantined with the reason; a file over `Settings.max_file_bytes` is
rejected unread, with no rows) without stopping the provider's other files, and a
rejected or empty resubmission never replaces rows accepted earlier: they stand, and the
ingest log says so with a `standing` row.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path

import pandas as pd
import pyarrow as pa

from arvo import deadlines
from arvo.config import Settings
from arvo.contract import ENTITIES, TIMEPOINTS
from arvo.definitions import Definitions
from arvo.ingest import lake
from arvo.ingest.changes import SENT, sha256_of
from arvo.ingest.folders import month_contents, submission_months, unrecognised_items
from arvo.ingest.read import (
    BrokenFile,
    RawFile,
    count_rows,
    decode_text,
    read_file,
    split_lines,
    too_large,
)
from arvo.ingest.types import Issue, to_typed
from arvo.messages import Message, Text, from_json, joined, msg
from arvo.quality import suites as checks
from arvo.redact import LINE_LIMIT, mask, shown

__all__ = ["FileOutcome", "Judged", "ProviderBatch", "judge_entity",
           "read_submissions", "record_unrecognised", "submission_months",
           "validate_batches", "write_batch"]

log = logging.getLogger(__name__)

_RULE_ORDER = {"file_readable": 0, "row_shape": 1, "required": 2, "hetu_valid": 3}
# statuses of a file sent now; `standing` and `withdrawn` describe earlier submissions
HOLDS_ROWS = ("accepted", "partial", "standing")


@dataclass(frozen=True)
class FileOutcome:
    """What became of one submitted file (or an earlier one that stands or was withdrawn)."""

    provider_id: str
    month: str
    entity: str
    source_file: str
    file_sha256: str
    file_format: str
    rows_in: int
    rows_accepted: int
    rows_quarantined: int
    status: str  # accepted | partial | rejected | empty | standing | withdrawn | unrecognised
    message: Text  # str() in English; the reports render it in their language
    blank_lines: int = 0
    # when the file landed in the submissions folder (its mtime, Helsinki time); None for
    # a withdrawn file (arvo.deadlines)
    received_at: dt.datetime | None = None
    # size and mtime (ns) of the file as hashed (is_unchanged); None where not known
    file_bytes: int | None = None
    file_mtime_ns: int | None = None


@dataclass
class _File:
    month: str
    entity: str
    path: Path
    sha256: str
    received_at: dt.datetime
    stat: os.stat_result
    raw: RawFile | None = None
    broken: BrokenFile | None = None

    @property
    def seen(self) -> dict[str, int]:
        """The file's size and mtime as hashed, for the ingest log."""
        return {"file_bytes": self.stat.st_size, "file_mtime_ns": self.stat.st_mtime_ns}


@dataclass
class ProviderBatch:
    """One provider's submission months being ingested, carried between the stages.

    `typed[entity]` holds the typed rows of all its readable files, `file_key` = month.
    """

    provider_id: str
    months: list[str]
    files: list[_File]
    typed: dict[str, pd.DataFrame] = field(default_factory=dict)
    issues: dict[str, list[Issue]] = field(default_factory=dict)
    checks: list[dict] = field(default_factory=list)


def record_unrecognised(settings: Settings, provider_id: str, up_to: str) -> list[FileOutcome]:
    """List what under the provider's folder is not read, in the lake and as outcomes."""
    items = unrecognised_items(settings.raw_dir, provider_id, up_to)
    now = dt.datetime.now().replace(microsecond=0)
    frame = pd.DataFrame([{"path": i.path, "kind": i.kind, "message": str(i.message),
                           "message_json": mask(i.message.to_json()), "found_at": now}
                          for i in items], columns=lake.UNRECOGNISED_SCHEMA.names)
    lake.write_provider_table(settings.lake_dir, "unrecognised", provider_id, frame,
                              lake.UNRECOGNISED_SCHEMA)
    return [FileOutcome(provider_id, i.path.split("/")[0] if "/" in i.path else "-", "-",
                        i.path, "", "", 0, 0, 0, "unrecognised",
                        msg("{path}: {message}", path=i.path, message=i.message))
            for i in items]


def read_submissions(settings: Settings, provider_id: str, months: list[str],
                     key: bytes) -> ProviderBatch:
    """Read, type and pseudonymise a provider's files for the given months."""
    files: list[_File] = []
    for month in months:
        for entity, paths in month_contents(settings.raw_dir, provider_id, month).files.items():
            for path in paths:
                stat = path.stat()
                files.append(_File(month, entity, path, sha256_of(path),
                                   deadlines.received_at(stat.st_mtime), stat))
            if len(paths) > 1:
                names = ", ".join(p.name for p in paths)
                for f in files[-len(paths):]:
                    f.broken = BrokenFile(f.path, msg("two files for {entity} in one month "
                                                      "({names}); send one, the other is not "
                                                      "read either", entity=entity,
                                                      names=names),
                                          rows_in=count_rows(f.path)
                                          if f.path.suffix.lower() == ".parquet" else None)
    for f in files:  # too large to hold: rejected unread (its hash is read in chunks)
        f.broken = (too_large(f.path, settings.max_file_bytes, settings.max_file_rows)
                    or f.broken)
    batch = ProviderBatch(provider_id, months, files)
    for f in files:
        if f.broken is not None:
            continue
        try:
            f.raw = read_file(f.path, ENTITIES[f.entity])
        except BrokenFile as exc:
            f.broken = exc
    for f in files:
        if f.broken is not None:
            log.warning("rejected %s", f.broken)
    for entity, spec in ENTITIES.items():
        readable = [f for f in files if f.entity == entity and f.raw is not None]
        if not readable:
            continue
        rows = pd.concat([_with_file_columns(f) for f in readable], ignore_index=True)
        batch.typed[entity], batch.issues[entity] = to_typed(rows, spec, key)
    return batch


def _with_file_columns(f: _File) -> pd.DataFrame:
    rows = f.raw.rows.assign(file_key=f.month)
    # a list, not Series.map: map would turn each message into plain text
    errors = f.raw.shape_errors
    rows["shape_error"] = pd.Series([errors.get(n) for n in rows["source_row"]] if errors
                                    else None, index=rows.index, dtype=object)
    return rows


def suite_parameters(defs: Definitions, today: dt.date) -> dict:
    """The submission suites' parameters from the definitions: codes, instruments, the
    contract's timepoints and those the commissioner's obligations schedule, and today."""
    timepoints = list(dict.fromkeys([*TIMEPOINTS, *defs.timepoints]))
    return checks.parameters(defs.service_codes, defs.package_codes, defs.instruments,
                             timepoints, today)


def entity_rows(batches: list[ProviderBatch], entity: str) -> pd.DataFrame | None:
    """The typed rows of `entity` of every batch, each file told apart by
    `file_key` = `<provider_id>/<month>`; None when no batch holds any."""
    parts = [b.typed[entity].assign(file_key=b.provider_id + "/" + b.typed[entity].file_key)
             for b in batches if entity in b.typed and len(b.typed[entity])]
    return pd.concat(parts, ignore_index=True) if parts else None


def validate_batches(settings: Settings, defs: Definitions, batches: list[ProviderBatch],
                     today: dt.date) -> None:
    """Run each entity's suite once over all batches; add issues and check results."""
    params = suite_parameters(defs, today)
    by_provider = {b.provider_id: b for b in batches}
    for entity in ENTITIES:
        rows = entity_rows(batches, entity)
        if rows is None:
            continue
        issues, results = checks.run_suite(settings.expectations_dir, entity, rows, params,
                                           ENTITIES[entity].of_kind("date"))
        for issue in issues:
            provider_id, month = issue.file_key.split("/")
            by_provider[provider_id].issues[entity].append(replace(issue, file_key=month))
        names = {(b.provider_id, f.month): f.path.name for b in batches for f in b.files
                 if f.entity == entity and f.raw is not None}
        for key, file_results in results.items():
            provider_id, month = key.split("/")
            by_provider[provider_id].checks += [
                {"month": month, "entity": entity, "source_file": names[provider_id, month],
                 **asdict(r)} for r in file_results]


def write_batch(settings: Settings, batch: ProviderBatch) -> list[FileOutcome]:
    """Write a validated batch to lake, quarantine, ingest log and check results."""
    outcomes: list[FileOutcome] = []
    now = dt.datetime.now().replace(microsecond=0)
    for month in batch.months:
        before = lake.read_partition(settings.lake_dir, "ingest_log", batch.provider_id, month)
        month_outcomes: list[FileOutcome] = []
        for entity in ENTITIES:
            files = [f for f in batch.files if f.entity == entity and f.month == month]
            earlier = _earlier(before, entity, HOLDS_ROWS)
            if files:
                month_outcomes += _write_entity(settings, batch, entity, month, files, earlier)
            elif (sent := earlier or _earlier(before, entity, SENT)) is not None:
                month_outcomes.append(_withdraw(settings, batch.provider_id, month, entity,
                                                sent))
        _write_month_logs(settings, batch.provider_id, month, month_outcomes,
                          [c for c in batch.checks if c["month"] == month], now)
        outcomes += month_outcomes
    return outcomes


def _earlier(logged: pd.DataFrame | None, entity: str,
             statuses: tuple[str, ...]) -> dict | None:
    """The log row of the month's earlier submission of `entity` with one of `statuses`."""
    if logged is None:
        return None
    rows = logged[(logged["entity"] == entity) & logged["status"].isin(statuses)]
    if not len(rows):
        return None
    row = rows.iloc[0].to_dict()
    return {k: (0 if k.startswith(("rows_", "blank_")) and pd.isna(v) else v)
            for k, v in row.items()}


def _accepted_table(batch: ProviderBatch, entity: str, month: str,
                     by_row: dict[int, list[Issue]], source_file: str) -> pa.Table:
    typed = batch.typed[entity]
    mine = typed[typed["file_key"] == month]
    bad = mine["source_row"].isin(list(by_row))
    accepted = mine.loc[~bad].assign(source_file=source_file)
    return lake.to_arrow(accepted, lake.LAKE_SCHEMAS[entity])


@dataclass
class Judged:
    """What would become of one entity's files of one month, before anything is written.

    `accepted` is the readable file's accepted rows (None when no file is readable with
    rows: the files are rejected or empty), `quarantined` the rows it quarantines (of a
    rejected file: its lines, with the file's reason).
    """

    outcomes: list[FileOutcome]
    accepted: pa.Table | None
    quarantined: pd.DataFrame


def judge_entity(batch: ProviderBatch, entity: str, month: str, files: list[_File],
                 earlier: dict | None = None) -> Judged:
    """Each file's outcome and its accepted and quarantined rows, writing nothing.

    The one place where a validated file's rows are split; `write_batch` writes what it
    finds and `arvo.ingest.check` shows it. `earlier`: the month's earlier submission of
    the entity, if one holds rows (only for the note that a file replaces it).
    """
    pid, spec = batch.provider_id, ENTITIES[entity]
    readable = [f for f in files if f.raw is not None]
    if len(readable) == 1 and len(readable[0].raw.rows):
        f = readable[0]
        by_row: dict[int, list[Issue]] = {}
        for issue in batch.issues.get(entity, []):
            if issue.file_key == month:
                by_row.setdefault(issue.source_row, []).append(issue)
        quarantined = _quarantine_rows(f, by_row, spec.record_id)
        accepted = _accepted_table(batch, entity, month, by_row, f.path.name)
        rows_in = len(f.raw.rows)
        if rows_in != accepted.num_rows + len(quarantined):
            raise AssertionError(f"{f.path}: {rows_in} rows in, {accepted.num_rows} "
                                 f"accepted, {len(quarantined)} quarantined")
        notes = []
        if len(quarantined):
            notes.append(msg("{quarantined} of {rows} rows quarantined",
                             quarantined=len(quarantined), rows=rows_in))
        if f.raw.blank_lines:
            notes.append(msg("{lines} blank line(s) skipped", lines=f.raw.blank_lines))
        if f.raw.extra_columns:
            notes.append(msg("ignored extra column(s): {columns}",
                             columns=", ".join(f.raw.extra_columns)))
        if earlier is not None and accepted.num_rows < earlier["rows_accepted"]:
            notes.append(msg("replaces the earlier submission of {file} ({earlier} rows "
                             "accepted) with {rows} accepted rows", file=earlier["source_file"],
                             earlier=int(earlier["rows_accepted"]), rows=accepted.num_rows))
        status = "partial" if len(quarantined) else "accepted"
        return Judged([FileOutcome(pid, month, entity, f.path.name, f.sha256,
                                   f.raw.file_format, rows_in, accepted.num_rows,
                                   len(quarantined), status, joined(notes),
                                   f.raw.blank_lines, f.received_at, **f.seen)], accepted,
                      quarantined)
    # rejected, or a header without rows
    outcomes, quarantine = [], []
    for f in files:
        if f.broken is not None:
            rows, blank = _rejected_lines(f)
            quarantine.append(_broken_lines(f, rows))
            outcomes.append(FileOutcome(pid, month, entity, f.path.name, f.sha256, "",
                                        len(rows), 0, len(rows), "rejected", f.broken.located,
                                        blank, f.received_at, **f.seen))
        else:
            outcomes.append(FileOutcome(pid, month, entity, f.path.name, f.sha256,
                                        f.raw.file_format, 0, 0, 0, "empty",
                                        msg("{path}: the file holds a header row and no "
                                            "data rows", path=f"{pid}/{month}/{f.path.name}"),
                                        f.raw.blank_lines, f.received_at, **f.seen))
    return Judged(outcomes, None, pd.concat(quarantine, ignore_index=True) if quarantine
                  else pd.DataFrame(columns=lake.QUARANTINE_SCHEMA.names))


def _write_entity(settings: Settings, batch: ProviderBatch, entity: str, month: str,
                  files: list[_File], earlier: dict | None) -> list[FileOutcome]:
    """Write one entity of one month: the file's rows, or keep the earlier rows standing."""
    pid = batch.provider_id
    judged = judge_entity(batch, entity, month, files, earlier)
    if judged.accepted is not None:
        lake.write_table(settings.lake_dir, entity, pid, month, judged.accepted)
        _write_quarantine(settings, entity, pid, month, judged.quarantined)
        return judged.outcomes
    # rejected, or a header without rows: nothing here replaces what was accepted before
    outcomes, quarantine = judged.outcomes, [judged.quarantined]
    if earlier is not None:
        stands = msg("the earlier submission of {file} ({rows} rows accepted) still stands",
                     file=earlier["source_file"], rows=int(earlier["rows_accepted"]))
        outcomes = [replace(o, message=joined([o.message, stands])) for o in outcomes]
        outcomes.append(FileOutcome(
            pid, month, entity, earlier["source_file"], earlier["file_sha256"],
            earlier["file_format"], int(earlier["rows_in"]), int(earlier["rows_accepted"]),
            int(earlier["rows_quarantined"]), "standing",
            stored_message(earlier) if earlier["status"] == "standing"  # keeps its first date
            else msg("accepted on {date}; stands until a readable resubmission replaces it",
                     date=f"{pd.Timestamp(earlier['ingested_at']):%Y-%m-%d}"),
            int(earlier.get("blank_lines", 0)), _time(earlier.get("received_at"))))
        kept = _quarantine_of(settings, entity, pid, month, earlier["file_sha256"])
        quarantine.insert(0, kept)
    else:
        lake.write_table(settings.lake_dir, entity, pid, month,
                         lake.LAKE_SCHEMAS[entity].empty_table())
    _write_quarantine(settings, entity, pid, month,
                      pd.concat([q for q in quarantine if len(q)], ignore_index=True)
                      if any(len(q) for q in quarantine)
                      else pd.DataFrame(columns=lake.QUARANTINE_SCHEMA.names))
    return outcomes


def _withdraw(settings: Settings, pid: str, month: str, entity: str,
              earlier: dict) -> FileOutcome:
    """A file sent before is no longer in the month folder: its rows are removed, logged."""
    lake.drop_partition(settings.lake_dir, entity, pid, month)
    lake.drop_partition(settings.quarantine_dir, entity, pid, month)
    return FileOutcome(pid, month, entity, earlier["source_file"], earlier["file_sha256"],
                       earlier["file_format"], 0, 0, 0, "withdrawn",
                       msg("{path} is no longer in the month folder: its {rows} rows accepted "
                           "earlier were removed", path=f"{pid}/{month}/{earlier['source_file']}",
                           rows=int(earlier["rows_accepted"])))


def _write_quarantine(settings: Settings, entity: str, pid: str, month: str,
                      rows: pd.DataFrame) -> None:
    if len(rows):
        lake.write_partition(settings.quarantine_dir, entity, pid, month, rows,
                             lake.QUARANTINE_SCHEMA)
    else:
        lake.drop_partition(settings.quarantine_dir, entity, pid, month)


def _quarantine_of(settings: Settings, entity: str, pid: str, month: str,
                   sha256: str) -> pd.DataFrame:
    """The quarantined rows of the earlier submission with this content, as written then."""
    rows = lake.read_partition(settings.quarantine_dir, entity, pid, month)
    if rows is None:
        return pd.DataFrame(columns=lake.QUARANTINE_SCHEMA.names)
    return rows[rows["file_sha256"] == sha256].reindex(columns=lake.QUARANTINE_SCHEMA.names)


def _quarantine_rows(f: _File, by_row: dict[int, list[Issue]],
                     record_id: str) -> pd.DataFrame:
    records = []
    if by_row:
        indexed = f.raw.rows.set_index("source_row")
    for n in sorted(by_row):
        issues = sorted(by_row[n], key=lambda i: _RULE_ORDER.get(i.rule, 9))
        first = issues[0]
        located = msg("{file} row {row}: {reason}", file=f.path.name, row=n,
                      reason=first.reason)
        values = {k: shown(v) for k, v in indexed.loc[n].items()
                  if k != "hetu" and v is not None}
        rid = indexed.at[n, record_id]
        records.append({
            "record_id": None if rid is None else shown(rid), "source_file": f.path.name,
            "source_row": n, "rule": first.rule, "column_name": first.column_name,
            "reason": shown(str(located), 400),
            "issues": "; ".join(dict.fromkeys(shown(str(i.reason), 400) for i in issues)),
            "row_values": json.dumps(values, default=str, ensure_ascii=False),
            "file_sha256": f.sha256, "reason_json": mask(located.to_json()),
        })
    return pd.DataFrame(records, columns=lake.QUARANTINE_SCHEMA.names)


def _rejected_lines(f: _File) -> tuple[list[tuple[int, str]], int]:
    """(row, line) of every non-blank line of a rejected file, and its blank lines.

    The file is read leniently (it may not decode). After the header, and the first line
    too (row 0) when it holds none of the contract's column names, as it then is content
    (a file sent without its header row, a web page). A Parquet file has no lines: its
    rows, if its footer counts them, are kept without content. A file rejected unread (too
    large) has no rows known.
    """
    if f.broken.unread:
        return [], 0
    if f.path.suffix.lower() == ".parquet":
        return [(i, "") for i in range(1, (f.broken.rows_in or 0) + 1)], 0
    data = f.path.read_bytes()
    try:
        text = decode_text(f.path, data)[0]
    except BrokenFile:
        text = data.decode("utf-8", errors="replace")
    lines = split_lines(text) if text.strip() else []
    first = 0 if f.broken.first_line_is_data else 1
    rows, blank = [], 0
    for n, line in enumerate(lines[first:], start=first):
        if line.replace(";", "").replace(",", "").strip():
            rows.append((n, shown(line, LINE_LIMIT)))
        elif n > 0:
            blank += 1
    return rows, blank


def _broken_lines(f: _File, rows: list[tuple[int, str]]) -> pd.DataFrame:
    """The rows of a rejected file, kept in quarantine with the file's reason."""
    return pd.DataFrame({
        "record_id": None, "source_file": f.path.name,
        "source_row": [n for n, _ in rows], "rule": "file_readable",
        "column_name": f.broken.column, "reason": str(f.broken),
        "issues": str(f.broken.reason),
        "row_values": [json.dumps({"line": ln}, ensure_ascii=False) if ln else "{}"
                       for _, ln in rows],
        "file_sha256": f.sha256, "reason_json": mask(f.broken.located.to_json()),
    }, columns=lake.QUARANTINE_SCHEMA.names)


def _write_month_logs(settings: Settings, provider_id: str, month: str,
                      outcomes: list[FileOutcome], check_rows: list[dict],
                      now: dt.datetime) -> None:
    """The month's check results, then its ingest log: the log is written last, after every
    partition of the month, because a month whose log matches its files is not read again
    (`is_unchanged`): a run killed before it re-ingests the month (docs/reruns.md)."""
    lake.write_partition(settings.lake_dir, "check_results", provider_id, month,
                         pd.DataFrame(check_rows, columns=lake.LAKE_SCHEMAS["check_results"].names),
                         lake.LAKE_SCHEMAS["check_results"])
    log_frame = pd.DataFrame([{**_log_row(o), "ingested_at": now} for o in outcomes],
                             columns=[*lake.LAKE_SCHEMAS["ingest_log"].names])
    lake.write_partition(settings.lake_dir, "ingest_log", provider_id, month, log_frame,
                         lake.LAKE_SCHEMAS["ingest_log"])


def _log_row(outcome: FileOutcome) -> dict:
    """An outcome as an ingest log row: its message in English and as a stored message."""
    row = {f.name: getattr(outcome, f.name) for f in fields(outcome)}
    return {**row, "message": str(outcome.message),
            "message_json": mask(outcome.message.to_json())}


def stored_message(row: dict) -> Text:
    """The message of an ingest log row as stored (its English text if none was stored)."""
    if row.get("message_json"):
        return from_json(row["message_json"])
    return Message("{text}", {"text": row["message"]})  # stored before messages were kept


def _time(value: object) -> dt.datetime | None:
    """A logged timestamp as a datetime; None when missing (logged before it was kept)."""
    return None if value is None or pd.isna(value) else pd.Timestamp(value).to_pydatetime()
