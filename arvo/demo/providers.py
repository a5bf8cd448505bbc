"""The region's providers: what each does, its prices, record IDs and PROM behaviour.

Each provider of definitions/providers.yml gets a role from its name (hospital, primary
care, home care, ...), which sets the services and packages it delivers; a price level;
a record-ID style; and PROM collection probabilities and treatment effects per package.
The seed picks which providers carry a planted finding (`arvo.demo.planted`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from arvo.definitions import Definitions, Provider
from arvo.demo.planted import (
    PLANTED_PACKAGE,
    PROVIDER_SPREAD,
    UNDER_COLLECTION,
    UNDER_SHARE,
    Planted,
    plant_roles,
)

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
        {"T2_DIABETES": 0.3, "DEPRESSION": 0.2}, visit_rate=12.0),
    "home_care": Role("home care", {"HOME_CARE_VISIT": 0.6}, {"HOME_CARE": 1.0}),
    "social": Role("public social services", {
        "SOCIAL_WORK": 0.95, "SUBSTANCE_SERVICE": 0.6, "HOUSING_DAY": 0.4},
        {"CASE_MANAGEMENT": 0.45}),
    "mental_health": Role("mental health services", {"MH_VISIT": 0.1},
                          {"DEPRESSION": 0.2}, visit_rate=18.0),
    "mental_health_third": Role("mental health association", {
        "MH_VISIT": 0.1, "SUBSTANCE_SERVICE": 0.4, "SOCIAL_WORK": 0.05, "HOUSING_DAY": 0.0},
        {"DEPRESSION": 0.2, "CASE_MANAGEMENT": 0.25}, visit_rate=20.0),
    "elderly_care": Role("elderly care", {"HOME_CARE_VISIT": 0.2, "HOUSING_DAY": 0.3},
                         {"HOME_CARE": 1.0}),
    "orthopaedics": Role("orthopaedic hospital", {
        "SPEC_OUTPATIENT": 0.05, "SURGERY": 0.0, "INPATIENT_DAY": 0.0}, {"HIP_KNEE": 0.45}),
    "rehab": Role("rehabilitation", {"REHAB_VISIT": 0.35, "MH_VISIT": 0.0},
                  {"DEPRESSION": 0.2}, visit_rate=26.0),
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


@dataclass
class ProviderPlan:
    """Each provider's role, services, packages, price level, ID style and PROM behaviour.

    `eq_effect` and `phq_effect` map a package to each provider's own effect in it (latent
    EQ-5D steps, PHQ-9 points of extra fall); `planted` names the planted roles.
    """

    providers: tuple[Provider, ...]
    roles: list[str]
    price: np.ndarray
    baseline_p: np.ndarray
    followup_p: np.ndarray
    eq_effect: dict[str, np.ndarray]
    phq_effect: dict[str, np.ndarray]
    id_styles: list[dict[str, tuple]]
    diag_nodot: np.ndarray
    late_share: np.ndarray
    service_weights: dict[str, np.ndarray] = field(default_factory=dict)
    package_weights: dict[str, np.ndarray] = field(default_factory=dict)
    planted: Planted | None = None

    @property
    def ids(self) -> np.ndarray:
        """The providers' IDs (object array, indexed by provider number)."""
        return np.array([p.id for p in self.providers], dtype=object)

    def index(self, provider_id: str) -> int:
        for i, p in enumerate(self.providers):
            if p.id == provider_id:
                return i
        raise KeyError(provider_id)

    def offers(self, i: int) -> list[str]:
        """Service types the provider delivers (in background use or in packages)."""
        return [s for s in self.service_weights if s in ROLES[self.roles[i]].services]


def role_of(p: Provider) -> str:
    """Match a provider to a role by the keywords of its name, else by its sector."""
    name = p.name.lower()
    for keys, role in ROLE_KEYWORDS:
        if any(k in name for k in keys):
            if role == "mental_health" and p.sector == "third":
                return "mental_health_third"
            return role
    return SECTOR_FALLBACK.get(p.sector, "primary")


def plan_providers(rng: np.random.Generator, defs: Definitions) -> ProviderPlan:
    """Draw each provider's price level, PROM behaviour and effects; plant the roles."""
    provs = tuple(defs.providers)
    m = len(provs)
    roles = [role_of(p) for p in provs]
    price = rng.uniform(0.93, 1.08, m)
    # Compliant providers collect most questionnaires (paired follow-ups need both).
    base_p = rng.uniform(0.93, 0.97, m)
    fu_p = rng.uniform(0.82, 0.90, m)
    eq_eff = {pkg: rng.normal(0, PROVIDER_SPREAD[0], m) for pkg in defs.package_codes}
    phq_eff = {pkg: rng.normal(0, PROVIDER_SPREAD[1], m) for pkg in defs.package_codes}
    styles = [ID_STYLES[i % len(ID_STYLES)] for i in range(m)]
    diag_nodot = np.array([r in ("hospital", "orthopaedics") for r in roles])
    late = np.array([0.0 if r in ("hospital", "orthopaedics") else 0.02 for r in roles])
    plan = ProviderPlan(provs, roles, price, base_p, fu_p, eq_eff, phq_eff, styles,
                        diag_nodot, late)
    for s in defs.service_codes:
        w = np.array([ROLES[r].services.get(s, -1.0) for r in roles])
        if (w > 0).any():
            plan.service_weights[s] = np.clip(w, 0, None)
        elif (w == 0).any():  # only episode-bound providers offer it
            plan.service_weights[s] = np.zeros(m)
    for pkg in defs.package_codes:
        w = np.array([ROLES[r].packages.get(pkg, 0.0) for r in roles])
        if (w > 0).any():
            plan.package_weights[pkg] = w
    _plant(rng, plan)
    return plan


def _plant(rng: np.random.Generator, plan: ProviderPlan) -> None:
    """Pick the planted roles and set their collection, size and effects in the plan."""
    weights = plan.package_weights.get(PLANTED_PACKAGE)
    if weights is None:
        return
    single = np.array([set(ROLES[r].packages) == {PLANTED_PACKAGE} for r in plan.roles])
    planted = plant_roles(rng, weights, single)
    if planted is None:
        return
    plan.planted = planted
    roles = planted.roles
    i = roles["under_collecting"]
    plan.baseline_p[i], plan.followup_p[i] = UNDER_COLLECTION
    effects = (("better", planted.better), ("worse", planted.worse), ("sicker_clients", (0, 0)))
    for role, (eq, phq) in effects:  # the sicker-clients provider: no effect of its own
        plan.eq_effect[PLANTED_PACKAGE][roles[role]] = eq
        plan.phq_effect[PLANTED_PACKAGE][roles[role]] = phq
    for w in plan.package_weights.values():  # a newly contracted provider: few clients
        w[roles["small"]] *= planted.small_share
        w[roles["under_collecting"]] *= UNDER_SHARE


# --------------------------------------------------------------------------- record IDs


def format_ids(rng: np.random.Generator, style: tuple, seq: np.ndarray,
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


def assign_ids(rng: np.random.Generator, provider: np.ndarray, years: np.ndarray,
               plan: ProviderPlan, entity: str, before: np.ndarray | None = None) -> np.ndarray:
    """IDs per provider, numbered in the given row order after the `before[i]` IDs
    provider i has numbered already (earlier blocks of residents)."""
    out = np.empty(len(provider), dtype=object)
    for i in range(len(plan.providers)):
        sel = np.flatnonzero(provider == i)
        if len(sel):
            first = 1 if before is None else int(before[i]) + 1
            out[sel] = format_ids(rng, plan.id_styles[i][entity],
                                  np.arange(first, first + len(sel)), years[sel])
    return out

