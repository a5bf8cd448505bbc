"""Which lake entities have one schema in every file, remembered file by file.

dbt reads each lake entity with one glob over all its files. Read by name
(`union_by_name`), DuckDB opens every file's footer to unite their columns, on every
read; a build reads the lake about 26 times, and the footers are as many as the
provider-months of the history (docs/operations.md, "What still reads the whole
history"). When every file of an entity has the same columns and types (the ingest
writes each with `arvo.ingest.lake.LAKE_SCHEMAS`), DuckDB reads them by the first file's
schema at half the cost. A lake written in part before the contract added a column
(its older files lack it) is read by name, as before.

The schema of each file is remembered by path, size and modification time in a small
JSON file beside dbt's artifacts, so a monthly build reads only the new files' footers.
A lost or damaged record is made again from the files.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pyarrow.parquet as pq

ENTITIES = ("events", "episodes", "proms", "ingest_log", "check_results")
"""The lake entities dbt reads month by month:
`<lake>/<entity>/provider_id=<id>/month=<YYYY-MM>/data.parquet`."""

_FILE = "data.parquet"


def uniform_entities(lake: Path, record: Path) -> tuple[str, ...]:
    """The entities of ENTITIES whose files under `lake` all have one schema (names and
    types; an entity without files counts as uniform), updating `record`."""
    known = _read(record)
    seen: dict[str, list] = {}
    uniform = []
    for entity in ENTITIES:
        schemas = set()
        for path, size, mtime_ns in _files(Path(lake) / entity):
            entry = known.get(path)
            if entry is None or entry[0] != size or entry[1] != mtime_ns:
                entry = [size, mtime_ns, _schema_digest(path)]
            if entry[2] is not None:  # a file gone between listing and reading: not read
                seen[path] = entry
                schemas.add(entry[2])
        if len(schemas) <= 1:
            uniform.append(entity)
    if seen != known:
        _write(record, seen)
    return tuple(uniform)


def _files(folder: Path) -> list[tuple[str, int, int]]:
    """(path, size, mtime in ns) of every `provider_id=*/month=*/data.parquet` below."""
    found = []
    for provider in _subfolders(folder):
        for month in _subfolders(provider):
            try:
                stat = os.stat(os.path.join(month, _FILE))
            except FileNotFoundError:
                continue
            found.append((os.path.join(month, _FILE), stat.st_size, stat.st_mtime_ns))
    return found


def _subfolders(folder: Path | str) -> list[str]:
    try:
        with os.scandir(folder) as entries:
            return sorted(e.path for e in entries if e.is_dir())
    except FileNotFoundError:
        return []


def _schema_digest(path: str) -> str | None:
    """A digest of the file's column names and types (None when it is gone; a file of
    its own when its footer cannot be read)."""
    try:
        schema = pq.read_schema(path)
    except FileNotFoundError:
        return None
    except Exception:  # not Parquet: read by name, so that dbt names the file
        return f"unreadable {path}"
    fields = [[field.name, str(field.type)] for field in schema]
    return hashlib.sha256(json.dumps(fields).encode()).hexdigest()[:16]


def _read(record: Path) -> dict[str, list]:
    try:
        data = json.loads(Path(record).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write(record: Path, seen: dict[str, list]) -> None:
    record = Path(record)
    record.parent.mkdir(parents=True, exist_ok=True)
    tmp = record.with_name(record.name + ".tmp")
    tmp.write_text(json.dumps(seen), "utf-8")
    os.replace(tmp, record)
