"""PROM responses: when providers collect them and what clients answer.

Providers collect the package's instruments at every timepoint of the obligation binding
them (definitions/obligations.yml, read with `arvo.definitions`: baseline, follow-ups,
repeats, restarts on acute admissions), each with its own collection probability.
Answers come from latent health: a severity per EQ-5D dimension and a PHQ-9 total at
baseline (from the episode's latent severity, the client's age and chronic conditions),
lowered at follow-ups by the package's expected gain, scaled by the client's recovery
(living alone and poor general health slow it: `arvo.demo.casemix`), plus the provider's
own effect in the package. No scoring happens here; Arvo scores the answers (`arvo.scoring`, the
dbt model int_prom_measures_scored).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from arvo.contract import INSTRUMENT_ITEMS
from arvo.definitions import Definitions, Obligation, Restart, Timepoint
from arvo.demo.blocks import Carry
from arvo.demo.casemix import recovery
from arvo.demo.horizon import Calendar
from arvo.demo.planted import SIMULATED_INSTRUMENTS, trend_fall
from arvo.demo.providers import ProviderPlan, assign_ids


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

#: How much each level (1-5) of each EQ-5D dimension lowers the health a client rates on
#: the EQ-VAS, in the model: the England 5L value set's decrements (Devlin et al. 2018), so
#: that a client's VAS follows the state they describe. A parameter of the model of how
#: clients answer, not scoring: Arvo scores with its own value sets (dbt seeds).
VAS_DECREMENTS = np.array([
    [0, -0.058, -0.076, -0.207, -0.274],  # mobility
    [0, -0.050, -0.080, -0.164, -0.203],  # self-care
    [0, -0.050, -0.063, -0.162, -0.184],  # usual activities
    [0, -0.063, -0.084, -0.276, -0.335],  # pain / discomfort
    [0, -0.078, -0.104, -0.285, -0.289],  # anxiety / depression
])
#: The follow-up drawn together with the baseline (then the schedule's first follow-up).
MAIN_FOLLOWUP = "followup_6m"
#: How providers collect in a package no obligation binds: baseline and 6 months.
UNBOUND = {"baseline": {"from_days": -14, "to_days": 14},
           "followups": [{"timepoint": "followup_6m", "at_days": 182, "tolerance_days": 30}],
           "min_baseline_rate": 0.8, "min_followup_rate": 0.6}


def obligation_for(defs: Definitions, package: str, sector: str) -> Obligation:
    """The obligation binding a provider of `sector` in `package` (definitions/obligations.yml).

    Its sector's entry, else the package's `all` entry, else UNBOUND. Segment entries are
    not followed: the shipped HNHC entries' windows contain the packages' baseline and
    6-month windows, so the package's responses count for them too.
    """
    entries = {ob.sector: ob for ob in defs.obligations if ob.package == package}
    if sector in entries:
        return entries[sector]
    if "all" in entries:
        return entries["all"]
    instruments = next((p.instruments for p in defs.packages if p.code == package), ["EQ5D5L"])
    return Obligation(package=package, instruments=instruments, **UNBOUND)


def main_followup(ob: Obligation) -> Timepoint | None:
    """The follow-up drawn with the baseline: MAIN_FOLLOWUP, else the first (None: none)."""
    fus = ob.schedule()[1:]
    return next((t for t in fus if t.name == MAIN_FOLLOWUP), fus[0] if fus else None)


def vas_health(levels: np.ndarray) -> np.ndarray:
    """The health (1 = full) the EQ-5D levels (n, 5; 1-5) describe, which the VAS follows."""
    li = np.asarray(levels, dtype=np.int64) - 1
    return 1.0 + VAS_DECREMENTS[np.arange(5), li].sum(axis=1)


def admissions(events: dict[str, np.ndarray] | None, services: list[str], codes: list[str],
               rule: Restart) -> pd.DataFrame:
    """Restarting admissions per person: first days of runs of qualifying events.

    A qualifying event has one of the rule's service codes and, if the rule names ICD-10
    prefixes, a diagnosis starting with one (dots ignored); an event closer than
    `min_days_between` days to the person's previous qualifying event continues the same
    admission, as definitions/obligations.yml describes a restart. This is when the
    model's providers start a schedule again; whether Arvo counts it is the marts' job.
    """
    if events is None or len(events.get("person", ())) == 0:
        return pd.DataFrame({"person": pd.Series(dtype="int64"), "day": pd.Series(dtype="int64")})
    want = np.isin(np.asarray(services, dtype=object)[events["service"]],
                   np.asarray(rule.service_codes, dtype=object))
    if rule.icd10_prefixes:
        table = np.array([c.replace(".", "") for c in codes] + [""], dtype=object)
        diag = table[np.where(events["diag"] >= 0, events["diag"], len(codes))]
        hit = np.zeros(len(diag), dtype=bool)
        for prefix in (p.replace(".", "") for p in rule.icd10_prefixes):
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
    if the episode had not ended when its window opened: what a provider that follows
    definitions/obligations.yml collects (the model's behaviour, not a compliance check).
    """
    k = len(sub)
    schedule = ob.schedule()
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
    for order, tp in enumerate(schedule):
        a = anchors
        due = (a["anchor"] + tp.at_days < a["next"]).to_numpy().copy()
        if tp.while_open:
            e = end[a["row"].to_numpy()]
            due &= (e < 0) | (e >= a["anchor"].to_numpy() + tp.from_days)
        parts.append(a[due].assign(timepoint=tp.name, order=order, at=tp.at_days,
                                   lo=tp.from_days, hi=tp.to_days,
                                   baseline=tp.name == "baseline"))
    units = pd.concat(parts, ignore_index=True)
    return units.sort_values(["row", "cycle", "order"], kind="stable").reset_index(drop=True)


def make_proms(rng: np.random.Generator, pop: pd.DataFrame, states: pd.DataFrame,
               eps: pd.DataFrame, plan: ProviderPlan, defs: Definitions,
               cal: Calendar, events: dict[str, np.ndarray] | None = None,
               services: list[str] | None = None, codes: list[str] | None = None,
               schedule_rng: np.random.Generator | None = None) -> pd.DataFrame:
    """PROM responses at every timepoint of the obligation binding the episode's provider.

    Each episode's provider has a collection probability for baselines and one for
    follow-ups; each due window (`schedule_units`, with restarts from `events`) is
    collected with it on a uniform day of the window, if the client is still alive.
    Responses carry baseline health at baselines and follow-up health at follow-ups. The
    first baseline and the main follow-up (MAIN_FOLLOWUP) draw from `rng`, every other window from
    `schedule_rng`, so a longer schedule leaves the pairs as they were.
    """
    days = cal.n_days
    death = states["death_day"].to_numpy()
    sectors = np.array([p.sector for p in plan.providers], dtype=object)
    instruments_of = {p.code: p.instruments for p in defs.packages}
    adm_cache: dict[str, pd.DataFrame] = {}
    out = []
    for pkg, sub in eps.groupby("package_code", sort=True):
        instruments = [i for i in instruments_of.get(pkg, ()) if i in SIMULATED_INSTRUMENTS]
        if not instruments:
            continue
        model = PROM_MODELS.get(pkg, GENERIC_PROM)
        k = len(sub)
        person = sub["person"].to_numpy()
        prov = sub["provider"].to_numpy()
        start = sub["start_day"].to_numpy()
        last = np.minimum(death[person], days) - 1  # last day a response can be given
        # The obligation of each episode's provider (its sector's entry, else the package's).
        by_sector = {sec: obligation_for(defs, pkg, sec) for sec in sorted(set(sectors))}
        entries = []
        for ob in by_sector.values():
            if ob not in entries:
                entries.append(ob)
        entry_of = {sec: entries.index(ob) for sec, ob in by_sector.items()}
        entry = np.array([entry_of[sec] for sec in sectors[prov]], dtype=np.int64)
        # Baseline and the main follow-up of the first schedule: collected with the
        # provider's compliance, uniform in the window.
        baselines = [ob.schedule()[0] for ob in entries]
        b_lo = np.array([baselines[e].from_days for e in entry], dtype=np.int64)
        b_hi = np.array([baselines[e].to_days for e in entry], dtype=np.int64)
        mains = [main_followup(ob) for ob in entries]
        main = [mains[e] for e in entry]
        f_at = np.array([p.at_days if p else 182 for p in main], dtype=np.int64)
        f_tol = np.array([(p.to_days - p.from_days) // 2 if p else 30 for p in main],
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
        u = 0.45 * sub["severity"].to_numpy()
        rec = recovery(sub)
        no_effect = np.zeros(len(plan.providers))
        eq_eff = plan.eq_effect.get(pkg, no_effect)[prov]
        phq_eff = plan.phq_effect.get(pkg, no_effect)[prov]
        adj = np.stack([0.015 * np.clip(age - 50, 0, None), 0.008 * np.clip(age - 60, 0, None),
                        0.01 * np.clip(age - 50, 0, None), np.zeros(k),
                        np.zeros(k)], axis=1) + 0.12 * (nc[:, None] - 1)
        xb = np.array(model.eq_base) + adj + u[:, None] + rng.normal(0, 0.55, (k, 5))
        gain = (model.eq_gain * rec + eq_eff)[:, None] * np.array(model.eq_weights)
        xf = xb - gain + rng.normal(0, 0.35, (k, 5))
        lb = 1 + np.clip(np.floor(xb), 0, 4).astype(np.int64)
        lf = 1 + np.clip(np.floor(xf), 0, 4).astype(np.int64)
        vb = np.clip(np.round(100 * (0.25 + 0.65 * vas_health(lb)) + rng.normal(0, 8, k)), 0, 100)
        vf = np.clip(np.round(100 * (0.25 + 0.65 * vas_health(lf)) + rng.normal(0, 8, k)), 0, 100)
        anx = row["anxiety"].to_numpy().astype(float)
        tb = np.clip(model.phq_base + 1.5 * anx + 8 * u + rng.normal(0, 1.8, k), 0, 27)
        trend = trend_fall(pkg, start, cal.start)  # planted trend
        tf = np.clip(tb - (model.phq_fall * rec + phq_eff + trend) + rng.normal(0, 2.5, k),
                     0, 27)
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
                key = ob.restart.model_dump_json()
                if key not in adm_cache:
                    adm_cache[key] = admissions(events, services or [], codes or [], ob.restart)
                adm = adm_cache[key]
            units = schedule_units(sub.iloc[rows], ob, adm, days)
            units["row"] = rows[units["row"].to_numpy()]
            parts.append(units)
        units = pd.concat(parts, ignore_index=True).sort_values(
            ["row", "cycle", "order"], kind="stable").reset_index(drop=True)
        r = units["row"].to_numpy()
        first = (units["cycle"] == 0).to_numpy()
        is_b = units["baseline"].to_numpy(dtype=bool)
        is_main = first & ~is_b & (units["at"].to_numpy() == f_at[r])
        n = len(units)
        anchor = units["anchor"].to_numpy().astype(np.int64)
        ulo = np.maximum(anchor + units["lo"].to_numpy(), 0)
        uhi = anchor + units["hi"].to_numpy()
        extra = schedule_rng if schedule_rng is not None else rng
        uday = ulo + np.floor(extra.random(n) * np.maximum(uhi - ulo + 1, 0)).astype(np.int64)
        p_col = np.where(is_b, plan.baseline_p[prov[r]], plan.followup_p[prov[r]])
        has = (extra.random(n) < p_col) & (ulo <= uhi) & (uday <= last[r])
        day = np.where(first & is_b, bday[r], np.where(is_main, fday[r], uday))
        has = np.where(first & is_b, has_b[r], np.where(is_main, has_f[r], has))
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
    n_items = proms["instrument"].map(
        {i: len(INSTRUMENT_ITEMS[i]) for i in SIMULATED_INSTRUMENTS}).to_numpy()
    miss = rng.random(len(proms)) < 0.03
    which = np.floor(rng.random(len(proms)) * n_items).astype(np.int64)
    for i in range(9):
        col = f"q{i + 1}"
        vals = proms[col].to_numpy().copy()
        vals[miss & (which == i)] = np.nan
        proms[col] = vals
    return proms


def finish_proms(rng, proms: pd.DataFrame, pop: pd.DataFrame, plan: ProviderPlan,
                 cal: Calendar, ep_ids: np.ndarray, carry: Carry) -> pd.DataFrame:
    """Response rows as sent, in the provider's record-ID style, IDs and rows in their
    files continuing after earlier blocks' (`carry`)."""
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
    provider = proms["provider"].to_numpy()
    ids = assign_ids(rng, provider, years, plan, "response",
                     carry.number("response", provider, len(plan.providers)))
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
    frame["provider_id"] = plan.ids[proms["provider"].to_numpy()]
    frame["month"] = np.array(cal.labels, dtype=object)[sub_month]
    for c in ("person", "episode", "provider", "package_code", "day", "start_day", "cycle"):
        frame[c] = proms[c].to_numpy()
    frame["source_row"] = carry.source_rows("proms", frame)
    return frame

