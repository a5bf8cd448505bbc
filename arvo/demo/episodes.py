"""Episodes in service packages and the visits that belong to them.

Clients with a relevant condition enter service packages (episodes) at a provider that
delivers the package, with package-specific visits. Each episode carries its client's
case mix (`arvo.demo.casemix`), which the sicker-clients provider picks its clients by. An
episode is sent in its start month, and again with its end date in the month it ends,
both times with its case-mix fields.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from arvo.definitions import Definitions
from arvo.demo.blocks import Carry
from arvo.demo.casemix import SENT_FIELDS, choose_pulled, draw_case_mix, sickness_score
from arvo.demo.draws import choose, expand, poisson_in
from arvo.demo.events import Coder, EventBuffer
from arvo.demo.horizon import Calendar
from arvo.demo.providers import ROLES, ProviderPlan, assign_ids

#: Episode entry: package -> (condition key or state, annual entry rate, min age, max age).
EPISODE_ENTRY = {
    "DEPRESSION": ("depression", 0.8, 16, 85),
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
                  plan: ProviderPlan, defs: Definitions, cal: Calendar) -> pd.DataFrame:
    """Clients' episodes in service packages: person, package, provider, days and case mix."""
    days = cal.n_days
    death = states["death_day"].to_numpy()
    age = pop["age"].to_numpy()
    frames = []
    for pkg in defs.package_codes:
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
            mix = draw_case_mix(rng, pop, states, who, start, pkg)
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
            mix = draw_case_mix(rng, pop, states, who, start, pkg)
            w = plan.package_weights[pkg]
            planted = plan.planted
            if planted is not None and pkg == planted.package:
                prov = choose_pulled(rng, w, planted.roles["sicker_clients"],
                                     planted.sicker_pull, sickness_score(mix))
            elif pkg == "CASE_MANAGEMENT":
                # Substance users and mental health clients go to the mental health association
                # more often; others to social services or primary care.
                mh = pop["substance_use"].to_numpy()[who] | pop["depression"].to_numpy()[who]
                third = np.array([r == "mental_health_third" for r in plan.roles])
                w_mh = np.where(third, w * 3, w)
                prov = np.where(mh, choose(rng, w_mh, len(who)), choose(rng, w, len(who)))
            else:
                prov = choose(rng, w, len(who))
            mu, sd, share_end = EPISODE_DURATION[pkg]
            dur = np.maximum(np.round(rng.lognormal(mu, sd, len(who))), 14).astype(np.int64)
            ends = rng.random(len(who)) < share_end
            end = np.where(ends, start + dur, days)
            end = np.minimum(end, death[who])
            end = np.where(end < days, end, -1)
        else:
            continue
        frames.append(pd.concat([pd.DataFrame({
            "person": who, "package_code": pkg, "provider": prov, "start_day": start,
            "end_day": end}), mix], axis=1))
    eps = pd.concat(frames, ignore_index=True)
    eps = eps.sort_values(["start_day", "person", "package_code"], kind="stable")
    eps = eps.reset_index(drop=True)
    eps["episode"] = np.arange(len(eps))
    return eps


def episode_events(rng: np.random.Generator, pop: pd.DataFrame, states: pd.DataFrame,
                   eps: pd.DataFrame, plan: ProviderPlan, services: list[str], coder: Coder,
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
        idx, d = poisson_in(rng, np.arange(len(sub)), r, start + 1, stop)
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
    """Joint replacement: outpatient visits before and after, surgery, stay, physiotherapy."""
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
    rows, d = expand(start, los)
    if "INPATIENT_DAY" in sidx:
        buf.add(person[rows], d, sidx["INPATIENT_DAY"], prov[rows], oa[rows], ep[rows])
    post = start + rng.integers(60, 95, len(sub))
    ok = post < np.minimum(death[person], days)
    if "SPEC_OUTPATIENT" in sidx:
        buf.add(person[ok], post[ok], sidx["SPEC_OUTPATIENT"], prov[ok], oa[ok], ep[ok])
    # Physiotherapy after the operation at a rehabilitation provider (not the episode's).
    if "REHAB_VISIT" in sidx and plan.service_weights.get("REHAB_VISIT", np.zeros(1)).sum() > 0:
        rprov = choose(rng, plan.service_weights["REHAB_VISIT"], len(sub))
        idx, d = poisson_in(rng, np.arange(len(sub)), np.full(len(sub), 30.0), start + 10,
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


def finish_episodes(rng, eps: pd.DataFrame, pop: pd.DataFrame, plan: ProviderPlan,
                    cal: Calendar, carry: Carry) -> tuple[pd.DataFrame, np.ndarray]:
    """Episode rows as sent: in the start month, and again in the end month with end_date."""
    years = cal.dates(eps["start_day"].to_numpy()).astype("datetime64[Y]").astype(np.int64)
    provider = eps["provider"].to_numpy()
    ep_ids = assign_ids(rng, provider, years + 1970, plan, "episode",
                        carry.number("episode", provider, len(plan.providers)))
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
    end_sent = rows["end_sent"].to_numpy()
    frame = pd.DataFrame({
        "episode_id": rows["episode_id"].to_numpy(),
        "hetu": pop["hetu"].to_numpy()[rows["person"].to_numpy()],
        "package_code": rows["package_code"].to_numpy(),
        "start_date": cal.dates(rows["start_day"].to_numpy()),
        "end_date": pd.Series(cal.dates(np.maximum(end_sent, 0))).where(end_sent >= 0).to_numpy(),
        **{c: rows[c].array for c in SENT_FIELDS},
        "provider_id": plan.ids[rows["provider"].to_numpy()],
        "month": np.array(cal.labels, dtype=object)[rows["sub_month"].to_numpy()],
        "person": rows["person"].to_numpy(), "episode": rows["episode"].to_numpy(),
        "provider": rows["provider"].to_numpy(), "start_day": rows["start_day"].to_numpy(),
        "end_day": rows["end_day"].to_numpy(),
    })
    frame["source_row"] = carry.source_rows("episodes", frame)
    return frame.reset_index(drop=True), ep_ids

