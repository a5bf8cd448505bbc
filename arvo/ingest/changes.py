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

__all__ = ["SENT", "is_unchanged", "sha256_of"]

# the statuses of a file that was read (its rows accepted, quarantined or none)
SENT = ("accepted", "partial", "rejected", "empty")


def sha256_of(path: Path) -> str:
    """The file's sha256, read in chunks: a file may be too large to hold."""
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def is_unchanged(settings: Settings, provider_id: str, month: str) -> bool:
    """True if this month's files were ingested before with identical content."""
    logged = lake.read_partition(settings.lake_dir, "ingest_log", provider_id, month)
    if logged is None:
        return False
    sent = logged[logged["status"].isin(SENT)].to_dict("records")
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
