"""The synthetic demo region: residents, providers' behaviour, events, episodes and PROMs.

Pure functions on numpy / pandas (no I/O): `build_region` turns parsed definitions, a seed
and sizes into the frames providers would send, the planted data defects and the planted
truth. Every random draw comes from `numpy.random.default_rng` streams derived from the
seed, and every ordering is explicit, so the same seed and sizes give the same frames.

Model in brief. Residents follow a Finnish age and sex structure (2023). Chronic conditions
are drawn by age-dependent prevalence, correlated through a latent frailty so that
multimorbidity grows with age. Older people may live in 24-hour assisted housing or get
regular home care (dementia and frailty raise both); some die during the horizon. Service
use is a Poisson process per resident and service type with rates set by age, conditions
and social needs, each resident keeping the same provider for a service type. Clients with
a relevant condition enter service packages (episodes) at a provider that delivers the
package, with package-specific visits. PROMs are collected per the package's instruments at
every timepoint of the obligation binding the provider (definitions/obligations.yml:
baseline, follow-ups, repeats, restarts on acute admissions), with provider-specific
collection compliance and treatment effects; three providers carry a planted finding
(under-collection, worse and better outcomes). A handful of rows in three providers carry
planted data defects.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from arvo import hetu as hetu_codes

# --------------------------------------------------------------------------- constants

#: Planted findings (providers named in the demo brief).
UNDER_COLLECTING_PROVIDER = "1394810-8"  # Mielenterveyspalvelut Tyyni Oy
WORSE_PROVIDER = "1900509-8"  # Kuntoutus Liike Oy
BETTER_PROVIDER = "1157268-8"  # Mielenterveysyhdistys Majakka ry

#: Age bands (lower bound, share of population %), after Statistics Finland 2023.
AGE_BANDS: tuple[tuple[int, float], ...] = (
    (0, 4.6), (5, 5.4), (10, 6.0), (15, 5.6), (20, 5.6), (25, 6.1), (30, 6.4), (35, 6.4),
    (40, 6.2), (45, 5.7), (50, 6.0), (55, 6.2), (60, 6.3), (65, 6.1), (70, 6.0), (75, 5.3),
    (80, 3.2), (85, 1.8), (90, 0.8), (95, 0.2), (100, 0.03),
)
#: Share of women by age (age knots, share): more women among the old.
FEMALE_SHARE = ((0, 0.488), (49, 0.49), (64, 0.50), (74, 0.53), (84, 0.58), (95, 0.70))

_PREV_AGES = (0, 15, 30, 45, 55, 65, 75, 85, 105)


@dataclass(frozen=True)
class Condition:
    """A chronic condition: ICD-10 codes and prevalence by age (at `_PREV_AGES`)."""

    key: str
    codes: tuple[str, ...]
    prevalence: tuple[float, ...]
    male_rr: float = 1.0
    frailty: float = 0.8


CONDITIONS: tuple[Condition, ...] = (
    Condition("hypertension", ("I10",),
              (0, 0.002, 0.02, 0.09, 0.20, 0.33, 0.45, 0.52, 0.52), 1.1, 0.6),
    Condition("diabetes", ("E11.9", "E11.6", "E11.4", "E11.7"),
              (0, 0.001, 0.01, 0.04, 0.08, 0.13, 0.17, 0.17, 0.14), 1.3),
    Condition("heart_failure", ("I50.0", "I50.9", "I50.1"),
              (0, 0, 0, 0.002, 0.008, 0.025, 0.06, 0.13, 0.18), 1.2),
    Condition("coronary", ("I25.1", "I25.9", "I20.9"),
              (0, 0, 0, 0.008, 0.03, 0.07, 0.13, 0.19, 0.20), 1.6),
    Condition("copd", ("J44.9", "J44.8", "J44.1"),
              (0, 0, 0, 0.008, 0.025, 0.05, 0.07, 0.08, 0.07), 1.3),
    Condition("asthma", ("J45.9", "J45.0", "J45.1"),
              (0.03, 0.06, 0.06, 0.06, 0.07, 0.07, 0.07, 0.06, 0.05), 1.0, 0.4),
    Condition("depression", ("F32.1", "F32.2", "F33.1", "F33.0", "F32.0"),
              (0.002, 0.05, 0.085, 0.075, 0.07, 0.06, 0.05, 0.06, 0.06), 0.7, 0.6),
    Condition("anxiety", ("F41.1", "F41.0", "F41.9"),
              (0.002, 0.04, 0.06, 0.05, 0.04, 0.03, 0.03, 0.03, 0.03), 0.7, 0.5),
    Condition("dementia", ("G30.1", "G30.9", "F03", "F01.9"),
              (0, 0, 0, 0, 0.002, 0.01, 0.04, 0.13, 0.30), 0.9),
    Condition("osteoarthritis", ("M17.1", "M16.1", "M17.0", "M16.9"),
              (0, 0, 0, 0.02, 0.06, 0.11, 0.17, 0.21, 0.20), 0.8, 0.5),
    Condition("substance_use", ("F10.2", "F10.1", "F11.2", "F19.2"),
              (0, 0.006, 0.035, 0.04, 0.035, 0.022, 0.01, 0.004, 0.0), 2.2, 0.6),
)
COND_INDEX = {c.key: i for i, c in enumerate(CONDITIONS)}
MENTAL = ("depression", "anxiety", "substance_use")

#: Unit costs per service type: (median €, log-sd, min €, max €).
UNIT_COSTS: dict[str, tuple[float, float, float, float]] = {
    "PC_VISIT": (112, 0.12, 80, 150),
    "PC_NURSE": (62, 0.15, 40, 95),
    "SPEC_OUTPATIENT": (330, 0.25, 180, 650),
    "ER_VISIT": (400, 0.12, 300, 500),
    "INPATIENT_DAY": (950, 0.10, 700, 1200),
    "SURGERY": (9900, 0.07, 8000, 12000),
    "MH_VISIT": (112, 0.12, 80, 160),
    "REHAB_VISIT": (85, 0.12, 60, 120),
    "HOME_CARE_VISIT": (50, 0.06, 40, 60),
    "HOUSING_DAY": (200, 0.0, 150, 250),
    "SOCIAL_WORK": (100, 0.08, 80, 125),
    "SUBSTANCE_SERVICE": (90, 0.15, 60, 130),
}

#: Acute (non-chronic) ICD-10 codes by service type, for events not about a chronic condition.
ACUTE_CODES: dict[str, tuple[str, ...]] = {
    "PC_VISIT": ("J06.9", "M54.5", "N39.0", "R51", "L30.9", "H66.9", "J20.9", "R10.4", "Z00.0"),
    "PC_NURSE": ("Z00.0", "Z23.8", "Z76.0", "L89.9", "T14.1", "Z01.8"),
    "SPEC_OUTPATIENT": ("R07.4", "K21.9", "C50.9", "H25.9", "M75.1", "N40", "K57.3", "G43.9"),
    "ER_VISIT": ("S52.5", "S82.6", "R07.4", "J18.9", "R55", "S06.0", "T14.1", "K35.8",
                 "I48.9", "R10.4"),
    "INPATIENT_DAY": ("J18.9", "S72.0", "I63.9", "N39.0", "I48.9", "A41.9", "K56.6"),
    "SURGERY": ("K80.2", "K40.9", "C18.9", "K35.8", "C50.9", "S72.0"),
    "MH_VISIT": ("F43.2", "F43.1", "F43.2"),
    "REHAB_VISIT": ("M54.5", "S72.0", "M75.1", "I63.9", "S82.6"),
}
#: Probability that a health event has no diagnosis, by service type.
P_NO_DIAGNOSIS = {"PC_VISIT": 0.08, "PC_NURSE": 0.25, "SPEC_OUTPATIENT": 0.05,
                  "ER_VISIT": 0.04, "INPATIENT_DAY": 0.0, "SURGERY": 0.0, "MH_VISIT": 0.1,
                  "REHAB_VISIT": 0.3}
#: Probability that a health event of a client with conditions is about one of them.
P_CHRONIC = {"PC_VISIT": 0.6, "PC_NURSE": 0.7, "SPEC_OUTPATIENT": 0.7, "ER_VISIT": 0.35,
             "INPATIENT_DAY": 0.6, "SURGERY": 0.0, "MH_VISIT": 1.0, "REHAB_VISIT": 0.6}
#: Which conditions a service type's diagnosis may name (None: any).
DIAGNOSIS_CONDITIONS: dict[str, tuple[str, ...] | None] = {
    "MH_VISIT": MENTAL,
    "REHAB_VISIT": ("osteoarthritis", "heart_failure", "coronary", "copd"),
    "INPATIENT_DAY": ("heart_failure", "coronary", "copd", "dementia", "substance_use",
                      "diabetes", "depression"),
    "ER_VISIT": ("heart_failure", "coronary", "copd", "asthma", "substance_use", "diabetes"),
}

# Provider roles, matched from provider names (first keyword hit wins), then sector.
ROLE_KEYWORDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("sairaala",), "hospital"),
    (("perusterveydenhuolto", "terveyskeskus", "terveysasema"), "primary"),
    (("kotihoito",), "home_care"),
    (("sosiaalipalvelu", "sosiaalitoimi"), "social"),
    (("lääkäri",), "clinic"),
    (("mielenterveys", "psykoterapia"), "mental_health"),
    (("hoiva", "vanhus", "palvelutalo"), "elderly_care"),
    (("ortoped", "tekonivel"), "orthopaedics"),
    (("kuntoutus", "fysio"), "rehab"),
    (("sydän",), "heart"),
)
SECTOR_FALLBACK = {"public": "primary", "private": "clinic", "third": "mental_health"}


@dataclass(frozen=True)
class Role:
    """What a kind of provider does: background service shares and package shares."""

    label: str
    services: dict[str, float]
    packages: dict[str, float]
    visit_rate: float = 12.0  # package visits per year (mental health intensity etc.)


ROLES: dict[str, Role] = {
    "hospital": Role("central hospital", {
        "SPEC_OUTPATIENT": 0.85, "ER_VISIT": 1.0, "INPATIENT_DAY": 1.0, "SURGERY": 1.0,
        "MH_VISIT": 0.35, "REHAB_VISIT": 0.2}, {"HEART_FAILURE": 0.5, "HIP_KNEE": 0.55}),
    "primary": Role("public primary care", {
        "PC_VISIT": 0.75, "PC_NURSE": 0.78, "MH_VISIT": 0.4, "REHAB_VISIT": 0.35},
        {"T2_DIABETES": 0.7, "DEPRESSION": 0.2, "HEART_FAILURE": 0.3, "CASE_MANAGEMENT": 0.3},
        visit_rate=10.0),
    "clinic": Role("private medical centre", {
        "PC_VISIT": 0.25, "PC_NURSE": 0.22, "SPEC_OUTPATIENT": 0.1, "MH_VISIT": 0.05},
        {"T2_DIABETES": 0.3, "DEPRESSION": 0.1}, visit_rate=12.0),
    "home_care": Role("public home care", {"HOME_CARE_VISIT": 0.6}, {"HOME_CARE": 1.0}),
    "social": Role("public social services", {
        "SOCIAL_WORK": 0.95, "SUBSTANCE_SERVICE": 0.6, "HOUSING_DAY": 0.4},
        {"CASE_MANAGEMENT": 0.45}),
    "mental_health": Role("mental health services", {"MH_VISIT": 0.1},
                          {"DEPRESSION": 0.15}, visit_rate=18.0),
    "mental_health_third": Role("mental health association", {
        "MH_VISIT": 0.1, "SUBSTANCE_SERVICE": 0.4, "SOCIAL_WORK": 0.05, "HOUSING_DAY": 0.0},
        {"DEPRESSION": 0.3, "CASE_MANAGEMENT": 0.25}, visit_rate=20.0),
    "elderly_care": Role("elderly care", {"HOME_CARE_VISIT": 0.2, "HOUSING_DAY": 0.3},
                         {"HOME_CARE": 1.0}),
    "orthopaedics": Role("orthopaedic hospital", {
        "SPEC_OUTPATIENT": 0.05, "SURGERY": 0.0, "INPATIENT_DAY": 0.0}, {"HIP_KNEE": 0.45}),
    "rehab": Role("rehabilitation", {"REHAB_VISIT": 0.35, "MH_VISIT": 0.0},
                  {"DEPRESSION": 0.3}, visit_rate=26.0),
    "heart": Role("heart association", {"REHAB_VISIT": 0.05, "PC_NURSE": 0.0},
                  {"HEART_FAILURE": 0.2}),
}

#: Record-ID styles, assigned to providers in register order (cycled).
ID_STYLES: tuple[dict[str, tuple], ...] = (
    {"event": ("prefix", "EV-", 7), "episode": ("prefix", "JAK-", 6),
     "response": ("prefix", "PROM-", 6)},
    {"event": ("numeric", 71_000_000), "episode": ("prefix", "HJ", 7),
     "response": ("uuid",)},
    {"event": ("prefix", "KÄY-", 8), "episode": ("year", "KH", 5),
     "response": ("prefix", "KYS-", 6)},
    {"event": ("year", "SOS", 6), "episode": ("year", "PO", 5),
     "response": ("numeric", 500_000)},
    {"event": ("uuid",), "episode": ("uuid",), "response": ("uuid",)},
    {"event": ("hex", "T"), "episode": ("prefix", "HOITO-", 5),
     "response": ("hex", "R")},
    {"event": ("zeros", 10), "episode": ("zeros", 8), "response": ("zeros", 9)},
    {"event": ("numeric", 9_100_000), "episode": ("numeric", 300_000),
     "response": ("numeric", 800_000)},
    {"event": ("year", "LK", 6), "episode": ("year", "LJ", 4),
     "response": ("year", "LV", 5)},
    {"event": ("prefix", "MJ-T", 6), "episode": ("prefix", "MJ-A", 5),
     "response": ("uuid",)},
    {"event": ("prefix", "KÄYNTI_", 7), "episode": ("prefix", "ASIAKKUUS_", 5),
     "response": ("prefix", "KYSELY_", 5)},
    {"event": ("hex", "S"), "episode": ("numeric", 41_000),
     "response": ("numeric", 61_000)},
)


@dataclass(frozen=True)
class PromModel:
    """Baseline health and expected change for a package's clients (latent units)."""

    eq_base: tuple[float, float, float, float, float]  # MO SC UA PD AD latent (0 = level 1)
    eq_weights: tuple[float, float, float, float, float]  # where improvement lands
    eq_gain: float  # latent improvement at an average provider
    phq_base: float = 6.0
    phq_fall: float = 1.0


PROM_MODELS: dict[str, PromModel] = {
    "DEPRESSION": PromModel((0.3, 0.1, 1.5, 1.3, 2.4), (0.2, 0.2, 1.0, 0.8, 1.4), 0.55,
                            15.5, 4.3),
    "T2_DIABETES": PromModel((0.8, 0.3, 0.7, 1.1, 0.6), (0.4, 0.2, 0.5, 0.6, 0.5), 0.12,
                             5.0, 0.5),
    "HEART_FAILURE": PromModel((1.8, 0.8, 1.7, 1.2, 0.9), (1.0, 0.5, 1.0, 0.6, 0.5), 0.25,
                               6.0, 0.8),
    "HIP_KNEE": PromModel((2.5, 1.1, 2.3, 3.0, 0.8), (1.0, 0.6, 1.0, 1.3, 0.4), 1.2, 5.0, 1.0),
    "HOME_CARE": PromModel((2.5, 2.2, 2.5, 1.8, 1.3), (0.5, 0.5, 0.5, 0.4, 0.4), 0.05,
                           7.0, 0.3),
    "CASE_MANAGEMENT": PromModel((1.2, 0.7, 2.0, 1.6, 2.1), (0.5, 0.4, 1.0, 0.7, 1.1), 0.35,
                                 11.0, 2.2),
}
GENERIC_PROM = PromModel((1.0, 0.5, 1.0, 1.0, 1.0), (0.5, 0.5, 0.5, 0.5, 0.5), 0.2)
PHQ_ITEM_WEIGHTS = np.array([1.2, 1.2, 1.15, 1.3, 1.0, 1.0, 0.95, 0.75, 0.45])
PHQ_ITEM_WEIGHTS = PHQ_ITEM_WEIGHTS / PHQ_ITEM_WEIGHTS.mean()

#: EQ-5D-5L England value set (Devlin et al. 2018): decrements for levels 1..5 per dimension.
EQ5D5L_ENGLAND = np.array([
    [0, -0.058, -0.076, -0.207, -0.274],  # mobility
    [0, -0.050, -0.080, -0.164, -0.203],  # self-care
    [0, -0.050, -0.063, -0.162, -0.184],  # usual activities
    [0, -0.063, -0.084, -0.276, -0.335],  # pain / discomfort
    [0, -0.078, -0.104, -0.285, -0.289],  # anxiety / depression
])

EVENT_COLUMNS = ["event_id", "hetu", "event_date", "service_code", "episode_id", "diagnosis",
                 "cost_eur"]
EPISODE_COLUMNS = ["episode_id", "hetu", "package_code", "start_date", "end_date"]
PROM_COLUMNS = ["response_id", "episode_id", "hetu", "instrument", "timepoint",
                "response_date"] + [f"q{i}" for i in range(1, 13)]

# --------------------------------------------------------------------------- definitions


@dataclass(frozen=True)
class ProviderDef:
    provider_id: str
    name: str
    sector: str
    submission_format: str


#: The follow-up timepoint the marts pair with the baseline (dbt var pair_followup_timepoint).
PAIR_TIMEPOINT = "followup_6m"


@dataclass(frozen=True)
class ScheduledTimepoint:
    """A collection window, days relative to the schedule's anchor."""

    name: str
    at_days: int
    from_days: int
    to_days: int
    while_open: bool = False

    @property
    def is_baseline(self) -> bool:
        return self.name == "baseline"


@dataclass(frozen=True)
class RestartRule:
    """Events that reset a schedule: service codes, ICD-10 prefixes (no dots), gap in days."""

    service_codes: tuple[str, ...]
    icd10_prefixes: tuple[str, ...] = ()
    min_days_between: int = 30


@dataclass(frozen=True)
class Obligation:
    baseline_from: int = -14
    baseline_to: int = 14
    followups: tuple[tuple[str, int, int], ...] = (("followup_6m", 182, 30),)
    min_baseline_rate: float = 0.8
    min_followup_rate: float = 0.6
    #: The whole schedule (baseline, listed and repeated follow-ups); empty: from the above.
    timepoints: tuple[ScheduledTimepoint, ...] = ()
    restart: RestartRule | None = None

    def schedule(self) -> tuple[ScheduledTimepoint, ...]:
        if self.timepoints:
            return self.timepoints
        return (ScheduledTimepoint("baseline", max(self.baseline_from, min(self.baseline_to, 0)),
                                   self.baseline_from, self.baseline_to),
                *(ScheduledTimepoint(tp, at, at - tol, at + tol)
                  for tp, at, tol in self.followups))

    def pair_followup(self) -> ScheduledTimepoint | None:
        """The follow-up the marts pair with the baseline (PAIR_TIMEPOINT, else the first)."""
        fus = [t for t in self.schedule() if not t.is_baseline]
        return next((t for t in fus if t.name == PAIR_TIMEPOINT), fus[0] if fus else None)


@dataclass(frozen=True)
class RegionDefinitions:
    """The parts of `definitions/*.yml` the generator needs."""

    providers: tuple[ProviderDef, ...]
    service_domains: dict[str, str]
    package_instruments: dict[str, tuple[str, ...]]
    obligations: dict[str, Obligation]
    chronic_prefixes: dict[str, tuple[str, ...]]
    #: Obligations of one sector only ((package, sector) -> obligation); they replace the
    #: package's entry in `obligations` for providers of that sector.
    sector_obligations: dict[tuple[str, str], Obligation] = field(default_factory=dict)

    def obligation(self, package: str, sector: str) -> Obligation:
        """The obligation binding a provider of `sector` in `package`."""
        return self.sector_obligations.get((package, sector),
                                           self.obligations.get(package, Obligation()))


def _obligation(doc: dict[str, Any]) -> tuple[str, Obligation]:
    """(sector, Obligation) of one entry of obligations.yml, its schedule expanded."""
    from arvo.definitions import Obligation as ObligationDef

    ob = ObligationDef.model_validate(doc)
    schedule = tuple(ScheduledTimepoint(t.name, t.at_days, t.from_days, t.to_days, t.while_open)
                     for t in ob.schedule())
    restart = None
    if ob.restart is not None:
        restart = RestartRule(tuple(ob.restart.service_codes),
                              tuple(p.replace(".", "") for p in ob.restart.icd10_prefixes),
                              ob.restart.min_days_between)
    fups = tuple((f.timepoint, f.at_days, f.tolerance_days) for f in ob.followups)
    return ob.sector, Obligation(ob.baseline.from_days, ob.baseline.to_days,
                                 fups or Obligation().followups, ob.min_baseline_rate,
                                 ob.min_followup_rate, schedule, restart)


def parse_definitions(docs: dict[str, Any]) -> RegionDefinitions:
    """Build `RegionDefinitions` from the loaded YAML documents.

    `docs` maps a file stem (`providers`, `service_types`, `packages`, `segments`,
    `obligations`) to the parsed document (`yaml.safe_load`).
    """
    providers = tuple(
        ProviderDef(str(p["id"]), str(p["name"]), str(p.get("sector", "public")),
                    str(p.get("submission_format", "csv_utf8")))
        for p in docs["providers"]["providers"])
    services = {str(s["code"]): str(s["domain"]) for s in docs["service_types"]["service_types"]}
    packages = {str(p["code"]): tuple(str(i) for i in p.get("instruments", []))
                for p in docs["packages"]["packages"]}
    obligations: dict[str, Obligation] = {}
    by_sector: dict[tuple[str, str], Obligation] = {}
    for doc in (docs.get("obligations") or {}).get("obligations", []):
        if doc.get("package") is None:
            # A segment obligation: providers collect per their package's schedule only.
            # The shipped HNHC entries' windows contain the packages' baseline and 6-month
            # windows, so those responses count for them too.
            continue
        sector, ob = _obligation(doc)
        if sector == "all":
            obligations[str(doc["package"])] = ob
        else:
            by_sector[(str(doc["package"]), sector)] = ob
    chronic = {str(c["group"]): tuple(str(x) for x in c["prefixes"])
               for c in (docs.get("segments") or {}).get("chronic_conditions", [])}
    return RegionDefinitions(providers, services, packages, obligations, chronic, by_sector)


# --------------------------------------------------------------------------- calendar


@dataclass(frozen=True)
class Calendar:
    """Days 0..n_days-1 from the first day of `start_month`, covering `months` months."""

    start: np.datetime64
    months: int

    @property
    def month_starts(self) -> np.ndarray:
        first = self.start.astype("datetime64[M]")
        return (first + np.arange(self.months + 1)).astype("datetime64[D]")

    @property
    def month_offsets(self) -> np.ndarray:
        return (self.month_starts - self.start).astype(np.int64)

    @property
    def n_days(self) -> int:
        return int(self.month_offsets[-1])

    @property
    def labels(self) -> list[str]:
        return [str(m) for m in self.month_starts[:-1].astype("datetime64[M]")]

    def month_of(self, day: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.month_offsets, day, side="right") - 1

    def dates(self, day: np.ndarray) -> np.ndarray:
        return self.start + np.asarray(day, dtype=np.int64).astype("timedelta64[D]")


def make_calendar(start_month: str, months: int) -> Calendar:
    if months < 1:
        raise ValueError("months must be at least 1")
    start = np.datetime64(dt.datetime.strptime(start_month, "%Y-%m").date(), "D")
    return Calendar(start, months)


# --------------------------------------------------------------------------- helpers


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def _poisson_in(rng: np.random.Generator, person: np.ndarray, rate_per_year: np.ndarray,
                lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Poisson event days for each person at `rate_per_year` in days [lo, hi)."""
    span = np.clip(np.asarray(hi) - np.asarray(lo), 0, None)
    lam = np.clip(np.asarray(rate_per_year, dtype=float), 0, None) * span / 365.25
    n = rng.poisson(lam)
    p = np.repeat(person, n)
    start = np.repeat(lo, n)
    width = np.repeat(span, n)
    day = start + np.floor(rng.random(int(n.sum())) * width).astype(np.int64)
    return p, day


def _expand(start: np.ndarray, length: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row index and day for consecutive days [start, start+length) of each row."""
    length = np.clip(length, 0, None).astype(np.int64)
    rows = np.repeat(np.arange(len(start)), length)
    offs = np.arange(int(length.sum())) - np.repeat(np.cumsum(length) - length, length)
    return rows, np.repeat(start, length) + offs


def _choose(rng: np.random.Generator, weights: np.ndarray, n: int) -> np.ndarray:
    """n draws of an index with probabilities proportional to `weights`."""
    cw = np.cumsum(weights)
    return np.minimum(np.searchsorted(cw / cw[-1], rng.random(n), side="right"),
                      len(weights) - 1)


def _pick_true(rng: np.random.Generator, mask: np.ndarray) -> np.ndarray:
    """A random True column per row of a boolean matrix, -1 where none."""
    if mask.shape[0] == 0:
        return np.zeros(0, dtype=np.int64)
    r = rng.random(mask.shape, dtype=np.float32)
    r[~mask] = -1.0
    idx = r.argmax(axis=1).astype(np.int64)
    idx[~mask.any(axis=1)] = -1
    return idx


def eq5d_index(levels: np.ndarray) -> np.ndarray:
    """EQ-5D-5L index (England value set) for an (n, 5) array of levels 1-5; NaN if missing."""
    lv = np.asarray(levels, dtype=float)
    out = np.full(lv.shape[0], np.nan)
    ok = ~np.isnan(lv).any(axis=1)
    li = lv[ok].astype(np.int64) - 1
    out[ok] = 1.0 + EQ5D5L_ENGLAND[np.arange(5), li].sum(axis=1)
    return out


def phq9_score(items: np.ndarray) -> np.ndarray:
    """PHQ-9 total for an (n, 9) array; mean of answered x 9 rounded if <= 1 missing."""
    it = np.asarray(items, dtype=float)
    miss = np.isnan(it).sum(axis=1)
    with np.errstate(invalid="ignore"):
        total = np.round(np.nanmean(it, axis=1) * 9)
    return np.where(miss <= 1, total, np.nan)


# --------------------------------------------------------------------------- population


def make_population(rng: np.random.Generator, n: int, cal: Calendar) -> pd.DataFrame:
    """Residents at the start of the horizon: identity, age, sex, frailty and conditions."""
    lows = np.array([b[0] for b in AGE_BANDS])
    shares = np.array([b[1] for b in AGE_BANDS])
    band = _choose(rng, shares, n)
    age = lows[band] + rng.integers(0, 5, n)
    fknots = np.array(FEMALE_SHARE)
    female = rng.random(n) < np.interp(age, fknots[:, 0], fknots[:, 1])
    # Birth date: `age` full years before the start, plus a uniform day within the year.
    ref = cal.start - np.timedelta64(1, "D")
    birth = ref - np.floor((age + rng.random(n)) * 365.2425).astype("timedelta64[D]")
    frailty = rng.standard_normal(n)
    cond = np.zeros((n, len(CONDITIONS)), dtype=bool)
    for j, c in enumerate(CONDITIONS):
        p = np.interp(age, _PREV_AGES, c.prevalence)
        rr = np.where(female, 2.0 / (1.0 + c.male_rr), 2.0 * c.male_rr / (1.0 + c.male_rr))
        p = np.clip(p * rr, 0, 0.95)
        shifted = _sigmoid(_logit(p) + c.frailty * frailty - 0.3 * c.frailty ** 2)
        cond[:, j] = (p > 0) & (rng.random(n) < shifted)
    # A fixed specific code per resident and condition.
    code_choice = np.stack([rng.integers(0, len(c.codes), n) for c in CONDITIONS], axis=1)
    # Individual numbers: odd for men, even for women, unique per birth date.
    male = ~female
    num = 2 * rng.integers(1, 450, n) + male.astype(np.int64)
    bday = birth.astype(np.int64)
    for _ in range(100):
        dup = pd.DataFrame({"b": bday, "z": num}).duplicated().to_numpy()
        if not dup.any():
            break
        k = int(dup.sum())
        num[dup] = 2 * rng.integers(1, 450, k) + male[dup].astype(np.int64)
    else:  # pragma: no cover - needs > 449 people born on one day
        raise ValueError("too many residents for unique identity codes")
    hetus = np.array([hetu_codes.make(b, int(z)) for b, z in
                      zip(birth.astype(object), num, strict=True)], dtype=object)
    propensity = rng.lognormal(-0.5 * 1.1 ** 2, 1.1, n)  # care-seeking, mean 1
    social_need = (age >= 18) & (rng.random(n) < np.clip(
        0.025 * np.exp(0.5 * frailty) * (1 + 3 * cond[:, COND_INDEX["substance_use"]]
                                         + 1.5 * cond[:, COND_INDEX["depression"]]), 0, 0.9))
    pop = pd.DataFrame({
        "person": np.arange(n), "hetu": hetus, "birth_date": birth, "age": age,
        "sex": np.where(female, "F", "M"), "frailty": frailty, "propensity": propensity,
        "social_need": social_need})
    for j, c in enumerate(CONDITIONS):
        pop[c.key] = cond[:, j]
    pop["n_conditions"] = cond.sum(axis=1)
    for j, c in enumerate(CONDITIONS):
        pop[f"code_{c.key}"] = code_choice[:, j]
    return pop


def make_states(rng: np.random.Generator, pop: pd.DataFrame, cal: Calendar,
                housing_providers: np.ndarray, housing_weights: np.ndarray,
                home_providers: np.ndarray, home_weights: np.ndarray,
                mh_providers: np.ndarray, mh_weights: np.ndarray) -> pd.DataFrame:
    """Death, 24-hour housing and regular home care spells over the horizon (days)."""
    n, days = len(pop), cal.n_days
    age = pop["age"].to_numpy()
    z = pop["frailty"].to_numpy()
    dem = pop["dementia"].to_numpy()
    hf = pop["heart_failure"].to_numpy()
    sub = pop["substance_use"].to_numpy()
    # Mortality (annual probability by age, raised by frailty and conditions).
    q = np.interp(age, (0, 1, 40, 55, 65, 75, 85, 95, 105),
                  (0.002, 0.0002, 0.001, 0.004, 0.01, 0.026, 0.08, 0.22, 0.4))
    q = np.clip(q * np.exp(0.35 * z) * (1 + 0.8 * hf) * (1 + 0.5 * dem) * (1 + 0.8 * sub),
                0, 0.9)
    t_death = rng.exponential(1.0, n) / -np.log1p(-q) * 365.25
    death = np.where(t_death < days, np.floor(t_death), days).astype(np.int64)
    # 24-hour assisted housing: prevalent at start, or a move during the horizon.
    need = np.exp(0.3 * z) * np.where(dem, 3.0, 1.0)
    p_house = np.interp(age, (0, 60, 65, 75, 80, 85, 90, 105),
                        (0, 0, 0.002, 0.01, 0.028, 0.065, 0.13, 0.24))
    in_house0 = rng.random(n) < np.clip(p_house * need, 0, 0.8)
    p_home = np.interp(age, (0, 60, 65, 75, 80, 85, 90, 105),
                       (0, 0.002, 0.01, 0.035, 0.08, 0.15, 0.22, 0.24))
    home_need = np.exp(0.3 * z) * np.where(dem, 1.8, 1.0)
    in_home0 = ~in_house0 & (rng.random(n) < np.clip(p_home * home_need, 0, 0.8))
    # Incident home care (hazard ~ 0.3 x prevalence per year).
    t_home = rng.exponential(1.0, n) / np.maximum(0.3 * p_home * home_need, 1e-9) * 365.25
    home_start = np.where(in_home0, 0, np.where(~in_house0 & (t_home < death), t_home, days))
    home_start = np.floor(home_start).astype(np.int64)
    # Moves into housing: faster from home care.
    rate_house = 0.3 * p_house * need * np.where(home_start < days, 2.5, 1.0)
    t_house = rng.exponential(1.0, n) / np.maximum(rate_house, 1e-9) * 365.25
    house_start = np.where(in_house0, 0, np.where(t_house < death, np.floor(t_house), days))
    house_start = np.where(in_home0 | (home_start < days),
                           np.maximum(house_start, home_start + 60), house_start)
    house_start = np.where(house_start < death, house_start, days).astype(np.int64)
    home_end = np.minimum(np.minimum(house_start, death), days)
    home_start = np.where(home_start < home_end, home_start, days)
    intensity = np.clip(rng.lognormal(np.log(0.7), 0.7, n) * np.where(dem, 1.4, 1.0), 0.1, 4)
    house_prov = housing_providers[_choose(rng, housing_weights, n)]
    home_prov = home_providers[_choose(rng, home_weights, n)]
    house_level = rng.uniform(0.88, 1.12, n)
    # Supported 24-hour housing of working-age mental health and substance rehabilitation
    # clients (the whole horizon).
    pop_mh = (pop["depression"].to_numpy() | sub | pop["social_need"].to_numpy())
    p_mh = np.where(pop_mh & (age >= 18) & (age < 65), 0.03 * np.exp(0.5 * z), 0.0)
    mh_house = ~in_house0 & ~in_home0 & (rng.random(n) < np.clip(p_mh, 0, 0.5))
    mh_prov = mh_providers[_choose(rng, mh_weights, n)]
    house_start = np.where(mh_house, 0, house_start)
    house_prov = np.where(mh_house, mh_prov, house_prov)
    house_level = np.where(mh_house, rng.uniform(0.72, 0.82, n), house_level)
    home_start = np.where(mh_house, days, home_start)
    home_end = np.where(mh_house, days, home_end)
    return pd.DataFrame({
        "death_day": death, "house_start": house_start, "home_start": home_start,
        "home_end": home_end, "home_intensity": intensity, "house_provider": house_prov,
        "home_provider": home_prov, "house_level": house_level, "mh_housing": mh_house})


# --------------------------------------------------------------------------- providers


@dataclass
class ProviderPlan:
    """Each provider's role, services, packages, price level, ID style and PROM behaviour."""

    providers: tuple[ProviderDef, ...]
    roles: list[str]
    price: np.ndarray
    baseline_p: np.ndarray
    followup_p: np.ndarray
    eq_effect: np.ndarray
    phq_effect: np.ndarray
    id_styles: list[dict[str, tuple]]
    diag_nodot: np.ndarray
    late_share: np.ndarray
    service_weights: dict[str, np.ndarray] = field(default_factory=dict)
    package_weights: dict[str, np.ndarray] = field(default_factory=dict)

    def index(self, provider_id: str) -> int:
        for i, p in enumerate(self.providers):
            if p.provider_id == provider_id:
                return i
        raise KeyError(provider_id)

    def offers(self, i: int) -> list[str]:
        """Service types the provider delivers (in background use or in packages)."""
        return [s for s in self.service_weights if s in ROLES[self.roles[i]].services]


def role_of(p: ProviderDef) -> str:
    """Match a provider to a role by the keywords of its name, else by its sector."""
    name = p.name.lower()
    for keys, role in ROLE_KEYWORDS:
        if any(k in name for k in keys):
            if role == "mental_health" and p.sector == "third":
                return "mental_health_third"
            return role
    return SECTOR_FALLBACK.get(p.sector, "primary")


def plan_providers(rng: np.random.Generator, defs: RegionDefinitions) -> ProviderPlan:
    provs = defs.providers
    m = len(provs)
    roles = [role_of(p) for p in provs]
    price = rng.uniform(0.93, 1.08, m)
    # Compliant providers collect most questionnaires (paired follow-ups need both).
    base_p = rng.uniform(0.93, 0.97, m)
    fu_p = rng.uniform(0.82, 0.90, m)
    eq_eff = rng.uniform(-0.1, 0.1, m)
    phq_eff = rng.uniform(-0.5, 0.5, m)
    ids = [p.provider_id for p in provs]
    if UNDER_COLLECTING_PROVIDER in ids:
        i = ids.index(UNDER_COLLECTING_PROVIDER)
        base_p[i], fu_p[i] = 0.32, 0.22
    if WORSE_PROVIDER in ids:
        i = ids.index(WORSE_PROVIDER)
        eq_eff[i], phq_eff[i] = -0.62, -3.6
    if BETTER_PROVIDER in ids:
        i = ids.index(BETTER_PROVIDER)
        eq_eff[i], phq_eff[i] = 0.75, 4.0
    styles = [ID_STYLES[i % len(ID_STYLES)] for i in range(m)]
    diag_nodot = np.array([r in ("hospital", "orthopaedics") for r in roles])
    late = np.array([0.0 if r in ("hospital", "orthopaedics") else 0.02 for r in roles])
    plan = ProviderPlan(provs, roles, price, base_p, fu_p, eq_eff, phq_eff, styles,
                        diag_nodot, late)
    for s in defs.service_domains:
        w = np.array([ROLES[r].services.get(s, -1.0) for r in roles])
        if (w > 0).any():
            plan.service_weights[s] = np.clip(w, 0, None)
        elif (w == 0).any():  # only episode-bound providers offer it
            plan.service_weights[s] = np.zeros(m)
    for pkg in defs.package_instruments:
        w = np.array([ROLES[r].packages.get(pkg, 0.0) for r in roles])
        if (w > 0).any():
            plan.package_weights[pkg] = w
    return plan


# --------------------------------------------------------------------------- events


@dataclass
class EventBuffer:
    """Columns of events under construction (numpy arrays, concatenated at the end)."""

    parts: dict[str, list[np.ndarray]] = field(default_factory=lambda: {
        k: [] for k in ("person", "day", "service", "provider", "diag", "episode", "cost")})

    def add(self, person, day, service, provider, diag, episode=None, cost=None) -> None:
        k = len(person)
        if k == 0:
            return
        self.parts["person"].append(np.asarray(person, dtype=np.int64))
        self.parts["day"].append(np.asarray(day, dtype=np.int64))
        self.parts["service"].append(np.broadcast_to(np.asarray(service, np.int64), (k,)))
        self.parts["provider"].append(np.broadcast_to(np.asarray(provider, np.int64), (k,)))
        self.parts["diag"].append(np.broadcast_to(np.asarray(diag, np.int64), (k,)))
        ep = -1 if episode is None else episode
        self.parts["episode"].append(np.broadcast_to(np.asarray(ep, np.int64), (k,)))
        c = np.nan if cost is None else cost
        self.parts["cost"].append(np.broadcast_to(np.asarray(c, float), (k,)))

    def frame(self) -> dict[str, np.ndarray]:
        return {k: (np.concatenate(v) if v else np.zeros(0)) for k, v in self.parts.items()}


class _Coder:
    """Diagnosis codes as integers into one table, drawn per event."""

    def __init__(self, pop: pd.DataFrame):
        table: list[str] = []
        self.cond_base = []
        for c in CONDITIONS:
            self.cond_base.append(len(table))
            table.extend(c.codes)
        self.acute_base = {}
        for s, codes in ACUTE_CODES.items():
            self.acute_base[s] = (len(table), len(codes))
            table.extend(codes)
        self.table = table
        self.cond = pop[[c.key for c in CONDITIONS]].to_numpy()
        self.choice = pop[[f"code_{c.key}" for c in CONDITIONS]].to_numpy()

    def condition_code(self, person: np.ndarray, key: str) -> np.ndarray:
        j = COND_INDEX[key]
        return self.cond_base[j] + self.choice[person, j]

    def diagnose(self, rng: np.random.Generator, service: str,
                 person: np.ndarray) -> np.ndarray:
        m = len(person)
        out = np.full(m, -1, dtype=np.int64)
        if service not in P_NO_DIAGNOSIS or m == 0:
            return out
        allowed = DIAGNOSIS_CONDITIONS.get(service)
        mask = self.cond[person]
        if allowed is not None:
            cols = np.zeros(len(CONDITIONS), dtype=bool)
            cols[[COND_INDEX[k] for k in allowed]] = True
            mask = mask & cols
        pick = _pick_true(rng, mask)
        chronic = (pick >= 0) & (rng.random(m) < P_CHRONIC[service])
        safe = np.maximum(pick, 0)
        code = np.array(self.cond_base)[safe] + self.choice[person, safe]
        base, k = self.acute_base[service]
        acute = base + rng.integers(0, k, m)
        out = np.where(chronic, code, acute)
        out[rng.random(m) < P_NO_DIAGNOSIS[service]] = -1
        return out


def _rates(pop: pd.DataFrame, states: pd.DataFrame) -> dict[str, np.ndarray]:
    """Annual background rates per resident and service type."""
    a = pop["age"].to_numpy().astype(float)
    z = pop["frailty"].to_numpy()
    nc = pop["n_conditions"].to_numpy()
    c = {k.key: pop[k.key].to_numpy().astype(float) for k in CONDITIONS}
    social = pop["social_need"].to_numpy().astype(float)
    housed = (states["house_start"].to_numpy() == 0).astype(float)
    home = (states["home_start"].to_numpy() < states["home_end"].to_numpy()).astype(float)
    fz = np.exp(0.3 * z) * pop["propensity"].to_numpy()
    child_clinic = np.where(a < 7, 0.5, 0.0)
    return {
        "PC_VISIT": (np.interp(a, (0, 7, 18, 45, 65, 75, 90), (0.2, 0.08, 0.08, 0.12, 0.3, 0.6,
                                                                0.8)) + 0.25 * nc + 0.8 * housed)
        * fz,
        "PC_NURSE": (np.interp(a, (0, 7, 18, 45, 65, 75), (0.1, 0.06, 0.05, 0.1, 0.3, 0.6))
                     + child_clinic + 0.3 * nc + 1.0 * c["diabetes"]) * fz,
        "SPEC_OUTPATIENT": (0.01 + 0.001 * a + 0.06 * nc + 0.5 * c["heart_failure"]
                            + 0.3 * c["coronary"] + 0.15 * c["diabetes"] + 0.2 * c["copd"]) * fz,
        "ER_VISIT": (np.interp(a, (0, 15, 30, 65, 75, 90), (0.06, 0.03, 0.04, 0.06, 0.2, 0.4))
                     + 0.35 * c["heart_failure"] + 0.2 * c["copd"] + 0.25 * c["dementia"]
                     + 2.2 * c["substance_use"] + 0.2 * social) * np.exp(0.4 * z)
        * np.sqrt(pop["propensity"].to_numpy()),
        "STAY": (np.interp(a, (0, 20, 60, 75, 90), (0.004, 0.003, 0.008, 0.03, 0.06))
                 + 0.35 * c["heart_failure"] + 0.18 * c["copd"] + 0.08 * c["coronary"]
                 + 0.15 * c["dementia"] + 0.35 * c["substance_use"] + 0.03 * nc
                 + 0.3 * home - 0.03 * housed) * np.exp(0.9 * z - 0.4),
        "SURGERY": np.where(a >= 18, 0.006 + 0.00025 * a, 0.002),
        "MH_VISIT": 1.6 * c["depression"] + 1.2 * c["anxiety"] + 0.8 * c["substance_use"]
        + 0.02,
        "REHAB_VISIT": 0.015 + 0.5 * c["osteoarthritis"] + 0.2 * c["heart_failure"]
        + np.where(a >= 75, 0.3, 0.0) * (1 - housed),
        "SOCIAL_WORK": 5.0 * social + 3.5 * c["substance_use"] + 0.8 * home
        + 0.01,
        "SUBSTANCE": c["substance_use"],
    }


def _provider_choice(rng: np.random.Generator, plan: ProviderPlan, n: int) -> dict[str, np.ndarray]:
    """Each resident's provider for each service type (stable over the horizon)."""
    out = {}
    for s, w in plan.service_weights.items():
        out[s] = _choose(rng, w, n) if w.sum() > 0 else np.full(n, -1)
    return out


def background_events(rng: np.random.Generator, pop: pd.DataFrame, states: pd.DataFrame,
                      plan: ProviderPlan, services: list[str], coder: _Coder,
                      cal: Calendar, buf: EventBuffer) -> None:
    """Rate-driven service use outside packages, plus housing days and home care visits."""
    n, days = len(pop), cal.n_days
    sidx = {s: i for i, s in enumerate(services)}
    person = np.arange(n)
    death = states["death_day"].to_numpy()
    rates = _rates(pop, states)
    choice = _provider_choice(rng, plan, n)
    age = pop["age"].to_numpy()

    def add(service: str, p: np.ndarray, d: np.ndarray, diag=None) -> None:
        if service not in sidx:
            return
        prov = choice[service][p]
        ok = prov >= 0
        p, d, prov = p[ok], d[ok], prov[ok]
        dg = coder.diagnose(rng, service, p) if diag is None else diag[ok]
        buf.add(p, d, sidx[service], prov, dg)

    for s in ("PC_VISIT", "PC_NURSE", "SPEC_OUTPATIENT", "ER_VISIT", "MH_VISIT", "REHAB_VISIT",
              "SOCIAL_WORK"):
        p, d = _poisson_in(rng, person, rates[s], np.zeros(n, np.int64), death)
        add(s, p, d)
    # Substance services: most clients a few visits a month, some in daily substitution care.
    heavy = rng.random(n) < 0.2
    sub_rate = rates["SUBSTANCE"] * np.where(heavy, 120.0, rng.lognormal(np.log(8), 0.5, n))
    p, d = _poisson_in(rng, person, sub_rate, np.zeros(n, np.int64), death)
    add("SUBSTANCE_SERVICE", p, d)
    # Inpatient stays: consecutive bed days, often through the emergency department.
    p, d0 = _poisson_in(rng, person, rates["STAY"], np.zeros(n, np.int64), death)
    in_home = ((states["home_start"].to_numpy()[p] <= d0)
               & (d0 < states["home_end"].to_numpy()[p]))
    los_mean = (2.5 + 0.08 * np.clip(age[p] - 40, 0, None) + 2.0 * pop["dementia"].to_numpy()[p]
                + 4.0 * in_home)
    los = 1 + rng.poisson(los_mean - 1)
    los = np.minimum(los, np.maximum(death[p] - d0, 1))
    stay_diag = coder.diagnose(rng, "INPATIENT_DAY", p)
    rows, days_ = _expand(d0, los)
    if "INPATIENT_DAY" in sidx:
        add("INPATIENT_DAY", p[rows], days_, stay_diag[rows])
    via_er = rng.random(len(p)) < 0.6
    if "ER_VISIT" in sidx:
        add("ER_VISIT", p[via_er], d0[via_er], stay_diag[via_er])
    # Older patients often meet a social worker after a stay (discharge, service needs).
    after = (age[p] >= 70) & (rng.random(len(p)) < 0.45)
    sw_day = d0[after] + los[after] + rng.integers(0, 14, int(after.sum()))
    ok = sw_day < death[p[after]]
    add("SOCIAL_WORK", p[after][ok], sw_day[ok])
    # Other surgery with a short stay.
    p, d0 = _poisson_in(rng, person, rates["SURGERY"], np.zeros(n, np.int64), death)
    add("SURGERY", p, d0)
    los = rng.integers(1, 4, len(p))
    rows, days_ = _expand(d0, np.minimum(los, np.maximum(death[p] - d0, 1)))
    add("INPATIENT_DAY", p[rows], days_, np.full(len(rows), -1))
    # Older people moving into housing often wait for the place in a hospital bed.
    hs = states["house_start"].to_numpy()
    waits = np.flatnonzero((hs > 0) & (hs < days) & (rng.random(n) < 0.5))
    los = np.minimum(rng.integers(12, 50, len(waits)), hs[waits])
    rows, days_ = _expand(hs[waits] - los, los)
    wait_diag = coder.diagnose(rng, "INPATIENT_DAY", waits)
    add("INPATIENT_DAY", waits[rows], days_, wait_diag[rows])
    add("ER_VISIT", waits, hs[waits] - los, wait_diag)
    # 24-hour housing: one event per day.
    housed = np.flatnonzero(hs < days)
    rows, days_ = _expand(hs[housed], death[housed] - hs[housed])
    hp = housed[rows]
    if "HOUSING_DAY" in sidx:
        prov = states["house_provider"].to_numpy()[hp]
        rate = 215.0 * plan.price[prov] * states["house_level"].to_numpy()[hp]
        buf.add(hp, days_, sidx["HOUSING_DAY"], prov, -1,
                cost=np.round(np.clip(rate, 150, 250), 2))
    # Regular home care: visits at the resident's intensity while in home care.
    h0 = states["home_start"].to_numpy()
    h1 = states["home_end"].to_numpy()
    p, d = _poisson_in(rng, person, states["home_intensity"].to_numpy() * 365.25, h0, h1)
    if "HOME_CARE_VISIT" in sidx:
        buf.add(p, d, sidx["HOME_CARE_VISIT"], states["home_provider"].to_numpy()[p], -1)


# --------------------------------------------------------------------------- episodes

#: Episode entry: package -> (condition key or state, annual entry rate, min age, max age).
EPISODE_ENTRY = {
    "DEPRESSION": ("depression", 0.5, 16, 85),
    "T2_DIABETES": ("diabetes", 0.07, 18, 95),
    "HEART_FAILURE": ("heart_failure", 0.22, 30, 100),
    "HIP_KNEE": ("osteoarthritis", 0.05, 45, 90),
    "CASE_MANAGEMENT": ("high_need", 0.12, 18, 80),
}
#: Episode duration in days: (log-median, log-sd, share that ends within the horizon at all).
EPISODE_DURATION = {
    "DEPRESSION": (np.log(210), 0.45, 1.0),
    "T2_DIABETES": (np.log(400), 0.5, 0.15),
    "HEART_FAILURE": (np.log(400), 0.5, 0.15),
    "HIP_KNEE": (np.log(100), 0.2, 1.0),
    "CASE_MANAGEMENT": (np.log(330), 0.4, 1.0),
}


def make_episodes(rng: np.random.Generator, pop: pd.DataFrame, states: pd.DataFrame,
                  plan: ProviderPlan, defs: RegionDefinitions, cal: Calendar) -> pd.DataFrame:
    """Clients' episodes in service packages: person, package, provider, start and end day."""
    days = cal.n_days
    death = states["death_day"].to_numpy()
    age = pop["age"].to_numpy()
    frames = []
    for pkg in defs.package_instruments:
        if pkg not in plan.package_weights and pkg != "HOME_CARE":
            continue
        if pkg == "HOME_CARE":
            h0 = states["home_start"].to_numpy()
            h1 = states["home_end"].to_numpy()
            who = np.flatnonzero(h0 < h1)
            # Prevalent clients enter when the package is launched (first three months).
            launch = rng.integers(0, min(91, days), len(who))
            start = np.where(h0[who] == 0, launch, h0[who])
            keep = start < h1[who]
            who, start = who[keep], start[keep]
            end = h1[who]
            end = np.where(end < days, end, -1)
            prov = states["home_provider"].to_numpy()[who]
        elif pkg in EPISODE_ENTRY:
            key, rate, lo, hi = EPISODE_ENTRY[pkg]
            if key == "high_need":
                score = (pop["n_conditions"].to_numpy() + 2.5 * pop["substance_use"].to_numpy()
                         + 2.0 * pop["social_need"].to_numpy() + pop["frailty"].to_numpy())
                eligible = (score >= 3.5) & ((states["house_start"].to_numpy() > 0)
                                             | states["mh_housing"].to_numpy())
            else:
                eligible = pop[key].to_numpy().copy()
            eligible &= (age >= lo) & (age <= hi)
            who = np.flatnonzero(eligible)
            t = rng.exponential(1.0, len(who)) / rate * 365.25
            keep = t < death[who]
            who, start = who[keep], np.floor(t[keep]).astype(np.int64)
            w = plan.package_weights[pkg]
            if pkg == "CASE_MANAGEMENT":
                # Substance users and mental health clients go to the mental health association
                # more often; others to social services or primary care.
                mh = pop["substance_use"].to_numpy()[who] | pop["depression"].to_numpy()[who]
                third = np.array([r == "mental_health_third" for r in plan.roles])
                w_mh = np.where(third, w * 3, w)
                prov = np.where(mh, _choose(rng, w_mh, len(who)), _choose(rng, w, len(who)))
            else:
                prov = _choose(rng, w, len(who))
            mu, sd, share_end = EPISODE_DURATION[pkg]
            dur = np.maximum(np.round(rng.lognormal(mu, sd, len(who))), 14).astype(np.int64)
            ends = rng.random(len(who)) < share_end
            end = np.where(ends, start + dur, days)
            end = np.minimum(end, death[who])
            end = np.where(end < days, end, -1)
        else:
            continue
        frames.append(pd.DataFrame({"person": who, "package_code": pkg, "provider": prov,
                                    "start_day": start, "end_day": end}))
    eps = pd.concat(frames, ignore_index=True)
    eps = eps.sort_values(["start_day", "person", "package_code"], kind="stable")
    eps = eps.reset_index(drop=True)
    eps["episode"] = np.arange(len(eps))
    return eps


def episode_events(rng: np.random.Generator, pop: pd.DataFrame, states: pd.DataFrame,
                   eps: pd.DataFrame, plan: ProviderPlan, services: list[str], coder: _Coder,
                   cal: Calendar, buf: EventBuffer) -> None:
    """Visits that belong to episodes (tagged with the episode) and around them."""
    days = cal.n_days
    sidx = {s: i for i, s in enumerate(services)}
    death = states["death_day"].to_numpy()
    roles = np.array(plan.roles)

    def visits(sub: pd.DataFrame, service: str, rate: np.ndarray | float, diag_key: str | None,
               first: bool = False, until: np.ndarray | None = None) -> None:
        if service not in sidx or sub.empty:
            return
        person = sub["person"].to_numpy()
        start = sub["start_day"].to_numpy()
        stop = np.where(sub["end_day"].to_numpy() >= 0, sub["end_day"].to_numpy(), days)
        stop = np.minimum(stop, death[person])
        if until is not None:
            stop = np.minimum(stop, start + until)
        r = np.broadcast_to(np.asarray(rate, float), person.shape)
        idx, d = _poisson_in(rng, np.arange(len(sub)), r, start + 1, stop)
        if first:
            idx = np.concatenate([np.arange(len(sub)), idx])
            d = np.concatenate([start, d])
        p = person[idx]
        diag = (coder.condition_code(p, diag_key) if diag_key
                else np.full(len(p), -1, dtype=np.int64))
        if diag_key:
            diag = np.where(rng.random(len(p)) < 0.05, -1, diag)
        buf.add(p, d, sidx[service], sub["provider"].to_numpy()[idx], diag,
                sub["episode"].to_numpy()[idx])

    rate_of = np.array([ROLES[r].visit_rate for r in plan.roles])
    for pkg, sub in eps.groupby("package_code", sort=True):
        role = roles[sub["provider"].to_numpy()]
        if pkg == "DEPRESSION":
            r = rate_of[sub["provider"].to_numpy()]
            primary = np.isin(role, ["primary", "clinic"])
            visits(sub[primary], "PC_VISIT", 2.0, "depression", first=True)
            visits(sub[primary], "MH_VISIT", r[primary], "depression")
            visits(sub[~primary], "MH_VISIT", r[~primary], "depression", first=True)
        elif pkg == "T2_DIABETES":
            visits(sub, "PC_VISIT", 1.0, "diabetes", first=True)
            visits(sub, "PC_NURSE", 3.0, "diabetes")
        elif pkg == "HEART_FAILURE":
            hosp = role == "hospital"
            heart = role == "heart"
            other = ~hosp & ~heart
            visits(sub[hosp], "SPEC_OUTPATIENT", 3.0, "heart_failure", first=True)
            visits(sub[other], "PC_VISIT", 1.5, "heart_failure", first=True)
            visits(sub[other], "PC_NURSE", 3.0, "heart_failure")
            visits(sub[heart], "PC_NURSE", 3.0, "heart_failure", first=True)
            visits(sub[heart], "REHAB_VISIT", 30.0, "heart_failure", until=np.array(90))
        elif pkg == "HIP_KNEE":
            _hip_knee_events(rng, sub, plan, sidx, coder, death, days, buf)
        elif pkg == "CASE_MANAGEMENT":
            social = np.isin(role, ["social", "mental_health_third"])
            visits(sub[social], "SOCIAL_WORK", 12.0, None, first=True)
            visits(sub[~social], "PC_NURSE", 12.0, None, first=True)
            third = role == "mental_health_third"
            subst = pop["substance_use"].to_numpy()[sub["person"].to_numpy()]
            visits(sub[third & subst], "SUBSTANCE_SERVICE", 12.0, None)


def _hip_knee_events(rng, sub, plan, sidx, coder, death, days, buf) -> None:
    person = sub["person"].to_numpy()
    start = sub["start_day"].to_numpy()
    prov = sub["provider"].to_numpy()
    ep = sub["episode"].to_numpy()
    oa = coder.condition_code(person, "osteoarthritis")
    # Pre-operative outpatient visit (before the episode starts: not tagged).
    pre = start - rng.integers(25, 60, len(sub))
    ok = pre >= 0
    if "SPEC_OUTPATIENT" in sidx:
        buf.add(person[ok], pre[ok], sidx["SPEC_OUTPATIENT"], prov[ok], oa[ok])
    if "SURGERY" in sidx:
        buf.add(person, start, sidx["SURGERY"], prov, oa, ep)
    los = np.where(np.array(plan.roles)[prov] == "orthopaedics", rng.integers(1, 3, len(sub)),
                   rng.integers(2, 5, len(sub)))
    los = np.minimum(los, np.maximum(death[person] - start, 1))
    rows, d = _expand(start, los)
    if "INPATIENT_DAY" in sidx:
        buf.add(person[rows], d, sidx["INPATIENT_DAY"], prov[rows], oa[rows], ep[rows])
    post = start + rng.integers(60, 95, len(sub))
    ok = post < np.minimum(death[person], days)
    if "SPEC_OUTPATIENT" in sidx:
        buf.add(person[ok], post[ok], sidx["SPEC_OUTPATIENT"], prov[ok], oa[ok], ep[ok])
    # Physiotherapy after the operation at a rehabilitation provider (not the episode's).
    if "REHAB_VISIT" in sidx and plan.service_weights.get("REHAB_VISIT", np.zeros(1)).sum() > 0:
        rprov = _choose(rng, plan.service_weights["REHAB_VISIT"], len(sub))
        idx, d = _poisson_in(rng, np.arange(len(sub)), np.full(len(sub), 30.0), start + 10,
                             np.minimum(start + 90, np.minimum(death[person], days)))
        same = rprov[idx] == prov[idx]
        buf.add(person[idx], d, sidx["REHAB_VISIT"], rprov[idx], oa[idx],
                np.where(same, ep[idx], -1))


def tag_home_care(ev: dict[str, np.ndarray], eps: pd.DataFrame, service_idx: int) -> None:
    """Give home care visits inside a HOME_CARE episode at the same provider its episode."""
    hc = eps[eps["package_code"] == "HOME_CARE"]
    if hc.empty:
        return
    n = int(max(ev["person"].max(initial=0), hc["person"].max()) + 1)
    ep_of = np.full(n, -1)
    start = np.zeros(n, np.int64)
    end = np.zeros(n, np.int64)
    prov = np.full(n, -1)
    ep_of[hc["person"]] = hc["episode"]
    start[hc["person"]] = hc["start_day"]
    end[hc["person"]] = np.where(hc["end_day"] >= 0, hc["end_day"], 10**9)
    prov[hc["person"]] = hc["provider"]
    p = ev["person"]
    sel = ((ev["service"] == service_idx) & (ep_of[p] >= 0) & (ev["day"] >= start[p])
           & (ev["day"] <= end[p]) & (ev["provider"] == prov[p]))
    ev["episode"] = np.where(sel, ep_of[p], ev["episode"])


# --------------------------------------------------------------------------- PROMs


def admissions(events: dict[str, np.ndarray] | None, services: list[str], codes: list[str],
               rule: RestartRule) -> pd.DataFrame:
    """Restarting admissions per person: first days of runs of qualifying events.

    A qualifying event has one of the rule's service codes and, if the rule names ICD-10
    prefixes, a diagnosis starting with one (dots ignored); an event closer than
    `min_days_between` days to the person's previous qualifying event continues the same
    admission (the marts' int_episode_restarts_detected).
    """
    if events is None or len(events.get("person", ())) == 0:
        return pd.DataFrame({"person": pd.Series(dtype="int64"), "day": pd.Series(dtype="int64")})
    want = np.isin(np.asarray(services, dtype=object)[events["service"]],
                   np.asarray(rule.service_codes, dtype=object))
    if rule.icd10_prefixes:
        table = np.array([c.replace(".", "") for c in codes] + [""], dtype=object)
        diag = table[np.where(events["diag"] >= 0, events["diag"], len(codes))]
        hit = np.zeros(len(diag), dtype=bool)
        for prefix in rule.icd10_prefixes:
            hit |= pd.Series(diag).str.startswith(prefix).to_numpy()
        want &= hit
    ev = pd.DataFrame({"person": events["person"][want], "day": events["day"][want]})
    ev = ev.drop_duplicates().sort_values(["person", "day"], kind="stable")
    gap = ev["day"] - ev.groupby("person")["day"].shift(1)
    return ev[gap.isna() | (gap >= rule.min_days_between)].reset_index(drop=True)


def schedule_units(sub: pd.DataFrame, ob: Obligation, adm: pd.DataFrame | None,
                   days: int) -> pd.DataFrame:
    """The collection windows due for episodes `sub` (rows 0..len-1) under obligation `ob`.

    Cycle 0 is anchored on the episode start, cycle n on its n-th restarting admission
    (during the episode, at least min_days_between days after its start). A timepoint of
    a cycle is due if its target day comes before the next restart, a while_open one only
    if the episode had not ended when its window opened (the marts' rules).
    """
    k = len(sub)
    start = sub["start_day"].to_numpy()
    end = sub["end_day"].to_numpy()
    anchors = pd.DataFrame({"row": np.arange(k), "anchor": start})
    if ob.restart is not None and adm is not None and len(adm):
        ep = pd.DataFrame({"row": np.arange(k), "person": sub["person"].to_numpy(),
                           "start": start, "stop": np.where(end >= 0, end, days - 1)})
        r = ep.merge(adm, on="person")
        r = r[(r["day"] >= r["start"] + ob.restart.min_days_between) & (r["day"] <= r["stop"])]
        anchors = pd.concat([anchors, r[["row", "day"]].rename(columns={"day": "anchor"})],
                            ignore_index=True)
    anchors = anchors.sort_values(["row", "anchor"], kind="stable").reset_index(drop=True)
    anchors["cycle"] = anchors.groupby("row").cumcount()
    anchors["next"] = anchors.groupby("row")["anchor"].shift(-1).fillna(np.inf)
    parts = []
    for order, tp in enumerate(ob.schedule()):
        a = anchors
        due = (a["anchor"] + tp.at_days < a["next"]).to_numpy().copy()
        if tp.while_open:
            e = end[a["row"].to_numpy()]
            due &= (e < 0) | (e >= a["anchor"].to_numpy() + tp.from_days)
        parts.append(a[due].assign(timepoint=tp.name, order=order, at=tp.at_days,
                                   lo=tp.from_days, hi=tp.to_days,
                                   baseline=tp.is_baseline))
    units = pd.concat(parts, ignore_index=True)
    return units.sort_values(["row", "cycle", "order"], kind="stable").reset_index(drop=True)


def make_proms(rng: np.random.Generator, pop: pd.DataFrame, states: pd.DataFrame,
               eps: pd.DataFrame, plan: ProviderPlan, defs: RegionDefinitions,
               cal: Calendar, events: dict[str, np.ndarray] | None = None,
               services: list[str] | None = None, codes: list[str] | None = None,
               schedule_rng: np.random.Generator | None = None) -> pd.DataFrame:
    """PROM responses at every timepoint of the obligation binding the episode's provider.

    Each episode's provider has a collection probability for baselines and one for
    follow-ups; each due window (`schedule_units`, with restarts from `events`) is
    collected with it on a uniform day of the window, if the client is still alive.
    Responses carry baseline health at baselines and follow-up health at follow-ups. The
    first baseline and the paired follow-up draw from `rng`, every other window from
    `schedule_rng`, so a longer schedule leaves the pairs as they were.
    """
    days = cal.n_days
    death = states["death_day"].to_numpy()
    sectors = np.array([p.sector for p in plan.providers], dtype=object)
    adm_cache: dict[RestartRule, pd.DataFrame] = {}
    out = []
    for pkg, sub in eps.groupby("package_code", sort=True):
        instruments = [i for i in defs.package_instruments.get(pkg, ()) if i in
                       ("EQ5D5L", "PHQ9")]
        if not instruments:
            continue
        model = PROM_MODELS.get(pkg, GENERIC_PROM)
        k = len(sub)
        person = sub["person"].to_numpy()
        prov = sub["provider"].to_numpy()
        start = sub["start_day"].to_numpy()
        last = np.minimum(death[person], days) - 1  # last day a response can be given
        # The obligation of each episode's provider (its sector's entry, else the package's).
        obs = [defs.obligation(pkg, sec) for sec in sectors[prov]]
        entries = list(dict.fromkeys(obs))
        entry = np.array([entries.index(o) for o in obs])
        # Baseline and the paired follow-up of the first schedule: collected with the
        # provider's compliance, uniform in the window.
        b_lo = np.array([entries[e].schedule()[0].from_days for e in entry], dtype=np.int64)
        b_hi = np.array([entries[e].schedule()[0].to_days for e in entry], dtype=np.int64)
        pair = [entries[e].pair_followup() for e in entry]
        f_at = np.array([p.at_days if p else 182 for p in pair], dtype=np.int64)
        f_tol = np.array([(p.to_days - p.from_days) // 2 if p else 30 for p in pair],
                         dtype=np.int64)
        lo = np.maximum(b_lo, -start)
        hi = b_hi
        bday = start + lo + np.floor(rng.random(k) * (hi - lo + 1)).astype(np.int64)
        has_b = (rng.random(k) < plan.baseline_p[prov]) & (lo <= hi) & (bday <= last)
        if k == 0 or (f_tol == f_tol[0]).all():
            tol = int(f_tol[0]) if k else 0
            fday = start + f_at + rng.integers(-tol, tol + 1, k)
        else:
            fday = start + f_at + rng.integers(-f_tol, f_tol + 1)
        has_f = (rng.random(k) < plan.followup_p[prov]) & (fday <= last)
        # Health: latent severity per EQ-5D dimension; improvement at follow-up.
        row = pop.iloc[person]
        age = row["age"].to_numpy().astype(float)
        nc = row["n_conditions"].to_numpy()
        u = rng.normal(0, 0.45, k)
        adj = np.stack([0.015 * np.clip(age - 50, 0, None), 0.008 * np.clip(age - 60, 0, None),
                        0.01 * np.clip(age - 50, 0, None), np.zeros(k),
                        np.zeros(k)], axis=1) + 0.12 * (nc[:, None] - 1)
        xb = np.array(model.eq_base) + adj + u[:, None] + rng.normal(0, 0.55, (k, 5))
        gain = (model.eq_gain + plan.eq_effect[prov])[:, None] * np.array(model.eq_weights)
        xf = xb - gain + rng.normal(0, 0.35, (k, 5))
        lb = 1 + np.clip(np.floor(xb), 0, 4).astype(np.int64)
        lf = 1 + np.clip(np.floor(xf), 0, 4).astype(np.int64)
        vb = np.clip(np.round(100 * (0.25 + 0.65 * eq5d_index(lb)) + rng.normal(0, 8, k)), 0, 100)
        vf = np.clip(np.round(100 * (0.25 + 0.65 * eq5d_index(lf)) + rng.normal(0, 8, k)), 0, 100)
        anx = row["anxiety"].to_numpy().astype(float)
        tb = np.clip(model.phq_base + 1.5 * anx + 4 * u + rng.normal(0, 3.2, k), 0, 27)
        tf = np.clip(tb - (model.phq_fall + plan.phq_effect[prov]) + rng.normal(0, 2.5, k), 0, 27)
        pb = np.clip(tb[:, None] / 27 * PHQ_ITEM_WEIGHTS, 0, 1)
        pf = np.clip(tf[:, None] / 27 * PHQ_ITEM_WEIGHTS, 0, 1)
        ib = rng.binomial(3, pb)
        i_f = rng.binomial(3, pf)
        # Every window due under the schedule: the two drawn above, then the others.
        parts = []
        for e, ob in enumerate(entries):
            rows = np.flatnonzero(entry == e)
            adm = None
            if ob.restart is not None:
                if ob.restart not in adm_cache:
                    adm_cache[ob.restart] = admissions(events, services or [], codes or [],
                                                       ob.restart)
                adm = adm_cache[ob.restart]
            units = schedule_units(sub.iloc[rows], ob, adm, days)
            units["row"] = rows[units["row"].to_numpy()]
            parts.append(units)
        units = pd.concat(parts, ignore_index=True).sort_values(
            ["row", "cycle", "order"], kind="stable").reset_index(drop=True)
        r = units["row"].to_numpy()
        first = (units["cycle"] == 0).to_numpy()
        is_b = units["baseline"].to_numpy(dtype=bool)
        is_pair = first & ~is_b & (units["at"].to_numpy() == f_at[r])
        n = len(units)
        anchor = units["anchor"].to_numpy().astype(np.int64)
        ulo = np.maximum(anchor + units["lo"].to_numpy(), 0)
        uhi = anchor + units["hi"].to_numpy()
        extra = schedule_rng if schedule_rng is not None else rng
        uday = ulo + np.floor(extra.random(n) * np.maximum(uhi - ulo + 1, 0)).astype(np.int64)
        p_col = np.where(is_b, plan.baseline_p[prov[r]], plan.followup_p[prov[r]])
        has = (extra.random(n) < p_col) & (ulo <= uhi) & (uday <= last[r])
        day = np.where(first & is_b, bday[r], np.where(is_pair, fday[r], uday))
        has = np.where(first & is_b, has_b[r], np.where(is_pair, has_f[r], has))
        sel = np.flatnonzero(has)
        rs, base_sel = r[sel], is_b[sel]
        for inst in instruments:
            items = np.full((len(sel), 12), np.nan)
            if inst == "EQ5D5L":
                items[:, :5] = np.where(base_sel[:, None], lb[rs], lf[rs])
                items[:, 5] = np.where(base_sel, vb[rs], vf[rs])
            else:
                items[:, :9] = np.where(base_sel[:, None], ib[rs], i_f[rs])
            out.append(pd.DataFrame({
                "episode": sub["episode"].to_numpy()[rs], "person": person[rs],
                "provider": prov[rs], "package_code": pkg, "instrument": inst,
                "timepoint": units["timepoint"].to_numpy()[sel], "day": day[sel],
                "start_day": start[rs], "cycle": units["cycle"].to_numpy()[sel],
                **{f"q{i + 1}": items[:, i] for i in range(12)}}))
    if not out:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in (
            ("episode", "int64"), ("person", "int64"), ("provider", "int64"),
            ("package_code", object), ("instrument", object), ("timepoint", object),
            ("day", "int64"), ("start_day", "int64"), ("cycle", "int64"),
            *((f"q{i}", "float64") for i in range(1, 13)))})
    proms = pd.concat(out, ignore_index=True)
    # A few percent of responses miss one item.
    n_items = np.where(proms["instrument"].to_numpy() == "EQ5D5L", 6, 9)
    miss = rng.random(len(proms)) < 0.03
    which = np.floor(rng.random(len(proms)) * n_items).astype(np.int64)
    for i in range(9):
        col = f"q{i + 1}"
        vals = proms[col].to_numpy().copy()
        vals[miss & (which == i)] = np.nan
        proms[col] = vals
    return proms


# --------------------------------------------------------------------------- record IDs


def _format_ids(rng: np.random.Generator, style: tuple, seq: np.ndarray,
                years: np.ndarray) -> np.ndarray:
    """Record IDs in a provider's own style for sequence numbers `seq` (1-based)."""
    kind = style[0]
    s = pd.Series(seq, dtype="int64")
    if kind == "prefix":
        return (style[1] + s.astype(str).str.zfill(style[2])).to_numpy(dtype=object)
    if kind == "numeric":
        return (s + style[1]).astype(str).to_numpy(dtype=object)
    if kind == "zeros":
        return s.astype(str).str.zfill(style[1]).to_numpy(dtype=object)
    if kind == "year":
        y = pd.Series(years, dtype="int64").astype(str)
        return (style[1] + y + "-" + s.astype(str).str.zfill(style[2])).to_numpy(dtype=object)
    if kind == "hex":
        return (style[1] + pd.Series(seq * 7919 + 0x1A2B3C, dtype="int64").map(
            lambda v: f"{v:08X}")).to_numpy(dtype=object)
    if kind == "uuid":
        raw = rng.bytes(16 * len(seq)).hex()
        return np.array([f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) % 4]}{h[17:20]}-"
                         f"{h[20:32]}" for h in (raw[i * 32:(i + 1) * 32]
                                                 for i in range(len(seq)))], dtype=object)
    raise ValueError(f"unknown ID style {kind}")


def _assign_ids(rng: np.random.Generator, provider: np.ndarray, years: np.ndarray,
                plan: ProviderPlan, entity: str) -> np.ndarray:
    """IDs per provider, numbered in the given row order."""
    out = np.empty(len(provider), dtype=object)
    for i in range(len(plan.providers)):
        sel = np.flatnonzero(provider == i)
        if len(sel):
            out[sel] = _format_ids(rng, plan.id_styles[i][entity], np.arange(1, len(sel) + 1),
                                   years[sel])
    return out


# --------------------------------------------------------------------------- the region


@dataclass
class Region:
    """Everything generated: frames to write (contract columns + provider_id, month) and truth.

    `events`, `episodes` and `proms` hold the contract columns in order, then `provider_id`,
    `month` (the submission folder) and `source_row` (1-based row in that file), then
    internal columns (`person`, `day`, ...). `residents` is the population (with HETUs).
    """

    calendar: Calendar
    residents: pd.DataFrame
    events: pd.DataFrame
    episodes: pd.DataFrame
    proms: pd.DataFrame
    defects: list[dict[str, Any]]
    truth: dict[str, Any]
    plan: ProviderPlan


def build_region(defs: RegionDefinitions, *, seed: int = 42, residents: int = 50_000,
                 months: int = 24, start_month: str = "2024-01") -> Region:
    """Generate the whole region deterministically from `seed` and the sizes."""
    if residents < 100:
        raise ValueError("residents must be at least 100")
    cal = make_calendar(start_month, months)
    ss = np.random.SeedSequence(seed)
    names = ("population", "providers", "states", "background", "episodes", "visits", "proms",
             "costs", "ids", "late", "defects", "schedules")
    rngs = {k: np.random.default_rng(s) for k, s in zip(names, ss.spawn(len(names)),
                                                         strict=True)}
    services = list(defs.service_domains)
    pop = make_population(rngs["population"], residents, cal)
    plan = plan_providers(rngs["providers"], defs)
    hw = plan.service_weights.get("HOUSING_DAY", np.zeros(len(defs.providers)))
    cw = plan.service_weights.get("HOME_CARE_VISIT", np.zeros(len(defs.providers)))
    all_p = np.arange(len(defs.providers))
    mw = np.array([r in ("social", "mental_health_third") for r in plan.roles], dtype=float)
    states = make_states(rngs["states"], pop, cal, all_p, hw if hw.sum() else np.ones_like(hw),
                         all_p, cw if cw.sum() else np.ones_like(cw),
                         all_p, mw if mw.sum() else np.ones_like(mw))
    coder = _Coder(pop)
    buf = EventBuffer()
    background_events(rngs["background"], pop, states, plan, services, coder, cal, buf)
    eps = make_episodes(rngs["episodes"], pop, states, plan, defs, cal)
    episode_events(rngs["visits"], pop, states, eps, plan, services, coder, cal, buf)
    ev = buf.frame()
    keep = ev["day"] < np.minimum(states["death_day"].to_numpy()[ev["person"]], cal.n_days)
    ev = {k: v[keep] for k, v in ev.items()}
    if "HOME_CARE_VISIT" in services:
        tag_home_care(ev, eps, services.index("HOME_CARE_VISIT"))
    proms = make_proms(rngs["proms"], pop, states, eps, plan, defs, cal, events=ev,
                       services=services, codes=coder.table, schedule_rng=rngs["schedules"])

    events = _finish_events(rngs, ev, pop, plan, services, coder, cal)
    episodes, ep_ids = _finish_episodes(rngs["ids"], eps, pop, plan, cal)
    lookup = np.append(ep_ids, None)  # -1 (no episode) -> None
    events["episode_id"] = lookup[np.where(events["episode"] >= 0, events["episode"], -1)]
    events = events[EVENT_COLUMNS + [c for c in events.columns if c not in EVENT_COLUMNS]]
    prom_frame = _finish_proms(rngs["ids"], proms, pop, plan, cal, ep_ids)
    clean = {"events": events.copy(), "episodes": episodes, "proms": prom_frame.copy()}
    defects = plant_defects(rngs["defects"], events, prom_frame, plan, defs)
    truth = planted_truth(defs, plan, cal, pop, states, clean, defects,
                          seed=seed, residents=residents)
    return Region(cal, pop, events, episodes, prom_frame, defects, truth, plan)


def _costs(rng: np.random.Generator, service: np.ndarray, provider: np.ndarray,
           services: list[str], plan: ProviderPlan) -> np.ndarray:
    med = np.array([UNIT_COSTS.get(s, (100, 0.1, 0, 1e6))[0] for s in services])
    sd = np.array([UNIT_COSTS.get(s, (100, 0.1, 0, 1e6))[1] for s in services])
    lo = np.array([UNIT_COSTS.get(s, (100, 0.1, 0, 1e6))[2] for s in services])
    hi = np.array([UNIT_COSTS.get(s, (100, 0.1, 0, 1e6))[3] for s in services])
    c = med[service] * plan.price[provider] * np.exp(sd[service] * rng.standard_normal(
        len(service)))
    return np.round(np.clip(c, lo[service], hi[service]), 2)


def _finish_events(rngs, ev, pop, plan, services, coder, cal) -> pd.DataFrame:
    cost = ev["cost"].copy()
    need = np.isnan(cost)
    cost[need] = _costs(rngs["costs"], ev["service"][need], ev["provider"][need], services, plan)
    month = cal.month_of(ev["day"])
    late = (rngs["late"].random(len(month)) < plan.late_share[ev["provider"]]) & (
        month < cal.months - 1)
    sub_month = month + late
    order = np.lexsort((ev["service"], ev["person"], ev["day"], sub_month, ev["provider"]))
    ev = {k: v[order] for k, v in ev.items()}
    cost, sub_month = cost[order], sub_month[order]
    years = cal.dates(ev["day"]).astype("datetime64[Y]").astype(np.int64) + 1970
    ids = _assign_ids(rngs["ids"], ev["provider"], years, plan, "event")
    codes = np.array(coder.table + [""], dtype=object)
    nodot = np.array([c.replace(".", "") for c in coder.table] + [""], dtype=object)
    dg = np.where(ev["diag"] >= 0, ev["diag"], len(coder.table))
    diag = np.where(plan.diag_nodot[ev["provider"]], nodot[dg], codes[dg])
    pids = np.array([p.provider_id for p in plan.providers], dtype=object)
    frame = pd.DataFrame({
        "event_id": ids,
        "hetu": pop["hetu"].to_numpy()[ev["person"]],
        "event_date": cal.dates(ev["day"]),
        "service_code": np.array(services, dtype=object)[ev["service"]],
        "diagnosis": np.where(diag == "", None, diag),
        "cost_eur": cost,
        "provider_id": pids[ev["provider"]],
        "month": np.array(cal.labels, dtype=object)[sub_month],
        "person": ev["person"], "day": ev["day"], "provider": ev["provider"],
        "episode": ev["episode"],
    })
    frame["source_row"] = frame.groupby(["provider_id", "month"], sort=False).cumcount() + 1
    return frame


def _finish_episodes(rng, eps: pd.DataFrame, pop: pd.DataFrame, plan: ProviderPlan,
                     cal: Calendar) -> tuple[pd.DataFrame, np.ndarray]:
    """Episode rows as sent: in the start month, and again in the end month with end_date."""
    years = cal.dates(eps["start_day"].to_numpy()).astype("datetime64[Y]").astype(np.int64)
    ep_ids = _assign_ids(rng, eps["provider"].to_numpy(), years + 1970, plan, "episode")
    start_m = cal.month_of(eps["start_day"].to_numpy())
    end = eps["end_day"].to_numpy()
    end_m = np.where(end >= 0, cal.month_of(np.maximum(end, 0)), -1)
    first = eps.assign(episode_id=ep_ids, sub_month=start_m,
                       end_sent=np.where(end_m == start_m, end, -1))
    again = first[(end_m >= 0) & (end_m != start_m)].copy()
    again["sub_month"] = end_m[(end_m >= 0) & (end_m != start_m)]
    again["end_sent"] = again["end_day"]
    rows = pd.concat([first, again], ignore_index=True)
    rows = rows.sort_values(["provider", "sub_month", "start_day", "episode"], kind="stable")
    pids = np.array([p.provider_id for p in plan.providers], dtype=object)
    end_sent = rows["end_sent"].to_numpy()
    frame = pd.DataFrame({
        "episode_id": rows["episode_id"].to_numpy(),
        "hetu": pop["hetu"].to_numpy()[rows["person"].to_numpy()],
        "package_code": rows["package_code"].to_numpy(),
        "start_date": cal.dates(rows["start_day"].to_numpy()),
        "end_date": pd.Series(cal.dates(np.maximum(end_sent, 0))).where(end_sent >= 0).to_numpy(),
        "provider_id": pids[rows["provider"].to_numpy()],
        "month": np.array(cal.labels, dtype=object)[rows["sub_month"].to_numpy()],
        "person": rows["person"].to_numpy(), "episode": rows["episode"].to_numpy(),
        "provider": rows["provider"].to_numpy(), "start_day": rows["start_day"].to_numpy(),
        "end_day": rows["end_day"].to_numpy(),
    })
    frame["source_row"] = frame.groupby(["provider_id", "month"], sort=False).cumcount() + 1
    return frame.reset_index(drop=True), ep_ids


def _finish_proms(rng, proms: pd.DataFrame, pop: pd.DataFrame, plan: ProviderPlan,
                  cal: Calendar, ep_ids: np.ndarray) -> pd.DataFrame:
    # Sent in the month of the response, but not before the episode's own month.
    sub_month = np.maximum(cal.month_of(proms["day"].to_numpy()),
                           cal.month_of(proms["start_day"].to_numpy()))
    tp_rank = proms["timepoint"].map({"baseline": 0}).fillna(1).to_numpy()
    inst_rank = (proms["instrument"] != "EQ5D5L").to_numpy().astype(int)
    order = np.lexsort((inst_rank, tp_rank, proms["episode"].to_numpy(),
                        proms["day"].to_numpy(), sub_month, proms["provider"].to_numpy()))
    proms = proms.iloc[order].reset_index(drop=True)
    sub_month = sub_month[order]
    years = cal.dates(proms["day"].to_numpy()).astype("datetime64[Y]").astype(np.int64) + 1970
    ids = _assign_ids(rng, proms["provider"].to_numpy(), years, plan, "response")
    pids = np.array([p.provider_id for p in plan.providers], dtype=object)
    frame = pd.DataFrame({
        "response_id": ids,
        "episode_id": ep_ids[proms["episode"].to_numpy()],
        "hetu": pop["hetu"].to_numpy()[proms["person"].to_numpy()],
        "instrument": proms["instrument"].to_numpy(),
        "timepoint": proms["timepoint"].to_numpy(),
        "response_date": cal.dates(proms["day"].to_numpy()),
    })
    for i in range(1, 13):
        frame[f"q{i}"] = pd.array(proms[f"q{i}"].to_numpy(), dtype="Int64")
    frame["provider_id"] = pids[proms["provider"].to_numpy()]
    frame["month"] = np.array(cal.labels, dtype=object)[sub_month]
    for c in ("person", "episode", "provider", "package_code", "day", "start_day", "cycle"):
        frame[c] = proms[c].to_numpy()
    frame["source_row"] = frame.groupby(["provider_id", "month"], sort=False).cumcount() + 1
    return frame


# --------------------------------------------------------------------------- defects


def _wrong_check(code: str) -> str:
    right = code[-1]
    chars = hetu_codes.CHECK_CHARS
    return code[:-1] + chars[(chars.index(right) + 7) % len(chars)]


def plant_defects(rng: np.random.Generator, events: pd.DataFrame, proms: pd.DataFrame,
                  plan: ProviderPlan, defs: RegionDefinitions) -> list[dict[str, Any]]:
    """Plant a handful of row-level defects in three providers (mutates the frames)."""
    ids = [p.provider_id for p in plan.providers]
    fmt = {p.provider_id: p.submission_format for p in plan.providers}
    names = {p.provider_id: p.name for p in plan.providers}

    def ext(pid: str) -> str:
        return "parquet" if fmt[pid] == "parquet" else "csv"

    unknown_code = "LAB_TEST"
    while unknown_code in defs.service_domains:
        unknown_code += "_X"
    # (provider, entity, kind, how many)
    wanted = [
        ("2358253-3", "events", "unknown_service_code", 3),
        ("2358253-3", "events", "invalid_hetu", 2),
        ("2358253-3", "proms", "phq9_item_out_of_range", 1),
        ("3247652-1", "events", "invalid_hetu", 2),
        ("3247652-1", "events", "duplicate_event_id", 1),
        ("2533810-4", "events", "negative_cost", 3),
    ]
    # Fall back to other providers if the register differs from the demo's.
    fallback = [p for p in ids if p not in (UNDER_COLLECTING_PROVIDER, WORSE_PROVIDER,
                                            BETTER_PROVIDER)]
    used: set[tuple[str, int]] = set()
    defects: list[dict[str, Any]] = []
    for pid, entity, kind, count in wanted:
        if pid not in ids:
            pid = fallback[len(defects) % len(fallback)]
        frame = events if entity == "events" else proms
        cand = frame.index[frame["provider_id"].to_numpy() == pid].to_numpy()
        if entity == "proms":
            cand = cand[(frame.loc[cand, "instrument"] == "PHQ9").to_numpy()
                        & frame.loc[cand, "q1"].notna().to_numpy()]
        if kind == "duplicate_event_id":
            cand = cand[frame.loc[cand, "source_row"].to_numpy() > 1]
        cand = np.array([c for c in cand if (entity, c) not in used and not (
            kind == "duplicate_event_id" and (entity, c - 1) in used)])
        if len(cand) == 0:
            continue
        picks = np.sort(rng.choice(cand, size=min(count, len(cand)), replace=False))
        for r in picks:
            used.add((entity, int(r)))
            row = frame.loc[r]
            rec_col = "event_id" if entity == "events" else "response_id"
            d = {"provider_id": pid, "provider_name": names[pid], "month": row["month"],
                 "file": f"{entity}.{ext(pid)}", "entity": entity,
                 "record_id": row[rec_col], "source_row": int(row["source_row"]), "kind": kind}
            if kind == "invalid_hetu":
                frame.loc[r, "hetu"] = _wrong_check(row["hetu"])
                d.update(column="hetu", rule="hetu_valid",
                         sentence=f"Row {d['source_row']} ({d['record_id']}) has a personal "
                                  "identity code whose check character does not match.")
            elif kind == "unknown_service_code":
                frame.loc[r, "service_code"] = unknown_code
                d.update(column="service_code", rule="service_code_known", value=unknown_code,
                         sentence=f"Row {d['source_row']} ({d['record_id']}) has service code "
                                  f"{unknown_code}, which is not in the commissioner's list.")
            elif kind == "negative_cost":
                val = -float(row["cost_eur"])
                frame.loc[r, "cost_eur"] = val
                d.update(column="cost_eur", rule="cost_in_range", value=val,
                         sentence=f"Row {d['source_row']} ({d['record_id']}) has a negative "
                                  f"cost ({val:.2f} €), like a credit note sent as an event.")
            elif kind == "phq9_item_out_of_range":
                frame.loc[r, "q3"] = 4
                d.update(column="q3", rule="item_in_range", value=4,
                         sentence=f"Row {d['source_row']} ({d['record_id']}) has PHQ-9 item "
                                  "q3 = 4; PHQ-9 items range 0-3.")
            elif kind == "duplicate_event_id":
                same = frame[(frame["provider_id"] == pid) & (frame["month"] == row["month"])
                             & (frame["source_row"] == row["source_row"] - 1)]
                first = same.index[0]
                used.add((entity, int(first)))
                dup_id = frame.loc[first, "event_id"]
                frame.loc[r, "event_id"] = dup_id
                d.update(record_id=dup_id, column="event_id", rule="event_id_unique",
                         rows=[int(row["source_row"]) - 1, int(row["source_row"])],
                         overwritten_record_id=row["event_id"],
                         sentence=f"Rows {int(row['source_row']) - 1} and "
                                  f"{int(row['source_row'])} share event_id {dup_id}; "
                                  "event IDs must be unique within the provider.")
            defects.append(d)
    defects.sort(key=lambda d: (d["provider_id"], d["month"], d["file"], d["source_row"]))
    return defects


# --------------------------------------------------------------------------- truth


def prom_pairs(proms: pd.DataFrame, episodes: pd.DataFrame,
               obligations: dict[str, Obligation]) -> pd.DataFrame:
    """Scored baseline / 6-month pairs per episode and instrument (the marts' definition).

    `proms` needs response_id, episode_id, provider_id, instrument, timepoint,
    response_date, q1..q9; `episodes` needs episode_id, provider_id, package_code and
    start_date (one row per episode; later rows win).
    """
    ep = episodes.drop_duplicates(["provider_id", "episode_id"], keep="last")
    cols = ["provider_id", "episode_id", "instrument", "timepoint", "response_date"] + [
        f"q{i}" for i in range(1, 10)]
    df = proms[cols].merge(ep[["provider_id", "episode_id", "package_code", "start_date"]],
                     on=["provider_id", "episode_id"], how="inner")
    rel = (pd.to_datetime(df["response_date"]) - pd.to_datetime(df["start_date"])).dt.days
    df = df.assign(rel=rel.to_numpy())
    eq = df["instrument"] == "EQ5D5L"
    qs = df[[f"q{i}" for i in range(1, 10)]].astype("Float64").to_numpy(dtype=float,
                                                                        na_value=np.nan)
    score = np.where(eq, eq5d_index(qs[:, :5]), phq9_score(qs[:, :9]))
    df = df.assign(score=score)
    frames = []
    for pkg, sub in df.groupby("package_code", sort=True):
        ob = obligations.get(pkg, Obligation())
        pf = ob.pair_followup()
        if pf is None:
            continue
        tp, at = pf.name, pf.at_days
        b = sub[(sub["timepoint"] == "baseline") & sub["rel"].between(ob.baseline_from,
                                                                      ob.baseline_to)]
        f = sub[(sub["timepoint"] == tp) & sub["rel"].between(pf.from_days, pf.to_days)]
        b = b.assign(dist=b["rel"].abs()).sort_values("dist", kind="stable")
        f = f.assign(dist=(f["rel"] - at).abs()).sort_values("dist", kind="stable")
        key = ["provider_id", "episode_id", "instrument"]
        b = b.drop_duplicates(key)[key + ["score"]].rename(columns={"score": "baseline"})
        f = f.drop_duplicates(key)[key + ["score", "response_date"]].rename(
            columns={"score": "followup", "response_date": "followup_date"})
        pr = b.merge(f, on=key).dropna(subset=["baseline", "followup"])
        frames.append(pr.assign(package_code=pkg))
    if not frames:
        return pd.DataFrame(columns=["provider_id", "episode_id", "instrument", "baseline",
                                     "followup", "followup_date", "package_code", "change"])
    pairs = pd.concat(frames, ignore_index=True)
    return pairs.assign(change=pairs["followup"] - pairs["baseline"])


def compliance(proms: pd.DataFrame, episodes: pd.DataFrame,
               obligations: dict[str, Obligation], package_instruments: dict[str, tuple],
               period_end: dt.date) -> pd.DataFrame:
    """Collection rates per provider, package, instrument and timepoint over all episodes
    whose collection window closed by `period_end` (whole horizon), for the schedule
    anchored on the episode start (the `all` entry of each package; restarted schedules
    and sector-specific entries are not applied here: the marts apply both)."""
    ep = episodes.drop_duplicates(["provider_id", "episode_id"], keep="last")
    ep = ep[["provider_id", "episode_id", "package_code"]].assign(
        start=pd.to_datetime(ep["start_date"]))
    pr = proms[["provider_id", "episode_id", "instrument", "timepoint", "response_date"]]
    pr = pr.merge(ep, on=["provider_id", "episode_id"])
    rel = (pd.to_datetime(pr["response_date"]) - pr["start"]).dt.days
    pr = pr.assign(rel=rel.to_numpy())
    end = pd.Timestamp(period_end)
    rows = []
    for pkg, eps in ep.groupby("package_code", sort=True):
        ob = obligations.get(pkg, Obligation())
        windows = [(t.name, t.from_days, t.to_days) for t in ob.schedule()]
        for tp, lo, hi in windows:
            closed = eps[eps["start"] + pd.Timedelta(days=hi) <= end]
            for inst in package_instruments.get(pkg, ()):
                got = pr[(pr["package_code"] == pkg) & (pr["timepoint"] == tp)
                         & (pr["instrument"] == inst) & pr["rel"].between(lo, hi)]
                got = got.drop_duplicates(["provider_id", "episode_id"])
                flag = closed.merge(got[["provider_id", "episode_id"]].assign(hit=1),
                                    on=["provider_id", "episode_id"], how="left")
                agg = flag.groupby("provider_id", sort=True)["hit"].agg(["size", "count"])
                for pid, r in agg.iterrows():
                    rows.append({"provider_id": pid, "package_code": pkg, "instrument": inst,
                                 "timepoint": tp, "eligible": int(r["size"]),
                                 "collected": int(r["count"])})
    out = pd.DataFrame(rows, columns=["provider_id", "package_code", "instrument", "timepoint",
                                      "eligible", "collected"])
    return out.assign(rate=out["collected"] / out["eligible"])


def cost_concentration(events: pd.DataFrame, first: str, last: str, top: float = 0.1) -> float:
    """Share of costs of the top `top` share of clients (by HETU) in months first..last."""
    d = pd.to_datetime(events["event_date"])
    lo = pd.Timestamp(first + "-01")
    hi = pd.Timestamp(last + "-01") + pd.offsets.MonthEnd(0)
    per = events.loc[(d >= lo) & (d <= hi)].groupby("hetu")["cost_eur"].sum()
    per = per[per > 0].sort_values(ascending=False)
    k = max(1, int(round(len(per) * top)))
    return float(per.iloc[:k].sum() / per.sum())


def _r(x: float, k: int = 3) -> float | None:
    return None if x is None or not np.isfinite(x) else round(float(x), k)


def planted_truth(defs: RegionDefinitions, plan: ProviderPlan, cal: Calendar,
                  pop: pd.DataFrame, states: pd.DataFrame, clean: dict[str, pd.DataFrame],
                  defects: list[dict[str, Any]], *, seed: int, residents: int) -> dict:
    """What was planted, with realised statistics computed from the clean frames."""
    ev, eps, proms = clean["events"], clean["episodes"], clean["proms"]
    period_end = (cal.month_starts[-1] - np.timedelta64(1, "D")).astype(object)
    pairs = prom_pairs(proms, eps, defs.obligations)
    comp = compliance(proms, eps, defs.obligations, defs.package_instruments, period_end)
    labels = cal.labels
    window = (labels[-12] if len(labels) >= 12 else labels[0], labels[-1])
    age = pop["age"].to_numpy()

    planted_outcomes = {WORSE_PROVIDER, BETTER_PROVIDER}

    def outcome(pid: str, pkg: str, inst: str) -> dict[str, Any]:
        sub = pairs[(pairs["package_code"] == pkg) & (pairs["instrument"] == inst)]
        own = sub[sub["provider_id"] == pid]
        peer = sub[sub["provider_id"] != pid]
        typical = peer[~peer["provider_id"].isin(planted_outcomes)]
        return {"pairs": len(own), "change_mean": _r(own["change"].mean()),
                "baseline_mean": _r(own["baseline"].mean()),
                "peer_pairs": len(peer), "peer_change_mean": _r(peer["change"].mean()),
                "unplanted_peer_pairs": len(typical),
                "unplanted_peer_change_mean": _r(typical["change"].mean())}

    providers = []
    for i, p in enumerate(plan.providers):
        pkgs = [k for k, w in plan.package_weights.items() if w[i] > 0]
        if "HOME_CARE" in defs.package_instruments and ROLES[plan.roles[i]].packages.get(
                "HOME_CARE"):
            pkgs = sorted(set(pkgs) | {"HOME_CARE"})
        real: dict[str, Any] = {}
        for pkg in pkgs:
            c = comp[(comp["provider_id"] == p.provider_id) & (comp["package_code"] == pkg)]
            insts = defs.package_instruments.get(pkg, ())
            real[pkg] = {
                "episodes": int(eps.loc[(eps["provider_id"] == p.provider_id)
                                        & (eps["package_code"] == pkg), "episode_id"].nunique()),
                "collection": {f"{r.instrument}/{r.timepoint}": {
                    "eligible": int(r.eligible), "collected": int(r.collected),
                    "rate": _r(r.rate)} for r in c.itertuples()},
                "outcomes": {inst: outcome(p.provider_id, pkg, inst) for inst in insts},
            }
        providers.append({
            "provider_id": p.provider_id, "name": p.name, "sector": p.sector,
            "submission_format": p.submission_format, "role": ROLES[plan.roles[i]].label,
            "services": plan.offers(i), "packages": pkgs,
            "id_style": {k: v[0] for k, v in plan.id_styles[i].items()},
            "price_level": _r(plan.price[i]),
            "baseline_collection_probability": _r(plan.baseline_p[i]),
            "followup_collection_probability": _r(plan.followup_p[i]),
            "effect": {"eq5d_latent_improvement": _r(plan.eq_effect[i]),
                       "phq9_extra_fall_points": _r(plan.phq_effect[i])},
            "events": int((ev["provider_id"] == p.provider_id).sum()),
            "realised": real})
    by_id = {p["provider_id"]: p for p in providers}

    findings = []
    if UNDER_COLLECTING_PROVIDER in by_id:
        p = by_id[UNDER_COLLECTING_PROVIDER]
        rates = {k: v for pkg in p["realised"].values() for k, v in pkg["collection"].items()}
        b = [v["rate"] for k, v in rates.items() if k.endswith("/baseline")]
        f = [v["rate"] for k, v in rates.items() if not k.endswith("/baseline")]
        findings.append({
            "kind": "prom_under_collection", "provider_id": p["provider_id"],
            "provider_name": p["name"], "packages": p["packages"],
            "baseline_collection_probability": p["baseline_collection_probability"],
            "followup_collection_probability": p["followup_collection_probability"],
            "realised_baseline_rate": min(b) if b else None,
            "realised_followup_rate": min(f) if f else None,
            "sentence": f"{p['name']} collects PROMs from few of its clients: baseline "
                        f"questionnaires from about {p['baseline_collection_probability']:.0%} "
                        f"and 6-month follow-ups from about "
                        f"{p['followup_collection_probability']:.0%} of its episodes, far "
                        "below the obligation (80 % / 60 %) that other providers meet."})
    for pid, kind, word in ((WORSE_PROVIDER, "worse_outcomes", "less"),
                            (BETTER_PROVIDER, "better_outcomes", "more")):
        if pid not in by_id:
            continue
        p = by_id[pid]
        main = "DEPRESSION" if "DEPRESSION" in p["packages"] else p["packages"][0]
        o = p["realised"][main]["outcomes"]
        eq = o.get("EQ5D5L", {})
        phq = o.get("PHQ9", {})
        sent = (f"Clients of {p['name']} improve clearly {word} than clients of other "
                f"providers in the same package ({main}): mean EQ-5D-5L index change "
                f"{eq.get('change_mean')} over {eq.get('pairs')} pairs against "
                f"{eq.get('unplanted_peer_change_mean')} at providers without a planted "
                f"effect ({eq.get('peer_change_mean')} at all other providers)")
        if phq:
            sent += (f"; mean PHQ-9 change {phq.get('change_mean')} over {phq.get('pairs')} "
                     f"pairs against {phq.get('unplanted_peer_change_mean')} "
                     f"({phq.get('peer_change_mean')})")
        findings.append({
            "kind": kind, "provider_id": pid, "provider_name": p["name"],
            "packages": p["packages"], "main_package": main,
            "peers": sorted(q["provider_id"] for q in providers
                            if main in q["packages"] and q["provider_id"] != pid),
            "effect": p["effect"], "realised": o, "sentence": sent + "."})

    conc = {f"top_{int(t * 100)}_share": _r(cost_concentration(ev, window[0], window[1], t))
            for t in (0.01, 0.05, 0.1, 0.2, 0.5)}
    win = pd.to_datetime(ev["event_date"]) >= pd.Timestamp(window[0] + "-01")
    dead = states["death_day"].to_numpy() < cal.n_days
    population = {
        "residents": residents,
        "share_under_15": _r((age < 15).mean()), "share_65_plus": _r((age >= 65).mean()),
        "share_75_plus": _r((age >= 75).mean()),
        "share_female_75_plus": _r((pop.loc[age >= 75, "sex"] == "F").mean()),
        "condition_prevalence": {c.key: _r(pop[c.key].mean(), 4) for c in CONDITIONS},
        "mean_conditions_by_age": {
            f"{lo}-{hi}": _r(pop.loc[(age >= lo) & (age <= hi), "n_conditions"].mean(), 2)
            for lo, hi in ((0, 14), (15, 44), (45, 64), (65, 74), (75, 84), (85, 120))},
        "in_housing_at_start": int((states["house_start"] == 0).sum()),
        "in_home_care_at_start": int((states["home_start"] == 0).sum()),
        "deaths": int(dead.sum()),
    }
    return {
        "about": "Planted truth of the synthetic demo region. Beside the raw submissions, "
                 "never read by the pipeline: tests compare what Arvo finds with it.",
        "generator": {"seed": seed, "residents": residents, "months": cal.months,
                      "start_month": labels[0], "end_month": labels[-1]},
        "findings": findings,
        "defects": defects,
        "cost_concentration": {"window": list(window),
                               "clients": int(ev.loc[win, "hetu"].nunique()), **conc},
        "population": population,
        "providers": providers,
    }
