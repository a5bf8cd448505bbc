"""The PROM measures as seed `prom_measures` holds them (dbt_project/seeds/prom_measures.csv):
each instrument's measures, which is primary, and its thresholds.

The seed is the one place these facts are written: dbt reads it into the warehouse, the
reports read it there, and the definitions' checks (which run before dbt) read the file
here. Every function answers in the seed's row order.
"""

from __future__ import annotations

import csv
from functools import cache

from arvo.config import REPO_ROOT

SEED = REPO_ROOT / "dbt_project" / "seeds" / "prom_measures.csv"


@cache
def rows() -> tuple[dict[str, str], ...]:
    """The seed's rows as read (every value a string, empty where the seed has none)."""
    with SEED.open(encoding="utf-8", newline="") as fh:
        return tuple(csv.DictReader(fh))


def measures_by_instrument() -> dict[str, list[str]]:
    """Each instrument's measures."""
    out: dict[str, list[str]] = {}
    for row in rows():
        out.setdefault(row["instrument"], []).append(row["measure"])
    return out


def instruments_whose_primary_has(*columns: str) -> tuple[str, ...]:
    """The instruments whose primary measure has a value in every one of `columns` (none:
    every instrument with a primary measure)."""
    return tuple(row["instrument"] for row in rows()
                 if row["is_primary"] == "true" and all(row[c] for c in columns))


def instrument_labels() -> dict[str, str]:
    """Each instrument's label, as its rows carry it ("PHQ-9" for PHQ9)."""
    return {row["instrument"]: row["instrument_label"] for row in rows()}


def primary_measure(instrument: str) -> str:
    """The instrument's primary measure ("phq9_total" for PHQ9); KeyError if it has none."""
    for row in rows():
        if row["instrument"] == instrument and row["is_primary"] == "true":
            return row["measure"]
    raise KeyError(f"seed prom_measures has no primary measure of {instrument}")
