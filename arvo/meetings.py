"""What the commissioner and a provider agreed at a steering meeting, carried to the next.

The commissioner keeps one file, `<home>/meetings/agreements.csv` (or `$ARVO_MEETINGS_DIR`),
a row per action agreed at a steering meeting:

    meeting;provider_id;topic;action;responsible;due;status
    2025-06;1394810-8;PROM-keruu;Kyselyt osaksi vastaanottoa;palveluntuottaja;2025-12;open

- `meeting`: the steering period whose meeting agreed it (YYYY-MM);
- `provider_id`: a provider of the register (definitions/providers.yml);
- `topic`, `action`: free text (at most 300 characters each; no identity codes);
- `responsible`: who does it (free text, optional);
- `due`: the period by which it should be done (YYYY-MM, optional, not before `meeting`);
- `status`: `open` (carried to every later meeting's agenda) or `done`.

Comma or semicolon separated, UTF-8 (a BOM is fine). A bad row stops the run with the
file, row and column named: an agenda must not silently drop what was agreed.
`compile_for_dbt` validates the file and writes it where dbt reads the definitions
(`meeting_agreements.csv`); no file means no agreements.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from arvo.periods import is_month
from arvo.redact import holds_identity_code

COLUMNS = ("meeting", "provider_id", "topic", "action", "responsible", "due", "status")
REQUIRED = ("meeting", "provider_id", "topic", "action", "status")
STATUSES = ("open", "done")
TEXT_LIMIT = 300
FILE_NAME = "agreements.csv"


class AgreementError(ValueError):
    """A row of the agreements file that cannot be used, with file, row and column."""

    def __init__(self, path: Path, row: int, column: str | None, problem: str):
        where = f"{path}, row {row}" + (f", column '{column}'" if column else "")
        super().__init__(f"{where}: {problem}")
        self.path, self.row, self.column = path, row, column


@dataclass(frozen=True)
class Agreement:
    """One agreed action."""

    meeting: str
    provider_id: str
    topic: str
    action: str
    responsible: str
    due: str
    status: str
    row: int


def load(path: Path, providers: set[str] | None = None) -> list[Agreement]:
    """The agreements in `path` (none if it does not exist); AgreementError on a bad row.
    `providers`, when given, are the provider IDs a row may name."""
    path = Path(path)
    if not path.is_file():
        return []
    text = path.read_bytes().decode("utf-8-sig")
    first = text.splitlines()[0] if text.strip() else ""
    reader = csv.DictReader(io.StringIO(text), delimiter=";" if ";" in first else ",")
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise AgreementError(path, 1, missing[0], f"the header row lacks {', '.join(missing)}; "
                             f"the columns are {', '.join(COLUMNS)}")
    out = []
    for raw in reader:  # the row numbers are the file's lines, as an editor shows them
        row = {k.strip(): (v or "").strip() for k, v in raw.items() if k}
        if any(row.values()):
            out.append(_agreement(path, reader.line_num, row, providers))
    return out


def _agreement(path: Path, n: int, row: dict[str, str], providers: set[str] | None
               ) -> Agreement:
    def fail(column: str, problem: str) -> AgreementError:
        return AgreementError(path, n, column, problem)

    for c in REQUIRED:
        if not row.get(c):
            raise fail(c, "is empty")
    for c in ("meeting", "due"):
        if row.get(c) and not is_month(row[c]):
            raise fail(c, f"{row[c]!r} is not a period YYYY-MM (e.g. 2025-06)")
    if row.get("due") and row["due"] < row["meeting"]:
        raise fail("due", f"{row['due']} is before the meeting {row['meeting']}")
    if row["status"] not in STATUSES:
        raise fail("status", f"{row['status']!r} is not one of {', '.join(STATUSES)}")
    if providers is not None and row["provider_id"] not in providers:
        raise fail("provider_id", f"{row['provider_id']!r} is not a provider of the register "
                                  "(definitions/providers.yml)")
    for c in ("topic", "action", "responsible"):
        value = row.get(c, "")
        if len(value) > TEXT_LIMIT:
            raise fail(c, f"is {len(value)} characters long; at most {TEXT_LIMIT}")
        if holds_identity_code(value):
            raise fail(c, "holds a personal identity code; agreements name no client")
    return Agreement(row["meeting"], row["provider_id"], row["topic"], row["action"],
                     row.get("responsible", ""), row.get("due", ""), row["status"], n)


def compile_for_dbt(meetings_dir: Path, out_dir: Path, providers: set[str]) -> Path:
    """Validate `<meetings_dir>/agreements.csv` and write `meeting_agreements.csv` for dbt."""
    agreements = load(Path(meetings_dir) / FILE_NAME, providers)
    out = Path(out_dir) / "meeting_agreements.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["agreement_row", *COLUMNS])
        writer.writerows([a.row, a.meeting, a.provider_id, a.topic, a.action, a.responsible,
                          a.due, a.status] for a in agreements)
    return out
