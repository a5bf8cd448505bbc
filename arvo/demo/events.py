"""Service events: rate-driven background use, housing days, home care, their costs.

Service use is a Poisson process per resident and service type with rates set by age,
conditions and social needs, each resident keeping the same provider for a service type.
Events are sent in the month they happened (a few a month late), in the provider's own
record-ID style, with a unit cost at the provider's price level.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from arvo.demo.blocks import Carry
from arvo.demo.draws import choose, expand, pick_true, poisson_in
from arvo.demo.horizon import Calendar
from arvo.demo.population import COND_INDEX, CONDITIONS, MENTAL
from arvo.demo.providers import ProviderPlan, assign_ids
from arvo.demo.texts import pick

#: Unit costs per service type, from unit_costs.csv beside this module: the median € at an
#: average provider's price level, the log-sd of a lognormal around it, and the € bounds
#: it is clipped to.
UNIT_COSTS: dict[str, tuple[float, float, float, float]] = {
    row["service_code"]: (float(row["median_eur"]), float(row["log_sd"]),
                          float(row["min_eur"]), float(row["max_eur"]))
    for row in csv.DictReader(
        (Path(__file__).parent / "unit_costs.csv").read_text().splitlines())
}
#: A service type the definitions add and UNIT_COSTS does not price.
_OTHER_COST = (100, 0.1, 0, 1e6)

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


class Coder:
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
        pick = pick_true(rng, mask)
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
        out[s] = choose(rng, w, n) if w.sum() > 0 else np.full(n, -1)
    return out


def background_events(rng: np.random.Generator, pop: pd.DataFrame, states: pd.DataFrame,
                      plan: ProviderPlan, services: list[str], coder: Coder,
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
        p, d = poisson_in(rng, person, rates[s], np.zeros(n, np.int64), death)
        add(s, p, d)
    # Substance services: most clients a few visits a month, some in daily substitution care.
    heavy = rng.random(n) < 0.2
    sub_rate = rates["SUBSTANCE"] * np.where(heavy, 120.0, rng.lognormal(np.log(8), 0.5, n))
    p, d = poisson_in(rng, person, sub_rate, np.zeros(n, np.int64), death)
    add("SUBSTANCE_SERVICE", p, d)
    # Inpatient stays: consecutive bed days, often through the emergency department.
    p, d0 = poisson_in(rng, person, rates["STAY"], np.zeros(n, np.int64), death)
    in_home = ((states["home_start"].to_numpy()[p] <= d0)
               & (d0 < states["home_end"].to_numpy()[p]))
    los_mean = (2.5 + 0.08 * np.clip(age[p] - 40, 0, None) + 2.0 * pop["dementia"].to_numpy()[p]
                + 4.0 * in_home)
    los = 1 + rng.poisson(los_mean - 1)
    los = np.minimum(los, np.maximum(death[p] - d0, 1))
    stay_diag = coder.diagnose(rng, "INPATIENT_DAY", p)
    rows, days_ = expand(d0, los)
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
    p, d0 = poisson_in(rng, person, rates["SURGERY"], np.zeros(n, np.int64), death)
    add("SURGERY", p, d0)
    los = rng.integers(1, 4, len(p))
    rows, days_ = expand(d0, np.minimum(los, np.maximum(death[p] - d0, 1)))
    add("INPATIENT_DAY", p[rows], days_, np.full(len(rows), -1))
    # Older people moving into housing often wait for the place in a hospital bed.
    hs = states["house_start"].to_numpy()
    waits = np.flatnonzero((hs > 0) & (hs < days) & (rng.random(n) < 0.5))
    los = np.minimum(rng.integers(12, 50, len(waits)), hs[waits])
    rows, days_ = expand(hs[waits] - los, los)
    wait_diag = coder.diagnose(rng, "INPATIENT_DAY", waits)
    add("INPATIENT_DAY", waits[rows], days_, wait_diag[rows])
    add("ER_VISIT", waits, hs[waits] - los, wait_diag)
    # 24-hour housing: one event per day.
    housed = np.flatnonzero(hs < days)
    rows, days_ = expand(hs[housed], death[housed] - hs[housed])
    hp = housed[rows]
    if "HOUSING_DAY" in sidx:
        prov = states["house_provider"].to_numpy()[hp]
        rate = 215.0 * plan.price[prov] * states["house_level"].to_numpy()[hp]
        buf.add(hp, days_, sidx["HOUSING_DAY"], prov, -1,
                cost=np.round(np.clip(rate, 150, 250), 2))
    # Regular home care: visits at the resident's intensity while in home care.
    h0 = states["home_start"].to_numpy()
    h1 = states["home_end"].to_numpy()
    p, d = poisson_in(rng, person, states["home_intensity"].to_numpy() * 365.25, h0, h1)
    if "HOME_CARE_VISIT" in sidx:
        buf.add(p, d, sidx["HOME_CARE_VISIT"], states["home_provider"].to_numpy()[p], -1)


def costs(rng: np.random.Generator, service: np.ndarray, provider: np.ndarray,
          services: list[str], plan: ProviderPlan) -> np.ndarray:
    """Unit costs of events at the provider's price level (lognormal, clipped)."""
    med, sd, lo, hi = np.array([UNIT_COSTS.get(s, _OTHER_COST) for s in services]).T
    c = med[service] * plan.price[provider] * np.exp(sd[service] * rng.standard_normal(
        len(service)))
    return np.round(np.clip(c, lo[service], hi[service]), 2)


def finish_events(rngs, ev, pop, plan, services, coder, cal, carry: Carry) -> pd.DataFrame:
    """Event rows as sent: costed, in their (sometimes late) month, with record IDs (and
    rows in their files) continuing after earlier blocks' (`carry`)."""
    cost = ev["cost"].copy()
    need = np.isnan(cost)
    cost[need] = costs(rngs["costs"], ev["service"][need], ev["provider"][need], services, plan)
    month = cal.month_of(ev["day"])
    late = (rngs["late"].random(len(month)) < plan.late_share[ev["provider"]]) & (
        month < cal.months - 1)
    sub_month = month + late
    order = np.lexsort((ev["service"], ev["person"], ev["day"], sub_month, ev["provider"]))
    ev = {k: v[order] for k, v in ev.items()}
    cost, sub_month = cost[order], sub_month[order]
    years = cal.dates(ev["day"]).astype("datetime64[Y]").astype(np.int64) + 1970
    ids = assign_ids(rngs["ids"], ev["provider"], years, plan, "event",
                     carry.number("event", ev["provider"], len(plan.providers)))
    # the diagnosis as the provider writes it (without the dot, some), or none
    diag = np.where(ev["diag"] < 0, -1,
                    ev["diag"] + len(coder.table) * plan.diag_nodot[ev["provider"]])
    frame = pd.DataFrame({
        "event_id": ids,
        "hetu": pick(pop["hetu"], ev["person"]),
        "event_date": cal.dates(ev["day"]),
        "service_code": pick(services, ev["service"]),
        "diagnosis": pick(coder.table + [c.replace(".", "") for c in coder.table], diag),
        "cost_eur": cost,
        "municipality": pick(pop["municipality"], ev["person"]),
        "provider_id": pick(plan.ids, ev["provider"]),
        "month": pick(cal.labels, sub_month),
        "person": ev["person"], "day": ev["day"], "provider": ev["provider"],
        "episode": ev["episode"],
    })
    frame["source_row"] = carry.source_rows("events", frame)
    return frame

