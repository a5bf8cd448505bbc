"""Which submission months changed since they were ingested.

A month folder is read again only when its files differ from those its ingest log
records (`is_unchanged`). Comparing means hashing, and a monthly run would hash every
file of the history to find the one new month; so the log also keeps each file's size
and modification time (ns) as hashed, and a file whose size and mtime are unchanged is
taken to hold what it held then, as git's index does. Any other file is hashed again.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from arvo.config import Settings
from arvo.ingest import lake
from arvo.ingest.folders import month_contents

__all__ = ["SENT", "changed_months", "is_unchanged", "sha256_of"]

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


def _sent_by_month(lake_dir: Path, provider_id: str) -> dict[str, list[dict]]:
    """The provider's ingest log rows of files that were read, by month."""
    rows = lake.read_provider_partitions(lake_dir, "ingest_log", provider_id)
    out: dict[str, list[dict]] = {}
    for row in rows:
        if row["status"] in SENT:
            out.setdefault(row["month"], []).append(row)
    return out


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
