"""The commissioner's definitions (`definitions/*.yml`): validated on load, compiled for dbt.

An invalid file raises `DefinitionError` naming the file and the key at fault, e.g.
`definitions/segments.yml: segments[2].when[0].op: Input should be '>=', '>', ...`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from arvo import contract, definition_versions, ytunnus
from arvo import objectives as objectives_
from arvo.deadlines import Submissions
from arvo.objectives import Objective
from arvo.payments import rules as payment_rules
from arvo.verdicts.casemix import DEFAULT_FACTORS as DEFAULT_CASE_MIX_FACTORS
from arvo.verdicts.casemix import FACTORS as CASE_MIX_FACTORS

if TYPE_CHECKING:
    from arvo.verdicts import funnel

Instrument = Literal[tuple(contract.INSTRUMENT_ITEMS)]  # the instruments of the submission contract
FEATURES = (
    "age", "chronic_conditions", "annual_cost", "cost_percentile",
    "social_service_types", "health_service_types", "service_types",
)


CaseMixFactor = Literal[CASE_MIX_FACTORS]  # type: ignore[valid-type]


class DefinitionError(ValueError):
    """A definitions file that cannot be used, with file and key named."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


IdScheme = Literal["y-tunnus", "nhs-ods"]
_ODS_CODE = re.compile(r"^[A-Z0-9]{3,6}$")


def check_provider_id(scheme: IdScheme, value: str) -> str | None:
    """Why `value` is not a provider ID of `scheme`, or None when it is one."""
    if scheme == "y-tunnus" and not ytunnus.is_valid(value):
        return f"{value!r} is not a valid Y-tunnus (NNNNNNN-C, mod-11 check digit)"
    if scheme == "nhs-ods" and not _ODS_CODE.match(value):
        return f"{value!r} is not an NHS ODS organisation code (3-6 capitals or digits)"
    return None


Language = Literal["fi", "sv", "en"]
"""A language the reports are written in (arvo.messages.LANGUAGES)."""


class Provider(_Strict):
    """A contracted provider; `id` follows the register's `id_scheme` (checked in `load`).
    `language` is the language of its feedback (fi, sv or en; without one, the language
    `arvo report --lang` gives, fi by default), `name_sv` its name in Swedish where it
    has one (a Swedish report names it so)."""

    id: str = Field(min_length=1, max_length=64)
    name: str
    sector: Literal["public", "private", "third"]
    submission_format: Literal["csv_utf8", "csv_fi", "csv_fi_1252", "parquet"]
    language: Language | None = None
    name_sv: str | None = None


class ServiceType(_Strict):
    code: str
    domain: Literal["health", "social"]
    name_fi: str
    name_en: str


class Package(_Strict):
    code: str
    name_fi: str
    name_en: str
    name_sv: str | None = None  # a Swedish report shows name_fi without one
    instruments: list[Instrument] = Field(min_length=1)
    # the client factors of the package's case-mix models (default: verdicts.yml's)
    case_mix_factors: list[CaseMixFactor] | None = None


class Verdicts(_Strict):
    """How providers are judged (definitions/verdicts.yml; docs/verdicts.md)."""

    min_pairs: int = Field(30, ge=1)
    overdispersion: Literal["additive", "multiplicative", "none"] = "additive"
    winsorise: float = Field(0.10, ge=0, lt=0.5)
    case_mix_factors: list[CaseMixFactor] = list(DEFAULT_CASE_MIX_FACTORS)

    def rules(self) -> funnel.Rules:
        from arvo.verdicts import funnel  # scipy, only where verdicts are judged
        return funnel.Rules(self.min_pairs, self.overdispersion, self.winsorise)


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
    name_sv: str | None = None
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


TIMEPOINT_CODE = r"^[a-z][a-z0-9_]{0,39}$"
ICD10_PREFIX = r"^[A-Z]([0-9]{1,2}(\.?[0-9A-Z]{1,2})?)?$"
DAYS_PER_MONTH = 30.4375


class FollowUp(_Strict):
    timepoint: str = Field(pattern=TIMEPOINT_CODE)
    at_days: int = Field(gt=0)
    tolerance_days: int = Field(ge=0)
    while_open: bool = False  # due only if the episode had not ended when the window opened

    @field_validator("timepoint")
    @classmethod
    def _not_baseline(cls, v: str) -> str:
        if v == "baseline":
            raise ValueError("'baseline' is the baseline window's name, not a follow-up's")
        return v


class Repeat(_Strict):
    """Follow-ups every `every_days` after the last listed one, up to `until_days`.

    Named followup_<months>m when the day is (within a tenth) a whole number of months,
    else followup_<days>d.
    """

    every_days: int = Field(gt=0)
    tolerance_days: int = Field(ge=0)
    until_days: int = Field(gt=0)
    while_open: bool = True

    @model_validator(mode="after")
    def _no_overlap(self) -> Repeat:
        if 2 * self.tolerance_days >= self.every_days:
            raise ValueError("tolerance_days must be less than half of every_days, "
                             "or the repeated windows overlap")
        return self


class Restart(_Strict):
    """An event that resets the schedule: the timepoints are anchored on its date."""

    service_codes: list[str] = Field(min_length=1)
    icd10_prefixes: list[str] = []
    min_days_between: int = Field(30, ge=1)

    @field_validator("icd10_prefixes")
    @classmethod
    def _prefixes(cls, v: list[str]) -> list[str]:
        for prefix in v:
            if not re.match(ICD10_PREFIX, prefix):
                raise ValueError(f"{prefix!r} is not an ICD-10 code prefix (e.g. I50, I50.1, F3)")
        return v


@dataclass(frozen=True)
class Timepoint:
    """One collection window of an obligation, days relative to the schedule's anchor."""

    name: str
    at_days: int  # the target day (nearest response wins)
    from_days: int
    to_days: int
    measure: str  # participation (baseline) | paired (follow-up and baseline)
    min_rate: float
    while_open: bool = False


class Obligation(_Strict):
    """One entry of obligations.yml: binds either a package's episodes or a segment's clients.

    `package`: every episode of the package (instruments must be the package's).
    `segment`: every episode, of any package, of a client whom the period's segmentation
    places in the segment (instruments: any supported instrument).
    """

    package: str | None = None
    segment: str | None = None
    sector: Literal["all", "public", "private", "third"] = "all"
    instruments: list[Instrument] = Field(min_length=1)
    baseline: Window
    followups: list[FollowUp] = []
    repeat: Repeat | None = None
    restart: Restart | None = None
    min_baseline_rate: float = Field(ge=0, le=1)
    min_followup_rate: float = Field(ge=0, le=1)
    severity: Literal["error", "warning"] = "error"
    rationale: str | None = None

    @model_validator(mode="after")
    def _one_scope(self) -> Obligation:
        if self.package is not None and self.segment is not None:
            raise ValueError("both `package` and `segment` are given: an entry binds either "
                             "a package's episodes or a segment's clients, give one of them")
        if self.package is None and self.segment is None:
            raise ValueError("neither `package` nor `segment` is given: name the package "
                             "(packages.yml) or the segment (segments.yml) the entry binds")
        return self

    @property
    def scope(self) -> Literal["package", "segment"]:
        """What the entry binds: `package` (a package's episodes) or `segment` (a segment's)."""
        return "package" if self.package is not None else "segment"

    @property
    def scope_code(self) -> str:
        """The package's or the segment's code."""
        return self.package if self.package is not None else str(self.segment)

    @model_validator(mode="after")
    def _schedule_is_ordered(self) -> Obligation:
        previous_at, previous_to = None, self.baseline.to_days
        names = {"baseline"}
        for i, fu in enumerate(self.followups):
            if fu.timepoint in names:
                raise ValueError(f"followups[{i}].timepoint {fu.timepoint!r} is used twice")
            names.add(fu.timepoint)
            if previous_at is not None and fu.at_days <= previous_at:
                raise ValueError(f"followups[{i}].at_days must be later than the follow-up "
                                 "before it")
            if fu.at_days - fu.tolerance_days <= previous_to:
                raise ValueError(f"followups[{i}]: its window (from day "
                                 f"{fu.at_days - fu.tolerance_days}) overlaps the window "
                                 f"before it (to day {previous_to})")
            previous_at, previous_to = fu.at_days, fu.at_days + fu.tolerance_days
        if self.repeat is not None:
            repeated = self._repeated()
            if not repeated:
                raise ValueError("repeat: until_days leaves no repeated follow-up")
            first = repeated[0]
            if first.from_days <= previous_to:
                raise ValueError(f"repeat: the first repeated window (from day "
                                 f"{first.from_days}) overlaps the window before it "
                                 f"(to day {previous_to})")
            for tp in repeated:
                if tp.name in names:
                    raise ValueError(f"repeat: timepoint {tp.name!r} is used twice")
                names.add(tp.name)
        return self

    def _repeated(self) -> list[Timepoint]:
        r = self.repeat
        if r is None:
            return []
        out = []
        at = (self.followups[-1].at_days if self.followups else 0) + r.every_days
        while at <= r.until_days:
            months = at / DAYS_PER_MONTH
            name = (f"followup_{round(months)}m" if abs(months - round(months)) < 0.1
                    else f"followup_{at}d")
            out.append(Timepoint(name, at,
                                 at - r.tolerance_days, at + r.tolerance_days, "paired",
                                 self.min_followup_rate, r.while_open))
            at += r.every_days
        return out

    def schedule(self) -> list[Timepoint]:
        """Baseline, the listed follow-ups and the repeated ones, in order."""
        b = self.baseline
        out = [Timepoint("baseline", max(b.from_days, min(b.to_days, 0)), b.from_days,
                         b.to_days, "participation", self.min_baseline_rate)]
        out += [Timepoint(f.timepoint, f.at_days, f.at_days - f.tolerance_days,
                          f.at_days + f.tolerance_days, "paired", self.min_followup_rate,
                          f.while_open) for f in self.followups]
        return out + self._repeated()


class Definitions(_Strict):
    """Everything the commissioner defines, cross-checked."""

    version: str = definition_versions.UNVERSIONED  # the version's id (docs/definitions.md)
    in_force_from: str | None = None  # YYYY-MM; None: in force at every period
    providers: list[Provider]
    id_scheme: IdScheme = "y-tunnus"
    submissions: Submissions = Submissions()
    service_types: list[ServiceType]
    packages: list[Package]
    segments: list[Segment]
    chronic_conditions: list[ConditionGroup]
    obligations: list[Obligation]
    verdicts: Verdicts = Verdicts()
    objectives: list[Objective] = []
    payments: payment_rules.PaymentRules = payment_rules.PaymentRules()

    def case_mix_factors(self, package: str) -> list[str]:
        """The factors of `package`'s case-mix models (its own list, else the default)."""
        own = next((p.case_mix_factors for p in self.packages if p.code == package), None)
        return list(own if own is not None else self.verdicts.case_mix_factors)

    @property
    def service_codes(self) -> list[str]:
        return [s.code for s in self.service_types]

    @property
    def package_codes(self) -> list[str]:
        return [p.code for p in self.packages]

    @property
    def instruments(self) -> list[str]:
        """Instruments collected: the packages' and those segment obligations name."""
        return sorted({i for p in self.packages for i in p.instruments}
                      | {i for ob in self.obligations for i in ob.instruments})

    @property
    def timepoints(self) -> list[str]:
        """Every timepoint code the obligations schedule, baseline first, then by day."""
        first: dict[str, int] = {}
        for ob in self.obligations:
            for tp in ob.schedule():
                first[tp.name] = min(first.get(tp.name, tp.at_days), tp.at_days)
        return sorted(first, key=lambda n: (n != "baseline", first[n], n))


# Optional top-level keys, with their defaults: providers.yml's `id_scheme` (`y-tunnus`;
# `nhs-ods` from `arvo import nhs-proms`) and `submissions` (arvo.deadlines).
_OPTIONAL = {"providers.yml": ("id_scheme", "submissions"), "verdicts.yml": ("verdicts",),
             "objectives.yml": ("objectives",), "payments.yml": ("payments",)}
#: Files a definitions folder may leave out (their keys take their defaults).
_OPTIONAL_FILES = ("verdicts.yml", "objectives.yml", "payments.yml")
_FILES = {"providers.yml": ("providers",), "service_types.yml": ("service_types",),
          "packages.yml": ("packages",), "segments.yml": ("segments", "chronic_conditions"),
          "obligations.yml": ("obligations",), "verdicts.yml": (), "objectives.yml": (),
          "payments.yml": ()}


def _loc(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def load(directory: Path, period: str | None = None, *,
         version: str | None = None) -> Definitions:
    """Load and validate the definitions in `directory` in force at `period` (YYYY-MM).

    Without `period`, the latest version (or the one whose id is `version`); a folder
    without a history is one version, `current` (arvo.definition_versions). Errors name
    the file of the version that holds the key at fault.
    """
    directory = Path(directory)
    try:
        if version is not None:
            found = definition_versions.find(directory, version)
        elif period is not None:
            found = definition_versions.in_force(directory, period)
        else:
            found = definition_versions.latest(directory)
    except definition_versions.VersionError as exc:
        raise DefinitionError(str(exc)) from None
    parts: dict[str, object] = {"version": found.id, "in_force_from": found.in_force_from}
    problems: list[str] = []
    for name, keys in _FILES.items():
        path = found.files.get(name, found.folder / name)
        if not path.is_file():
            if name in _OPTIONAL_FILES:
                continue
            raise DefinitionError(f"{path}: file is missing")
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise DefinitionError(f"{path}: not valid YAML: {exc}") from None
        if not isinstance(doc, dict):
            raise DefinitionError(f"{path}: expected a mapping with keys {', '.join(keys)}")
        for key in (*keys, *_OPTIONAL.get(name, ())):
            if key not in doc:
                if key in keys:
                    raise DefinitionError(f"{path}: key '{key}' is missing")
                continue
            try:
                field = Definitions.model_fields[key]
                from pydantic import TypeAdapter

                parts[key] = TypeAdapter(field.annotation).validate_python(doc[key])
            except ValidationError as exc:
                problems += [f"{path}: {_loc((key, *err['loc']))}: "
                             f"{err['msg'].removeprefix('Value error, ')}"
                             for err in exc.errors()]
    if problems:  # every invalid key of every file, one per line
        raise DefinitionError("\n".join(problems))
    defs = Definitions(**parts)
    _cross_check(defs, lambda name: found.files.get(name, found.folder / name))
    return defs


def check_segments(segments: list[Segment], fail: Callable[[str, str], None]) -> None:
    """Codes unique, priorities unique, one default segment (no conditions) and it comes
    last by priority; `fail(key, message)` raises naming the file."""
    seen: dict[str, int] = {}
    for i, seg in enumerate(segments):
        if seg.code in seen:
            fail(f"segments[{i}].code", f"duplicate {seg.code!r} (segments[{seen[seg.code]}])")
        seen[seg.code] = i
    ordered = sorted(segments, key=lambda s: s.priority)
    if len({s.priority for s in segments}) != len(segments):
        fail("segments", "two segments share a priority")
    if not ordered or ordered[-1].when:
        fail("segments", "the last segment by priority must have `when: []`")
    for i, seg in enumerate(ordered[:-1]):
        if not seg.when:
            fail(f"segments[{i}].when", "only the last segment may be a default")


def _cross_check(defs: Definitions, path_of: Callable[[str], Path]) -> None:
    def fail(file: str, key: str, msg: str) -> None:
        raise DefinitionError(f"{path_of(file)}: {key}: {msg}")

    for i, provider in enumerate(defs.providers):
        problem = check_provider_id(defs.id_scheme, provider.id)
        if problem:
            fail("providers.yml", f"providers[{i}].id", problem)

    for kind, items, attr in (
        ("providers.yml", defs.providers, "id"),
        ("service_types.yml", defs.service_types, "code"),
        ("packages.yml", defs.packages, "code"),
    ):
        seen: set[str] = set()
        for i, item in enumerate(items):
            value = getattr(item, attr)
            if value in seen:
                fail(kind, f"{kind.split('.')[0]}[{i}].{attr}", f"duplicate {value!r}")
            seen.add(value)
    check_segments(defs.segments, lambda key, msg: fail("segments.yml", key, msg))
    packages = {p.code: p for p in defs.packages}
    problem = payment_rules.cross_check(defs.payments,
                                        {c: list(p.instruments) for c, p in packages.items()},
                                        {o.code for o in defs.objectives})
    if problem:
        fail("payments.yml", *problem)
    segments = {s.code for s in defs.segments}
    services = set(defs.service_codes)
    entries: dict[tuple[str, str, str], int] = {}
    for i, ob in enumerate(defs.obligations):
        if ob.package is not None and ob.package not in packages:
            fail("obligations.yml", f"obligations[{i}].package", f"unknown package {ob.package!r}")
        if ob.segment is not None and ob.segment not in segments:
            fail("obligations.yml", f"obligations[{i}].segment",
                 f"unknown segment {ob.segment!r} (not in segments.yml)")
        key = (ob.scope, ob.scope_code, ob.sector)
        if key in entries:
            fail("obligations.yml", f"obligations[{i}].sector",
                 f"{ob.scope} {ob.scope_code} already has obligations for sector "
                 f"{ob.sector!r} (obligations[{entries[key]}]); one entry per {ob.scope} "
                 "and sector")
        entries[key] = i
        for j, inst in enumerate(ob.instruments):
            if ob.package is not None and inst not in packages[ob.package].instruments:
                fail("obligations.yml", f"obligations[{i}].instruments[{j}]",
                     f"{inst} is not an instrument of package {ob.package}")
        if len(set(ob.instruments)) != len(ob.instruments):
            fail("obligations.yml", f"obligations[{i}].instruments",
                 "an instrument is listed twice")
        if ob.restart is not None:
            for j, code in enumerate(ob.restart.service_codes):
                if code not in services:
                    fail("obligations.yml", f"obligations[{i}].restart.service_codes[{j}]",
                         f"unknown service code {code!r} (not in service_types.yml)")
    objectives_.cross_check(defs.objectives, segments,
                            {p.code: list(p.instruments) for p in defs.packages},
                            lambda key, msg: fail("objectives.yml", key, msg))
