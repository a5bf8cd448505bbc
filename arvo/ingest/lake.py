"""Write accepted rows to the Parquet lake, rejected rows to the quarantine, and the log.

Each partition is `<root>/<entity>/provider_id=<id>/month=<YYYY-MM>/data.parquet` and is
replaced whole on every write, so ingesting the same submission twice changes nothing.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from arvo.contract import CASE_MIX_CODES, PROM_ITEMS

_CLIENT = [("client_id", pa.string()), ("birth_date", pa.date32()), ("sex", pa.string())]
MONEY = pa.decimal128(18, 2)  # euros and cents, exact: a cost is never a binary fraction
_SOURCE = [("source_file", pa.string()), ("source_row", pa.int64())]

LAKE_SCHEMAS: dict[str, pa.Schema] = {
    "events": pa.schema([("event_id", pa.string()), *_CLIENT, ("event_date", pa.date32()),
                         ("service_code", pa.string()), ("episode_id", pa.string()),
                         ("diagnosis", pa.string()), ("cost_eur", MONEY),
                         ("municipality", pa.string()), *_SOURCE]),
    "episodes": pa.schema([("episode_id", pa.string()), *_CLIENT,
                           ("package_code", pa.string()), ("start_date", pa.date32()),
                           ("end_date", pa.date32()),
                           *((c, pa.int32()) for c in CASE_MIX_CODES), *_SOURCE]),
    "proms": pa.schema([("response_id", pa.string()), ("episode_id", pa.string()), *_CLIENT,
                        ("instrument", pa.string()), ("timepoint", pa.string()),
                        ("response_date", pa.date32()),
                        *((q, pa.int32()) for q in PROM_ITEMS), *_SOURCE]),
    "ingest_log": pa.schema([
        ("entity", pa.string()), ("source_file", pa.string()), ("file_sha256", pa.string()),
        ("file_format", pa.string()), ("rows_in", pa.int64()), ("rows_accepted", pa.int64()),
        ("rows_quarantined", pa.int64()), ("status", pa.string()), ("message", pa.string()),
        ("message_json", pa.string()),
        ("blank_lines", pa.int64()), ("ingested_at", pa.timestamp("us")),
        ("received_at", pa.timestamp("us")),
        # the file's size and modification time (ns) when it was hashed: a later run that
        # finds both unchanged trusts file_sha256 instead of reading the file again
        ("file_bytes", pa.int64()), ("file_mtime_ns", pa.int64())]),
    "check_results": pa.schema([
        ("entity", pa.string()), ("source_file", pa.string()), ("rule", pa.string()),
        ("category", pa.string()), ("subcategory", pa.string()), ("severity", pa.string()),
        ("threshold", pa.float64()), ("rationale", pa.string()), ("rows_checked", pa.int64()),
        ("rows_failed", pa.int64()), ("status", pa.string()), ("message", pa.string())]),
}

QUARANTINE_SCHEMA = pa.schema([
    ("record_id", pa.string()), ("source_file", pa.string()), ("source_row", pa.int64()),
    ("rule", pa.string()), ("column_name", pa.string()), ("reason", pa.string()),
    ("issues", pa.string()), ("row_values", pa.string()), ("file_sha256", pa.string()),
    ("reason_json", pa.string())])

# What under a provider's folder is not read (arvo.ingest.folders), one table per
# provider replaced at every ingest run: `<lake>/unrecognised/provider_id=<id>/data.parquet`.
UNRECOGNISED_SCHEMA = pa.schema([("path", pa.string()), ("kind", pa.string()),
                                 ("message", pa.string()), ("message_json", pa.string()),
                                 ("found_at", pa.timestamp("us"))])


def partition(root: Path, entity: str, provider_id: str, month: str) -> Path:
    """The folder of one provider-month partition of an entity."""
    return root / entity / f"provider_id={provider_id}" / f"month={month}"


def to_arrow(frame: pd.DataFrame, schema: pa.Schema) -> pa.Table:
    """The columns of `schema` from `frame`, cast to the schema's types (dates to date32)."""
    arrays = [pa.array(frame[f.name], from_pandas=True).cast(f.type) for f in schema]
    return pa.Table.from_arrays(arrays, schema=schema)


def write_partition(root: Path, entity: str, provider_id: str, month: str,
                    frame: pd.DataFrame, schema: pa.Schema) -> Path:
    """Replace one partition with `frame` (columns of `schema`), atomically."""
    return write_table(root, entity, provider_id, month, to_arrow(frame, schema))


def write_table(root: Path, entity: str, provider_id: str, month: str, table: pa.Table) -> Path:
    """Replace one partition with an Arrow table, atomically."""
    return _replace(partition(root, entity, provider_id, month), table)


def write_provider_table(root: Path, entity: str, provider_id: str, frame: pd.DataFrame,
                         schema: pa.Schema) -> Path:
    """Replace a provider's whole table (no month partition), atomically."""
    return _replace(root / entity / f"provider_id={provider_id}", to_arrow(frame, schema))


def _replace(folder: Path, table: pa.Table) -> Path:
    """Write `folder/data.parquet` aside, then rename it over the old one."""
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / ".data.parquet.tmp"
    pq.write_table(table, tmp)
    os.replace(tmp, folder / "data.parquet")
    return folder / "data.parquet"


def drop_partition(root: Path, entity: str, provider_id: str, month: str) -> None:
    """Remove a partition, e.g. when a re-sent month no longer has that file."""
    shutil.rmtree(partition(root, entity, provider_id, month), ignore_errors=True)


def read_provider_partitions(root: Path, entity: str, provider_id: str,
                             months: Iterable[str] | None = None) -> list[dict]:
    """Every month partition of a provider's entity (or those of `months`) in one read, as
    rows with `month`."""
    folder = root / entity / f"provider_id={provider_id}"
    paths = ([str(p) for p in sorted(folder.glob("month=*/data.parquet"))] if months is None
             else [str(folder / f"month={m}" / "data.parquet") for m in sorted(months)])
    if not paths:
        return []
    month = pa.schema([("month", pa.string())])
    # the entity's schema: a file written before a column was added reads it as nulls
    data = ds.dataset(paths, schema=pa.unify_schemas([LAKE_SCHEMAS[entity], month]),
                      format="parquet", partitioning=ds.partitioning(month, flavor="hive"),
                      partition_base_dir=str(folder))
    return data.to_table().to_pylist()


def read_partition(root: Path, entity: str, provider_id: str, month: str) -> pd.DataFrame | None:
    """An existing partition as a DataFrame, or None."""
    path = partition(root, entity, provider_id, month) / "data.parquet"
    return pq.read_table(path).to_pandas() if path.is_file() else None
