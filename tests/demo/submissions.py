"""Reading the demo region's submissions back, the way the contract describes them.

The tests generate one small region (RESIDENTS residents, MONTHS months; the `region`
fixture in conftest.py) and compute everything from the frames read here.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import yaml

from arvo.contract import ENTITIES
from arvo.demo.casemix import SENT_FIELDS
from arvo.demo.generate import DEFAULT_DEFINITIONS

RESIDENTS = 3000
MONTHS = 24
COLUMNS = {name: [c for c in entity.names if c in entity.core_names or c in SENT_FIELDS]
           for name, entity in ENTITIES.items()}  # what the demo sends
DATES = {"events": ["event_date"], "episodes": ["start_date", "end_date"],
         "proms": ["response_date"]}
CSV = {  # format -> (separator, decimal mark, encoding, BOM, date pattern)
    "csv_utf8": (",", ".", "utf-8", False, r"^\d{4}-\d{2}-\d{2}$"),
    "csv_fi": (";", ",", "utf-8", True, r"^\d{1,2}\.\d{1,2}\.\d{4}$"),
    "csv_fi_1252": (";", ",", "cp1252", False, r"^\d{1,2}\.\d{1,2}\.\d{4}$"),
}
BOM = b"\xef\xbb\xbf"


def _providers() -> list[dict]:
    doc = yaml.safe_load((DEFAULT_DEFINITIONS / "providers.yml").read_text(encoding="utf-8"))
    return doc["providers"]


FORMATS = {p["id"]: p["submission_format"] for p in _providers()}


def _read_raw(path: Path, fmt: str) -> pd.DataFrame:
    """One file as text columns (nulls as missing), read as its format says."""
    if fmt == "parquet":
        return pq.read_table(path).to_pandas()
    sep, _, enc, _, _ = CSV[fmt]
    raw = path.read_bytes()
    if raw.startswith(BOM):
        raw = raw[len(BOM):]
    return pd.read_csv(io.BytesIO(raw), sep=sep, encoding=enc, dtype=str,
                       keep_default_na=False, na_values=[""])


def _convert(df: pd.DataFrame, entity: str, fmt: str) -> pd.DataFrame:
    """Typed columns: dates, euros, integer items."""
    for c in DATES[entity]:
        if fmt == "parquet":
            df[c] = pd.to_datetime(df[c])
        else:
            df[c] = pd.to_datetime(df[c], format="%Y-%m-%d" if fmt == "csv_utf8" else "%d.%m.%Y")
    if entity == "events" and fmt != "parquet":
        dec = CSV[fmt][1]
        df["cost_eur"] = df["cost_eur"].str.replace(dec, ".", regex=False).astype(float)
    if entity == "proms":
        for i in range(1, 13):
            df[f"q{i}"] = pd.to_numeric(df[f"q{i}"]).astype("Int64")
    for c in SENT_FIELDS:
        if c in df.columns:
            df[c] = pd.to_numeric(df[c]).astype("Int64")
    return df


def read_submission(path: Path, fmt: str) -> pd.DataFrame:
    """Read one file as the contract describes its format; text columns stay text."""
    return _convert(_read_raw(path, fmt), path.stem, fmt)


def files_of(root: Path) -> list[Path]:
    return sorted(p for p in root.glob("*/*/*") if p.is_file())


def read_all(raw_root: Path) -> dict[str, pd.DataFrame]:
    """All files per entity, with provider_id, month, file and source_row (1-based)."""
    groups: dict[tuple[str, str], list] = {}
    for path in files_of(raw_root):
        pid, month = path.parent.parent.name, path.parent.name
        fmt = FORMATS[pid]
        groups.setdefault((path.stem, fmt), []).append(
            (_read_raw(path, fmt), pid, month, path.name))
    parts: dict[str, list[pd.DataFrame]] = {e: [] for e in COLUMNS}
    for (entity, fmt), items in sorted(groups.items()):
        lens = [len(d) for d, *_ in items]
        df = pd.concat([d for d, *_ in items], ignore_index=True)
        df = _convert(df, entity, fmt)
        df["provider_id"] = np.repeat([i[1] for i in items], lens)
        df["month"] = np.repeat([i[2] for i in items], lens)
        df["file"] = np.repeat([i[3] for i in items], lens)
        df["source_row"] = np.concatenate([np.arange(1, n + 1) for n in lens])
        parts[entity].append(df)
    return {e: pd.concat(v, ignore_index=True) for e, v in parts.items()}


def with_start(proms: pd.DataFrame, episodes: pd.DataFrame) -> pd.DataFrame:
    ep = episodes.drop_duplicates(["provider_id", "episode_id"], keep="last")
    df = proms.merge(ep[["provider_id", "episode_id", "package_code", "start_date"]],
                     on=["provider_id", "episode_id"])
    return df.assign(rel=(df["response_date"] - df["start_date"]).dt.days)
