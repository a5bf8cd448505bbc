"""The commissioner's objectives (`definitions/objectives.yml`; docs/objectives.md).

An objective sets a target on one measure Arvo can compute (`MEASURES`, a fixed list),
for one scope: a client segment, a service package or a provider type (sector), from a
month on. `mart_objective_attainment` judges it per period for the scope as a whole and
for each provider in it. This module holds the measures' catalogue and the pydantic
model the loader in `arvo.definitions` validates the file with; the cross-checks against
the other definitions raise through the loader's `fail` (file and key named).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from arvo import prom_measures
from arvo.messages import N_
from arvo.periods import is_month

MIN_CLIENTS = 5
"""Fewer clients behind a figure and it is not judged: the reports' small-cell rule
(arvo.report.disclosure.SMALL_CELL, which tests/test_objectives.py holds it equal to;
not imported, as arvo.report imports the definitions). Compiled into objectives.csv as
`min_clients`, which mart_objective_attainment reads."""

DEFAULT_MIN_N = 10
"""Fewer pairs (or eligible windows, or obligations) and an objective is not judged,
unless the objective sets its own `min_n`. Arvo's choice: under 10, the 95 % interval of
a share is wider than +-0.25. Whatever `min_n`, fewer than MIN_CLIENTS clients are never
judged."""

# which instruments each measure can take, from seed prom_measures: every instrument with
# a primary score; those whose primary score has a caseness threshold and a reliable
# change (NHS Talking Therapies' recovery); those with a minimal important difference
_INDEX_AND_SCORES = prom_measures.instruments_whose_primary_has()
_TALKING_THERAPIES = prom_measures.instruments_whose_primary_has("caseness_threshold",
                                                                 "reliable_change")
_WITH_MID = prom_measures.instruments_whose_primary_has("mid")


@dataclass(frozen=True)
class Measure:
    """A measure an objective can set a target on."""

    code: str
    kind: Literal["share", "mean"]  # a share is judged with a Wilson interval
    instruments: tuple[str, ...]  # empty: the measure takes no instrument
    counts: str  # what n counts
    name: str  # English, a catalogue id: the reports print it in their language


MEASURES: dict[str, Measure] = {m.code: m for m in (
    Measure("recovery_rate", "share", _TALKING_THERAPIES,
            "pairs at caseness at baseline", N_("Recovery rate")),
    Measure("reliable_improvement_rate", "share", _TALKING_THERAPIES,
            "pairs", N_("Reliable improvement rate")),
    Measure("mid_share", "share", _WITH_MID,
            "pairs", N_("Share of pairs improved by at least the MID")),
    Measure("mean_gain", "mean", _INDEX_AND_SCORES,
            "pairs", N_("Mean health gain")),
    Measure("baseline_participation_rate", "share", _INDEX_AND_SCORES,
            "eligible baseline windows", N_("PROM baseline participation rate")),
    Measure("obligations_met_share", "share", (),
            "obligations judged", N_("Share of PROM obligations met")),
)}


_CODE = r"^[A-Z][A-Z0-9_]{1,39}$"


class Objective(BaseModel):
    """One entry of objectives.yml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=_CODE)
    name_fi: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    name_sv: str | None = None  # a Swedish report shows name_fi without one
    segment: str | None = None
    package: str | None = None
    sector: Literal["public", "private", "third"] | None = None
    measure: Literal[tuple(MEASURES)]  # type: ignore[valid-type]
    instrument: str | None = None
    comparison: Literal["at_least", "at_most"]
    target: float | Literal["previous_year"]
    near: float = Field(0.0, ge=0)
    applies_from: str
    min_n: int = Field(DEFAULT_MIN_N, ge=1)
    source: str | None = None

    @field_validator("applies_from", mode="before")
    @classmethod
    def _month(cls, v: object) -> str:
        if not is_month(v):
            raise ValueError(f"{v!r} is not a month YYYY-MM (e.g. 2025-01); quote it in YAML")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> Objective:
        given = [k for k in ("segment", "package", "sector") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                f"give exactly one of `segment`, `package` or `sector` (the scope), "
                f"not {' and '.join(given) or 'none'}")
        m = MEASURES[self.measure]
        if m.instruments and self.instrument is None:
            raise ValueError(f"`instrument` is required for measure {m.code}: one of "
                             f"{', '.join(m.instruments)}")
        if m.instruments and self.instrument not in m.instruments:
            raise ValueError(f"`instrument` {self.instrument!r} has no {m.code}: one of "
                             f"{', '.join(m.instruments)}")
        if not m.instruments and self.instrument is not None:
            raise ValueError(f"`instrument` is not used by measure {m.code}: leave it out")
        if m.kind == "share":
            if isinstance(self.target, float) and not 0 <= self.target <= 1:
                raise ValueError(f"`target` {self.target} is not a share from 0 to 1 "
                                 f"(measure {m.code}; 50 % is 0.5)")
            if self.near > 1:
                raise ValueError(f"`near` {self.near} is not a share from 0 to 1")
        return self

    @property
    def scope(self) -> Literal["segment", "package", "sector"]:
        return ("segment" if self.segment is not None
                else "package" if self.package is not None else "sector")

    @property
    def scope_code(self) -> str:
        return str(self.segment or self.package or self.sector)


def cross_check(objectives: Iterable[Objective], segments: set[str],
                package_instruments: dict[str, list[str]],
                fail: Callable[[str, str], None]) -> None:
    """Codes are unique, and segments, packages and a package's instruments exist;
    `fail(key, message)` raises naming objectives.yml and the key."""
    seen: dict[str, int] = {}
    for i, ob in enumerate(objectives):
        if ob.code in seen:
            fail(f"objectives[{i}].code", f"duplicate {ob.code!r} (objectives[{seen[ob.code]}])")
        seen[ob.code] = i
        if ob.segment is not None and ob.segment not in segments:
            fail(f"objectives[{i}].segment",
                 f"unknown segment {ob.segment!r} (not in segments.yml)")
        if ob.package is not None:
            if ob.package not in package_instruments:
                fail(f"objectives[{i}].package",
                     f"unknown package {ob.package!r} (not in packages.yml)")
            if ob.instrument is not None and ob.instrument not in package_instruments[ob.package]:
                fail(f"objectives[{i}].instrument",
                     f"{ob.instrument} is not an instrument of package {ob.package} "
                     f"({', '.join(package_instruments[ob.package])})")


OBJECTIVE_COLUMNS = ("objective_code", "name_fi", "name_en", "scope", "scope_code",
                     "measure", "measure_kind", "instrument", "comparison", "target_kind",
                     "target", "near", "applies_from", "min_n", "min_clients", "source",
                     "name_sv")


def table_rows(objectives: Iterable[Objective]) -> list[list[object]]:
    """The objectives as rows of OBJECTIVE_COLUMNS (definitions CSV `objectives`)."""
    return [[ob.code, ob.name_fi, ob.name_en, ob.scope, ob.scope_code, ob.measure,
             MEASURES[ob.measure].kind, ob.instrument or "",
             ob.comparison, "previous_year" if ob.target == "previous_year" else "value",
             "" if ob.target == "previous_year" else ob.target, ob.near, ob.applies_from,
             ob.min_n, MIN_CLIENTS, ob.source or "", ob.name_sv or ""]
            for ob in objectives]


CANDIDATE_COLUMNS = ("objective_code", "scope", "scope_code", "measure", "measure_kind",
                     "instrument")
SECTORS = ("public", "private", "third")


def candidates(segments: Iterable[str], package_instruments: dict[str, list[str]],
               instruments: Iterable[str]) -> list[list[object]]:
    """Every objective a commissioner could set, as rows of CANDIDATE_COLUMNS: each measure
    of MEASURES x each of its instruments collected in the scope (a package's own
    instruments; for a segment or a sector every instrument collected, `instruments`) x
    every segment, package and sector (the definition phase's objective baselines,
    mart_objective_baselines; docs/definition.md)."""
    collected = list(instruments)
    scopes: list[tuple[str, str, list[str]]] = (
        [("segment", s, collected) for s in segments]
        + [("package", p, list(i)) for p, i in package_instruments.items()]
        + [("sector", s, collected) for s in SECTORS])
    rows: list[list[object]] = []
    for scope, code, available in scopes:
        for m in MEASURES.values():
            for inst in [i for i in m.instruments if i in available] if m.instruments else [""]:
                key = f"{scope}:{code}:{m.code}" + (f":{inst}" if inst else "")
                rows.append([key, scope, code, m.code, m.kind, inst])
    return rows
