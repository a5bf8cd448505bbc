"""Which submission months changed since they were ingested.

A month folder is read again only when its files differ from those its ingest log
records (`is_unchanged`). Comparing means hashing, and a monthly run would hash every
file of the history to find the one new month; so the log also keeps each file's size
and modification time (ns) as hashed, and a file whose size and mtime are unchanged is
taken to hold what it held then, as git's index does. Any other file is hashed again.

Reading the log itself would then cost a file per provider and month of the history:
1,104 small Parquet files, 0.65 s, at 23 providers over 48 months. So the rows planning
needs are kept in one index per provider (`<lake>/ingest_log/provider_id=<id>/_index.parquet`,
outside the partitions dbt reads), each with the size and mtime of the log partition it
came from; planning reads again only the partitions whose size or mtime differ, or that
the index lacks. The index is a cache: a lost, unreadable or stale one is rebuilt from the
partitions, and an entry whose partition was modified no earlier than the index itself is
read again, as git does with its index's "racy" entries, so that a rewrite within the
file system's time resolution is not taken for the same file.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from arvo.config import Settings
from arvo.ingest import lake
from arvo.ingest.folders import month_contents

__all__ = ["INDEX", "SENT", "changed_months", "index_logs", "is_unchanged", "logged_rows",
           "sha256_of"]

# the statuses of a file that was read (its rows accepted, quarantined or none)
SENT = ("accepted", "partial", "rejected", "empty")


def sha256_of(path: Path) -> str:
    """The file's sha256, read in chunks: a file may be too large to hold."""
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def is_unchanged(settings: Settings, provider_id: str, month: str) -> bool:
    """True if this month's files were ingested before with identical content."""
    return not changed_months(settings, provider_id, [month])


def changed_months(settings: Settings, provider_id: str, months: list[str]) -> list[str]:
    """Of `months`, those whose files are new or differ from those the ingest log records
    (the provider's log read once, not a file per month)."""
    logged = _sent_by_month(settings.lake_dir, provider_id)
    return [m for m in months if not _same_files(settings, provider_id, m, logged.get(m))]


INDEX = "_index.parquet"
# what planning reads of a log row, and the size and mtime of the partition it is from
_INDEX_SCHEMA = pa.schema([
    ("month", pa.string()), ("log_file_bytes", pa.int64()), ("log_file_mtime_ns", pa.int64()),
    ("status", pa.string()), ("source_file", pa.string()), ("file_sha256", pa.string()),
    ("file_bytes", pa.int64()), ("file_mtime_ns", pa.int64())])


def _sent_by_month(lake_dir: Path, provider_id: str) -> dict[str, list[dict]]:
    """The provider's ingest log rows of files that were read, by month."""
    out: dict[str, list[dict]] = {}
    for row in logged_rows(lake_dir, provider_id):
        if row["status"] in SENT:
            out.setdefault(row["month"], []).append(row)
    return out


def logged_rows(lake_dir: Path, provider_id: str) -> list[dict]:
    """Every row of the provider's ingest log (the columns planning reads, with `month`):
    from its index, and from the partitions written since the index was."""
    folder = lake_dir / "ingest_log" / f"provider_id={provider_id}"
    stats = {}
    for path in folder.glob("month=*/data.parquet"):
        try:  # stat before reading: a partition replaced in between is read again next time
            st = path.stat()
        except FileNotFoundError:  # a re-sent month's partition dropped meanwhile
            continue
        stats[path.parent.name.removeprefix("month=")] = (st.st_size, st.st_mtime_ns)
    indexed, written_ns = _read_index(folder / INDEX)
    # an entry is trusted when its partition is as the index saw it and was written
    # before the index was: one written in the index's own clock tick may have been
    # rewritten after it, within that tick, to the same size (git's "racy" entries)
    kept = [r for r in indexed
            if stats.get(r["month"]) == (r["log_file_bytes"], r["log_file_mtime_ns"])
            and r["log_file_mtime_ns"] < written_ns]
    to_read = set(stats) - {r["month"] for r in kept}
    fresh = [{**{k: r.get(k) for k in _INDEX_SCHEMA.names},
              "log_file_bytes": stats[r["month"]][0], "log_file_mtime_ns": stats[r["month"]][1]}
             for r in (lake.read_provider_partitions(lake_dir, "ingest_log", provider_id,
                                                     to_read) if to_read else [])]
    rows = kept + fresh
    if fresh or len(kept) != len(indexed):
        _write_index(folder / INDEX, rows)
    return rows


def index_logs(lake_dir: Path, provider_ids: list[str]) -> None:
    """Bring the providers' indexes up to date with their logs: after an ingest, so that
    the next run's plan reads none of the log's files."""
    for provider_id in provider_ids:
        logged_rows(lake_dir, provider_id)


def _read_index(path: Path) -> tuple[list[dict], int]:
    """The index's rows and its modification time (ns, taken before reading it); no rows
    where it is missing, unreadable or of another layout."""
    try:
        written_ns = path.stat().st_mtime_ns
        table = pq.read_table(path)
    except (OSError, pa.ArrowException):
        return [], 0
    return (table.to_pylist() if table.schema.equals(_INDEX_SCHEMA) else []), written_ns


def _write_index(path: Path, rows: list[dict]) -> None:
    """Replace the index atomically (a file of its own: two planners may write at once)."""
    if not path.parent.is_dir():
        return
    fd, tmp = tempfile.mkstemp(prefix=".index-", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        pq.write_table(pa.Table.from_pylist(rows, schema=_INDEX_SCHEMA), tmp)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def _same_files(settings: Settings, provider_id: str, month: str,
                sent: list[dict] | None) -> bool:
    if not sent:
        return False
    files = month_contents(settings.raw_dir, provider_id, month).files
    now = {p.name: p for paths in files.values() for p in paths}
    if len(now) != len(sent) or set(now) != {row["source_file"] for row in sent}:
        return False
    for row in sent:
        path = now[row["source_file"]]
        stat = path.stat()
        if (row.get("file_bytes") == stat.st_size
                and row.get("file_mtime_ns") == stat.st_mtime_ns):
            continue
        if sha256_of(path) != row["file_sha256"]:
            return False
    return True
