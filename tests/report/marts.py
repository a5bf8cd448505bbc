"""Hand-made mart rows for the reports' view tests, typed by the marts' dbt contracts.

Tables are created with exactly the columns and types of
`dbt_project/models/marts/_marts__models.yml`; a row naming a column the contract does
not have fails, and columns a row leaves out are null. So hand-made rows cannot drift
from what dbt builds (the end-to-end tests build the marts from the tiny lake instead:
the `tiny_warehouse` fixture of tests/conftest.py).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import duckdb
import yaml

from arvo.config import REPO_ROOT, Settings
from tests.conftest import settings_at

CONTRACT = REPO_ROOT / "dbt_project" / "models" / "marts" / "_marts__models.yml"
SEED = REPO_ROOT / "dbt_project" / "seeds" / "prom_measures.csv"


@functools.cache
def contract() -> dict[str, dict[str, str]]:
    """Mart -> {column: data type}, in the contract's column order."""
    models = yaml.safe_load(CONTRACT.read_text(encoding="utf-8"))["models"]
    return {m["name"]: {c["name"]: c["data_type"] for c in m["columns"]} for m in models}


@functools.cache
def prom_measures() -> dict[str, dict[str, Any]]:
    """Instrument -> the seed's row of its primary measure, typed as the marts carry it."""
    import csv

    with SEED.open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["is_primary"] == "true"]
    return {r["instrument"]: {
        "measure": r["measure"], "instrument_label": r["instrument_label"],
        "measure_label": r["measure_label"], "higher_is_better": r["higher_is_better"] == "true",
        "decimals": int(r["decimals"]), "mid": float(r["mid"]) if r["mid"] else None,
        "min_score": float(r["min_score"]), "max_score": float(r["max_score"]),
    } for r in rows}


SCALE = ("min_score", "max_score")
"""The seed's columns only mart_segment_outcomes carries (the table's definitions)."""


def outcome(instrument: str, value_set: str | None = None, scale: bool = False,
            **values: Any) -> dict[str, Any]:
    """An outcome mart row of `instrument`, with the seed's metadata as dbt adds it
    (`scale`: with the measure's scale, as mart_segment_outcomes has it)."""
    meta = {k: v for k, v in prom_measures()[instrument].items() if scale or k not in SCALE}
    return {"instrument": instrument, **meta, "value_set": value_set, **values}


def settings(tmp_path: Path) -> Settings:
    return settings_at(tmp_path / "var")


def create(con: duckdb.DuckDBPyConnection, mart: str, rows: list[dict[str, Any]] = ()) -> None:
    """Create `mart` as its contract says (if it is not there) and insert `rows`."""
    columns = contract()[mart]
    con.execute(f"create table if not exists {mart} ("
                + ", ".join(f"{c} {t}" for c, t in columns.items()) + ")")
    for row in rows:
        unknown = set(row) - set(columns)
        if unknown:
            raise KeyError(f"{mart} has no column {sorted(unknown)} (see {CONTRACT.name})")
        names = list(row)
        con.execute(f"insert into {mart} ({', '.join(names)}) values "
                    f"({', '.join('?' * len(names))})", [row[c] for c in names])


def warehouse(settings: Settings, tables: dict[str, list[dict[str, Any]]]) -> Settings:
    """Write a warehouse of every contracted mart, with `tables`' rows, and the seed
    prom_measures (the instruments' labels) as dbt loads it."""
    settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(settings.warehouse)) as con:
        con.execute(f"create table prom_measures as select * from read_csv('{SEED}')")
        for mart in contract():
            create(con, mart, tables.get(mart, []))
    return settings
