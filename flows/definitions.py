"""The commissioner's definitions (`definitions/*.yml`): validated on load, compiled for dbt.

An invalid file raises `DefinitionError` naming the file and the key at fault, e.g.
`definitions/segments.yml: segments[2].when[0].op: Input should be '>=', '>', ...`.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from flows import ytunnus

Instrument = Literal["EQ5D5L", "PHQ9"]
FEATURES = (
    "age", "chronic_conditions", "annual_cost", "cost_percentile",
    "social_service_types", "health_service_types", "service_types",
)


class DefinitionError(ValueError):
    """A definitions file that cannot be used, with file and key named."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Provider(_Strict):
    id: str
    name: str
    sector: Literal["public", "private", "third"]
    submission_format: Literal["csv_utf8", "csv_fi", "csv_fi_1252", "parquet"]

    @field_validator("id")
    @classmethod
    def _business_id(cls, v: str) -> str:
        if not ytunnus.is_valid(v):
            raise ValueError(f"{v!r} is not a valid Y-tunnus (NNNNNNN-C, mod-11 check digit)")
        return v


class ServiceType(_Strict):
    code: str
    domain: Literal["health", "social"]
    name_fi: str
    name_en: str


class Package(_Strict):
    code: str
    name_fi: str
    name_en: str
    instruments: list[Instrument] = Field(min_length=1)


class Condition(_Strict):
    feature: Literal[FEATURES]  # type: ignore[valid-type]
    op: Literal[">=", ">", "<=", "<", "="]
    value: float


class Segment(_Strict):
    code: str
    priority: int
    kaiser_level: str
    name_fi: str
    name_en: str
    when: list[Condition]


class ConditionGroup(_Strict):
    group: str
    prefixes: list[str] = Field(min_length=1)


class Window(_Strict):
    from_days: int
    to_days: int

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if self.to_days < self.from_days:
            raise ValueError("to_days must not be before from_days")
        return self


class FollowUp(_Strict):
    timepoint: str
    at_days: int = Field(gt=0)
    tolerance_days: int = Field(ge=0)


class Obligation(_Strict):
    package: str
    instruments: list[Instrument] = Field(min_length=1)
    baseline: Window
    followups: list[FollowUp] = []
    min_baseline_rate: float = Field(ge=0, le=1)
    min_followup_rate: float = Field(ge=0, le=1)


class Definitions(_Strict):
    """Everything the commissioner defines, cross-checked."""

    providers: list[Provider]
    service_types: list[ServiceType]
    packages: list[Package]
    segments: list[Segment]
    chronic_conditions: list[ConditionGroup]
    obligations: list[Obligation]

    @property
    def service_codes(self) -> list[str]:
        return [s.code for s in self.service_types]

    @property
    def package_codes(self) -> list[str]:
        return [p.code for p in self.packages]

    @property
    def instruments(self) -> list[str]:
        return sorted({i for p in self.packages for i in p.instruments})


_FILES = {
    "providers.yml": ("providers",),
    "service_types.yml": ("service_types",),
    "packages.yml": ("packages",),
    "segments.yml": ("segments", "chronic_conditions"),
    "obligations.yml": ("obligations",),
}


def _loc(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def load(directory: Path) -> Definitions:
    """Load and validate every definitions file in `directory`."""
    directory = Path(directory)
    parts: dict[str, object] = {}
    for name, keys in _FILES.items():
        path = directory / name
        if not path.is_file():
            raise DefinitionError(f"{path}: file is missing")
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise DefinitionError(f"{path}: not valid YAML: {exc}") from None
        if not isinstance(doc, dict):
            raise DefinitionError(f"{path}: expected a mapping with keys {', '.join(keys)}")
        for key in keys:
            if key not in doc:
                raise DefinitionError(f"{path}: key '{key}' is missing")
            try:
                field = Definitions.model_fields[key]
                from pydantic import TypeAdapter

                parts[key] = TypeAdapter(field.annotation).validate_python(doc[key])
            except ValidationError as exc:
                err = exc.errors()[0]
                raise DefinitionError(
                    f"{path}: {_loc((key, *err['loc']))}: {err['msg']}"
                ) from None
    defs = Definitions(**parts)
    _cross_check(defs, directory)
    return defs


def _cross_check(defs: Definitions, directory: Path) -> None:
    def fail(file: str, key: str, msg: str) -> None:
        raise DefinitionError(f"{directory / file}: {key}: {msg}")

    for kind, items, attr in (
        ("providers.yml", defs.providers, "id"),
        ("service_types.yml", defs.service_types, "code"),
        ("packages.yml", defs.packages, "code"),
        ("segments.yml", defs.segments, "code"),
    ):
        seen: set[str] = set()
        for i, item in enumerate(items):
            value = getattr(item, attr)
            if value in seen:
                fail(kind, f"{kind.split('.')[0]}[{i}].{attr}", f"duplicate {value!r}")
            seen.add(value)
    ordered = sorted(defs.segments, key=lambda s: s.priority)
    if len({s.priority for s in defs.segments}) != len(defs.segments):
        fail("segments.yml", "segments", "two segments share a priority")
    if not ordered or ordered[-1].when:
        fail("segments.yml", "segments", "the last segment by priority must have `when: []`")
    for i, seg in enumerate(ordered[:-1]):
        if not seg.when:
            fail("segments.yml", f"segments[{i}].when", "only the last segment may be a default")
    packages = {p.code: p for p in defs.packages}
    for i, ob in enumerate(defs.obligations):
        if ob.package not in packages:
            fail("obligations.yml", f"obligations[{i}].package", f"unknown package {ob.package!r}")
        for j, inst in enumerate(ob.instruments):
            if inst not in packages[ob.package].instruments:
                fail("obligations.yml", f"obligations[{i}].instruments[{j}]",
                     f"{inst} is not an instrument of package {ob.package}")


def compile_for_dbt(defs: Definitions, out_dir: Path) -> Path:
    """Write the definitions as the CSV tables dbt reads (see docs/architecture.md)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tables: dict[str, tuple[list[str], list[list[object]]]] = {
        "providers": (["provider_id", "name", "sector", "submission_format"],
                      [[p.id, p.name, p.sector, p.submission_format] for p in defs.providers]),
        "service_types": (["service_code", "domain", "name_fi", "name_en"],
                          [[s.code, s.domain, s.name_fi, s.name_en] for s in defs.service_types]),
        "packages": (["package_code", "name_fi", "name_en"],
                     [[p.code, p.name_fi, p.name_en] for p in defs.packages]),
        "package_instruments": (["package_code", "instrument"],
                                [[p.code, i] for p in defs.packages for i in p.instruments]),
        "segments": (["segment_code", "priority", "kaiser_level", "name_fi", "name_en"],
                     [[s.code, s.priority, s.kaiser_level, s.name_fi, s.name_en]
                      for s in defs.segments]),
        "segment_rules": (["segment_code", "priority", "feature", "op", "value"],
                          [[s.code, s.priority, c.feature, c.op, c.value]
                           for s in defs.segments for c in s.when]),
        "chronic_conditions": (["condition_group", "icd10_prefix"],
                               [[g.group, p] for g in defs.chronic_conditions
                                for p in g.prefixes]),
        "obligations": (["package_code", "instrument", "timepoint", "from_days", "to_days",
                         "min_rate"], _obligation_rows(defs)),
    }
    for name, (header, rows) in tables.items():
        with (out_dir / f"{name}.csv").open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            writer.writerows(rows)
    return out_dir


def _obligation_rows(defs: Definitions) -> list[list[object]]:
    rows: list[list[object]] = []
    for ob in defs.obligations:
        for inst in ob.instruments:
            rows.append([ob.package, inst, "baseline", ob.baseline.from_days,
                         ob.baseline.to_days, ob.min_baseline_rate])
            for fu in ob.followups:
                rows.append([ob.package, inst, fu.timepoint, fu.at_days - fu.tolerance_days,
                             fu.at_days + fu.tolerance_days, ob.min_followup_rate])
    return rows
