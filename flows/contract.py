"""The provider submission contract in code: entities, their files, columns and types.

`docs/submission-contract.md` is the same contract for people; the tests check the two agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["text", "hetu", "date", "code", "decimal", "integer"]


@dataclass(frozen=True)
class Column:
    """One column of a submission file."""

    name: str
    kind: Kind
    required: bool


@dataclass(frozen=True)
class Entity:
    """One submission file type: its record ID column and columns in contract order."""

    name: str
    record_id: str
    columns: tuple[Column, ...]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def of_kind(self, *kinds: Kind) -> list[str]:
        return [c.name for c in self.columns if c.kind in kinds]


PROM_ITEMS = tuple(f"q{i}" for i in range(1, 13))

ENTITIES: dict[str, Entity] = {
    "events": Entity("events", "event_id", (
        Column("event_id", "text", True),
        Column("hetu", "hetu", True),
        Column("event_date", "date", True),
        Column("service_code", "code", True),
        Column("episode_id", "text", False),
        Column("diagnosis", "code", False),
        Column("cost_eur", "decimal", True),
    )),
    "episodes": Entity("episodes", "episode_id", (
        Column("episode_id", "text", True),
        Column("hetu", "hetu", True),
        Column("package_code", "code", True),
        Column("start_date", "date", True),
        Column("end_date", "date", False),
    )),
    "proms": Entity("proms", "response_id", (
        Column("response_id", "text", True),
        Column("episode_id", "text", True),
        Column("hetu", "hetu", True),
        Column("instrument", "code", True),
        Column("timepoint", "code", True),
        Column("response_date", "date", True),
        *(Column(q, "integer", False) for q in PROM_ITEMS),
    )),
}

FILE_SUFFIXES = (".csv", ".parquet")
TIMEPOINTS = ("baseline", "followup_6m", "followup_12m")

# Item ranges per instrument: item columns and the inclusive range each may take.
INSTRUMENT_ITEMS: dict[str, dict[str, tuple[int, int]]] = {
    "EQ5D5L": {**{f"q{i}": (1, 5) for i in range(1, 6)}, "q6": (0, 100)},
    "PHQ9": {f"q{i}": (0, 3) for i in range(1, 10)},
}
