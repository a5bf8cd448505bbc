"""A steering period's state: in preview until the commissioner freezes it, then final.

While a period is in preview its reports say so, and a rerun regenerates them from the
data as they stand. `freeze` makes them final: it records who froze the period and when,
renders the reports once more (without the preview banner), and records a manifest of
the period's report files (sha256 per file) and of the submissions they rest on. From
then on a rerun of the period is refused (`PeriodFrozen`, one line) unless forced with a
reason; a forced rerun is recorded (who, when, why, which submissions changed since the
freeze) and its reports show it. docs/preview-and-freeze.md.

The state lives in the warehouse, which is all the reports read: table `period_states`
(one row per period built) and `period_reruns` (one row per forced rerun), each change
written in one transaction.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from arvo.config import Settings
from arvo.periods import county_now

STATES = "period_states"
RERUNS = "period_reruns"
_DDL = {
    STATES: """create table if not exists period_states (
        period varchar primary key, state varchar not null, built_at timestamp,
        corrections_by date, lang varchar, pdf boolean, frozen_at timestamp,
        frozen_by varchar, note varchar, manifest_json varchar, submissions_json varchar)""",
    RERUNS: """create table if not exists period_reruns (
        period varchar not null, rerun_at timestamp not null, rerun_by varchar,
        command varchar, reason varchar not null, changes_json varchar)""",
}
PREVIEW, FROZEN = "preview", "frozen"


class PeriodFrozen(RuntimeError):
    """A rerun of a frozen period that was not forced."""


@dataclass(frozen=True)
class PeriodState:
    """One period's row of `period_states` (a period never built has none: preview)."""

    period: str
    state: str = PREVIEW
    built_at: dt.datetime | None = None
    corrections_by: dt.date | None = None
    lang: str | None = None
    pdf: bool = False
    frozen_at: dt.datetime | None = None
    frozen_by: str | None = None
    note: str | None = None
    manifest: dict[str, str] = field(default_factory=dict)
    submissions: list[list[str]] = field(default_factory=list)

    @property
    def frozen(self) -> bool:
        return self.state == FROZEN


def now() -> dt.datetime:
    """Now on the county's clock (Helsinki; $SOURCE_DATE_EPOCH's time when set), to the
    second, without a zone."""
    return county_now().replace(tzinfo=None, microsecond=0)


def who(name: str | None = None) -> str:
    """The name a freeze or a forced rerun is recorded under: given, else the login."""
    if name and name.strip():
        return name.strip()
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@contextmanager
def _writing(warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection with both tables present, inside one transaction."""
    Path(warehouse).parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(warehouse)) as con:
        for ddl in _DDL.values():
            con.execute(ddl)
        con.begin()
        try:
            yield con
        except BaseException:
            con.rollback()
            raise
        con.commit()


def state(warehouse: Path, period: str) -> PeriodState:
    """The period's state as the warehouse holds it (preview when it holds none)."""
    if not Path(warehouse).is_file():
        return PeriodState(period)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = {r[0] for r in con.execute(
            "select table_name from information_schema.tables").fetchall()}
        if STATES not in tables:
            return PeriodState(period)
        row = con.execute(f"select * from {STATES} where period = ?", [period]).fetchone()
        names = [d[0] for d in con.description]
    if row is None:
        return PeriodState(period)
    r = dict(zip(names, row, strict=True))
    return PeriodState(
        period, r["state"], r["built_at"], r["corrections_by"], r["lang"], bool(r["pdf"]),
        r["frozen_at"], r["frozen_by"], r["note"], json.loads(r["manifest_json"] or "{}"),
        json.loads(r["submissions_json"] or "[]"))


def check_rerun(warehouse: Path, period: str, *, forced: bool, reason: str | None,
                command: str = "steer") -> PeriodState:
    """Refuse a rerun of a frozen period unless `forced` (with a reason); the state."""
    st = state(warehouse, period)
    if st.frozen and not forced:
        raise PeriodFrozen(
            f"period {period} was frozen on {st.frozen_at:%Y-%m-%d} by {st.frozen_by}: "
            f"not rerun (force with `arvo {command} --period {period} --force-frozen "
            "--reason TEXT`)")
    if st.frozen and not (reason and reason.strip()):
        raise PeriodFrozen(f"period {period} is frozen: a forced rerun needs --reason TEXT")
    return st


def record_build(warehouse: Path, period: str, *, corrections_by: dt.date | None,
                 lang: str, pdf: bool) -> None:
    """Record that the period's marts were (re)built now: a new period starts in preview,
    a frozen one stays frozen."""
    with _writing(warehouse) as con:
        con.execute(
            f"insert into {STATES} (period, state, built_at, corrections_by, lang, pdf) "
            "values (?, ?, ?, ?, ?, ?) on conflict (period) do update set "
            "built_at = excluded.built_at, corrections_by = excluded.corrections_by, "
            "lang = excluded.lang, pdf = excluded.pdf",
            [period, PREVIEW, now(), corrections_by, lang, pdf])


def submissions(warehouse: Path, period: str) -> list[list[str]]:
    """The submissions the period's results rest on: [provider, month, entity, file,
    status, sha256] per file of mart_provider_data_quality, sorted."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select provider_id, month, entity, source_file, status, "
            "coalesce(file_sha256, '') from mart_provider_data_quality "
            "where period = ? order by 1, 2, 3, 4, 5", [period]).fetchall()
    return [list(map(str, r)) for r in rows]


def changes_since(frozen: list[list[str]], current: list[list[str]]) -> list[str]:
    """The submissions new, changed or gone since the freeze, one line each."""
    def keyed(rows: list[list[str]]) -> dict[tuple[str, ...], tuple[str, ...]]:
        return {tuple(r[:4]): tuple(r[4:]) for r in rows}

    before, after = keyed(frozen), keyed(current)
    out = []
    for key in sorted(before.keys() | after.keys()):
        what = ("new" if key not in before else "gone" if key not in after
                else "changed" if before[key] != after[key] else None)
        if what:
            out.append(f"{key[0]} {key[1]} {key[3]}: {what}")
    return out


def record_rerun(warehouse: Path, period: str, *, by: str | None, reason: str,
                 command: str) -> list[str]:
    """Record a forced rerun of a frozen period (now, by whom, why, what changed in its
    submissions since the freeze); the changes."""
    st = state(warehouse, period)
    changes = changes_since(st.submissions, submissions(warehouse, period))
    with _writing(warehouse) as con:
        con.execute(f"insert into {RERUNS} values (?, ?, ?, ?, ?, ?)",
                    [period, now(), who(by), command, reason.strip(), json.dumps(changes)])
    return changes


def manifest(folder: Path) -> dict[str, str]:
    """sha256 of every file under a period's report folder, by path relative to it."""
    folder = Path(folder)
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.name.endswith(".tmp")}


def mark_frozen(warehouse: Path, period: str, *, by: str | None, note: str | None) -> None:
    """Freeze the period (it must have been built): state, when, by whom, the note and
    the submissions its results rest on. Freezing a frozen period changes nothing."""
    st = state(warehouse, period)
    if st.built_at is None:
        raise ValueError(f"period {period} has not been run: run `arvo steer --period "
                         f"{period}` first")
    if st.frozen:
        return
    rows = submissions(warehouse, period)
    with _writing(warehouse) as con:
        con.execute(f"update {STATES} set state = ?, frozen_at = ?, frozen_by = ?, note = ?, "
                    "submissions_json = ? where period = ?",
                    [FROZEN, now(), who(by), note, json.dumps(rows), period])


def seal(warehouse: Path, reports_dir: Path, period: str) -> dict[str, str]:
    """Record the manifest of a frozen period's report files as they now are."""
    files = manifest(Path(reports_dir) / period)
    with _writing(warehouse) as con:
        con.execute(f"update {STATES} set manifest_json = ? where period = ? and state = ?",
                    [json.dumps(files, sort_keys=True), period, FROZEN])
    return files



def render(settings: Settings, period: str, lang: str, pdf: bool = False) -> list[Path]:
    """Render the period's reports (arvo.report.render_all); for a frozen period, record
    the manifest of its report files as rendered."""
    from arvo import report

    written = report.render_all(settings, period, lang, pdf=pdf)
    if state(settings.warehouse, period).frozen:
        seal(settings.warehouse, settings.reports_dir, period)
    return written
