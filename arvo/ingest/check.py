"""A provider checks its submission before sending it (`arvo check SUBMISSION_DIR`).

The check runs ingest's own stages on the provider's folder: `read_submissions` (read,
type, identity codes), `validate_batches` (the Great Expectations suites of the
definitions in force at each month) and `judge_entity` (which rows a file would have
accepted and quarantined, or whether it is rejected whole). There is no second copy of
a rule here; only `write_batch` is left out, so nothing is written anywhere: no lake,
quarantine, warehouse or home. The provider has no county key: identity codes are
pseudonymised with a throwaway key kept in memory, and every value shown has passed
`arvo.redact` as ingest's quarantine does. Rules and outputs: docs/providers.md.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from arvo import definitions
from arvo.config import Settings
from arvo.contract import ENTITIES, FILE_SUFFIXES
from arvo.ingest.folders import Unrecognised, month_contents, submission_months, unrecognised_items
from arvo.ingest.submission import FileOutcome, judge_entity, read_submissions, validate_batches
from arvo.messages import N_, Message, Text, from_json, msg
from arvo.periods import MONTH
from arvo.redact import shown

__all__ = ["CheckReport", "CheckUsageError", "RowFinding", "check_submission"]


class CheckUsageError(ValueError):
    """The folder cannot be checked (not a submission folder, an unknown provider); the
    message says why in one line."""

    def __init__(self, message: Text):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class RowFinding:
    """One row that ingest would quarantine, named by the provider's own record ID."""

    month: str
    entity: str
    source_file: str
    source_row: int
    id_column: str  # event_id, episode_id or response_id
    record_id: str | None  # masked and cut, as the quarantine keeps it
    column_name: str | None
    rule: str
    reason: Text  # the reason the quarantine would store, without its file and row


@dataclass
class CheckReport:
    """What ingest would make of a provider's submission folder."""

    provider_id: str
    folder: Path
    months: list[str]
    versions: dict[str, str]  # month -> definitions version in force
    files: list[FileOutcome] = field(default_factory=list)
    rows: list[RowFinding] = field(default_factory=list)
    not_read: list[Unrecognised] = field(default_factory=list)

    @property
    def rejected(self) -> list[FileOutcome]:
        return [o for o in self.files if o.status == "rejected"]

    @property
    def exit_status(self) -> int:
        """0 when every row would be accepted; 1 when a row would be quarantined, a file
        rejected, or something in the folder would not be read."""
        return 1 if self.rows or self.rejected or self.not_read else 0

    def to_data(self, lang: str) -> dict:
        """The report as JSON-ready data, its texts in `lang`."""
        return {
            "provider_id": self.provider_id, "folder": str(self.folder),
            "months": self.months, "definitions_versions": self.versions,
            "files": [{"month": o.month, "entity": o.entity, "file": o.source_file,
                       "format": o.file_format, "rows_in": o.rows_in,
                       "would_accept": o.rows_accepted, "would_quarantine": o.rows_quarantined,
                       "blank_lines": o.blank_lines, "status": o.status,
                       "message": o.message.render(lang)} for o in self.files],
            "rows": [{"month": r.month, "entity": r.entity, "file": r.source_file,
                      "row": r.source_row, "id_column": r.id_column, "record_id": r.record_id,
                      "column": r.column_name, "rule": r.rule,
                      "reason": r.reason.render(lang)} for r in self.rows],
            "rejected": [{"month": o.month, "entity": o.entity, "file": o.source_file,
                          "lines": o.rows_in, "reason": o.message.render(lang)}
                         for o in self.rejected],
            "not_read": [{"path": u.path, "kind": u.kind, "reason": u.message.render(lang)}
                         for u in self.not_read],
            "exit_status": self.exit_status,
        }

    def to_json(self, lang: str) -> str:
        return json.dumps(self.to_data(lang), ensure_ascii=False)

    def lines(self, lang: str) -> list[str]:
        """The report as text lines in `lang`: per file its rows in, accepted and
        quarantined; the rows by record ID; the files rejected whole; what is not read."""
        versions = ", ".join(dict.fromkeys(self.versions.values()))
        out = [msg("Provider {provider}, {months}: checked with definitions version "
                   "{version} by the same checks as ingest; nothing was saved",
                   provider=self.provider_id, months=_span(self.months),
                   version=versions).render(lang),
               msg("Files (rows in / would be accepted / would be quarantined):").render(lang)]
        out += ["  " + msg("{path}: {rows} / {accepted} / {quarantined} ({status})",
                           path=f"{o.month}/{o.source_file}", rows=o.rows_in,
                           accepted=o.rows_accepted, quarantined=o.rows_quarantined,
                           status=msg(_STATUS[o.status])).render(lang) for o in self.files]
        if self.rows:
            out.append(msg("Rows that would be quarantined ({count}):",
                           count=len(self.rows)).render(lang))
            out += ["  " + _row_text(r).render(lang) for r in self.rows]
        if self.rejected:
            out.append(msg("Files that would be rejected whole ({count}):",
                           count=len(self.rejected)).render(lang))
            out += ["  " + o.message.render(lang) for o in self.rejected]
        if self.not_read:
            out.append(msg("Not read ({count}):", count=len(self.not_read)).render(lang))
            out += ["  " + msg("{path}: {message}", path=u.path,
                               message=u.message).render(lang) for u in self.not_read]
        rows_in = sum(o.rows_in for o in self.files if o.status != "rejected")
        if self.exit_status == 0:
            out.append(msg("Result: all {rows} rows would be accepted.",
                           rows=rows_in).render(lang))
        else:
            out.append(msg("Result: {quarantined} row(s) would be quarantined, {rejected} "
                           "file(s) rejected whole, {unread} item(s) not read; fix them and "
                           "check again.", quarantined=len(self.rows),
                           rejected=len(self.rejected), unread=len(self.not_read)).render(lang))
        return out


_STATUS = {"accepted": N_("all accepted"), "partial": N_("some rows quarantined"),
           "rejected": N_("rejected whole"), "empty": N_("a header row and no data rows")}


def _span(months: list[str]) -> str:
    return months[0] if len(months) == 1 else f"{months[0]}..{months[-1]}"


def _row_text(r: RowFinding) -> Message:
    record = r.record_id if r.record_id is not None else msg("(empty)")
    if r.column_name:
        return msg("{path} row {row}, {id_column} {record_id}, column {column}: {reason}",
                   path=f"{r.month}/{r.source_file}", row=r.source_row, id_column=r.id_column,
                   record_id=record, column=r.column_name, reason=r.reason)
    return msg("{path} row {row}, {id_column} {record_id}: {reason}",
               path=f"{r.month}/{r.source_file}", row=r.source_row, id_column=r.id_column,
               record_id=record, reason=r.reason)


@dataclass(frozen=True)
class _Target:
    raw_dir: Path  # the folder holding the provider's folder
    folder_name: str  # the provider's folder as named on disk
    months: list[str]
    not_read: list[Unrecognised]


def _target(folder: Path) -> _Target:
    """The provider's folder and months of a month folder or a provider folder."""
    if not folder.is_dir():
        raise CheckUsageError(msg("{folder} is not a folder", folder=shown(folder, 200)))
    if MONTH.match(folder.name):
        raw_dir, name = folder.parent.parent, folder.parent.name
        return _Target(raw_dir, name, [folder.name],
                       month_contents(raw_dir, name, folder.name).unrecognised)
    months = submission_months(folder.parent, folder.name)
    if not months:
        raise CheckUsageError(msg("{folder} is neither a month folder <provider-id>/YYYY-MM "
                                  "nor a provider folder holding month folders",
                                  folder=shown(folder, 200)))
    return _Target(folder.parent, folder.name, months,
                   unrecognised_items(folder.parent, folder.name))


def check_submission(folder: Path, *, provider_id: str | None = None,
                     definitions_dir: Path | None = None,
                     today: dt.date | None = None) -> CheckReport:
    """What ingest would accept, quarantine and reject of `folder`, writing nothing.

    `folder` is a month folder `<provider-id>/<YYYY-MM>/` or a provider folder holding
    month folders; the provider ID is the folder's name unless `provider_id` is given.
    Each month is checked against the definitions in force at it (`definitions_dir`,
    default as every command: $ARVO_DEFINITIONS_DIR or the repository's). Raises
    CheckUsageError for a folder that cannot be checked, `definitions.DefinitionError`
    for definitions that do not load.
    """
    folder = Path(folder).resolve()
    target = _target(folder)
    pid = provider_id or target.folder_name
    settings = Settings.from_env().model_copy(update={"raw_dir": target.raw_dir})
    if definitions_dir is not None:
        settings = settings.model_copy(update={"definitions_dir": Path(definitions_dir)})
    in_force = {m: definitions.load(settings.definitions_dir, m) for m in target.months}
    for month, defs in in_force.items():
        if pid not in {p.id for p in defs.providers}:
            raise CheckUsageError(msg(
                "{provider} is not a provider ID in the register (providers.yml of "
                "definitions version {version}, in force at {month}); name the folder by "
                "your provider ID or give --provider", provider=shown(pid),
                version=defs.version, month=month))
    if not target.not_read and not any(
            month_contents(target.raw_dir, target.folder_name, m).files
            for m in target.months):
        raise CheckUsageError(msg("{folder} holds no submission files ({names}, as {suffixes})",
                                  folder=shown(folder, 200), names=", ".join(ENTITIES),
                                  suffixes=" or ".join(FILE_SUFFIXES)))
    report = CheckReport(pid, folder, target.months,
                         {m: d.version for m, d in in_force.items()},
                         not_read=target.not_read)
    key = secrets.token_bytes(32)  # a throwaway key: the pseudonyms are never kept
    today = today or dt.date.today()
    by_version: dict[str, list[str]] = {}
    for month, defs in in_force.items():
        by_version.setdefault(defs.version, []).append(month)
    for months in by_version.values():
        batch = read_submissions(settings, target.folder_name, months, key)
        batch.provider_id = pid  # the folder may be named otherwise (--provider)
        validate_batches(settings, in_force[months[0]], [batch], today)
        for month in months:
            for entity, spec in ENTITIES.items():
                files = [f for f in batch.files if f.entity == entity and f.month == month]
                if not files:
                    continue
                judged = judge_entity(batch, entity, month, files)
                report.files += judged.outcomes
                if judged.accepted is None:  # rejected whole or empty: no rows to list
                    continue
                report.rows += [_finding(month, entity, spec.record_id, row)
                                for row in judged.quarantined.to_dict("records")]
    return report


def _finding(month: str, entity: str, id_column: str, row: dict) -> RowFinding:
    """A quarantine row as the provider's finding: its stored reason without the file and
    row, which the finding names apart."""
    located = from_json(row["reason_json"])
    return RowFinding(month, entity, row["source_file"], int(row["source_row"]), id_column,
                      row["record_id"], row["column_name"], row["rule"],
                      located.args.get("reason", located))
