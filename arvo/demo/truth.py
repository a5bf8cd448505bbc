"""The planted truth: what was planted, for tests to compare with what Arvo finds.

It states the planted causes (each provider's collection probabilities and latent
treatment effects per package, the planted roles, the planted defects) and plain counts of
the generated frames; it does not score, pair or judge compliance. Those are Arvo's (the
dbt marts), and the tests check that the pipeline finds what was planted. The funnel part
(`funnel_truth`) lists every cell a correct case-mix adjusted funnel plot flags.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from arvo.definitions import Definitions
from arvo.demo.horizon import Calendar
from arvo.demo.planted import (
    BETTER_EQ,
    BETTER_PHQ,
    PRIMARY_MEASURES,
    PROVIDER_SPREAD,
    SICKER_PULL,
    SMALL_SHARE,
    TREND_FROM,
    TREND_FULL,
    TREND_PACKAGE,
    TREND_PHQ_FALL,
    UNDER_SHARE,
    WORSE_EQ,
    WORSE_PHQ,
)
from arvo.demo.population import CONDITIONS
from arvo.demo.proms import GENERIC_PROM, PROM_MODELS
from arvo.demo.providers import ROLES, ProviderPlan
from arvo.demo.tally import (
    CONDITION_AGE_BANDS,
    TOP_SHARES,
    Tally,
    cost_window,
    top_share,
)


def _r(x: float, k: int = 3) -> float | None:
    """`x` rounded to `k` decimals for the JSON (None if missing)."""
    return None if x is None or not np.isfinite(x) else round(float(x), k)


def _latent(package: str, effect: dict[str, float | None]) -> dict[str, float | None]:
    """A provider's planted outcome in the package's latent units, beside the average."""
    model = PROM_MODELS.get(package, GENERIC_PROM)
    return {"eq5d_latent_improvement": _r(model.eq_gain + (effect["eq5d_latent_improvement"]
                                                           or 0.0)),
            "average_eq5d_latent_improvement": _r(model.eq_gain),
            "phq9_fall_points": _r(model.phq_fall + (effect["phq9_extra_fall_points"] or 0.0)),
            "average_phq9_fall_points": _r(model.phq_fall)}


def _outcome_sentence(name: str, word: str, package: str,
                      effect: dict[str, float | None]) -> str:
    """The planted outcome finding in words (the latent effect, not a realised score)."""
    planted = _latent(package, effect)
    return (f"Clients of {name} improve clearly {word} than clients of other providers in "
            f"the same package ({package}): their health improves by "
            f"{planted['eq5d_latent_improvement']} latent EQ-5D steps against "
            f"{planted['average_eq5d_latent_improvement']} at an average provider, and "
            f"their PHQ-9 total falls by {planted['phq9_fall_points']} points against "
            f"{planted['average_phq9_fall_points']}.")


def planted_truth(defs: Definitions, plan: ProviderPlan, cal: Calendar, tally: Tally,
                  defects: list[dict[str, Any]], *, seed: int, residents: int) -> dict:
    """What was planted (causes and counts) and plain statistics of the clean frames, from
    their counts (`tally`: every block's, arvo.demo.tally)."""
    labels = cal.labels
    window = cost_window(cal)

    providers = []
    for i, p in enumerate(plan.providers):
        pkgs = [k for k, w in plan.package_weights.items() if w[i] > 0]
        if "HOME_CARE" in defs.package_codes and ROLES[plan.roles[i]].packages.get(
                "HOME_CARE"):
            pkgs = sorted(set(pkgs) | {"HOME_CARE"})
        real = {pkg: {"episodes": tally.episodes.get((i, pkg), 0)} for pkg in pkgs}
        providers.append({
            "provider_id": p.id, "name": p.name, "sector": p.sector,
            "submission_format": p.submission_format, "role": ROLES[plan.roles[i]].label,
            "services": plan.offers(i), "packages": pkgs,
            "id_style": {k: v[0] for k, v in plan.id_styles[i].items()},
            "price_level": _r(plan.price[i]),
            "baseline_collection_probability": _r(plan.baseline_p[i]),
            "followup_collection_probability": _r(plan.followup_p[i]),
            "planted_role": plan.planted.role_of(i) if plan.planted else None,
            "effect": {pkg: {"eq5d_latent_improvement": _r(plan.eq_effect[pkg][i]),
                             "phq9_extra_fall_points": _r(plan.phq_effect[pkg][i])}
                       for pkg in pkgs if pkg in plan.eq_effect},
            "events": int(tally.provider_events[i]),
            "realised": real})
    by_id = {p["provider_id"]: p for p in providers}

    roles = ({r: plan.ids[i] for r, i in plan.planted.roles.items()} if plan.planted
             else {})
    findings = []
    if "under_collecting" in roles:
        p = by_id[roles["under_collecting"]]
        findings.append({
            "kind": "prom_under_collection", "provider_id": p["provider_id"],
            "provider_name": p["name"], "packages": p["packages"],
            "baseline_collection_probability": p["baseline_collection_probability"],
            "followup_collection_probability": p["followup_collection_probability"],
            "sentence": f"{p['name']} collects PROMs from few of its clients: baseline "
                        f"questionnaires from about {p['baseline_collection_probability']:.0%} "
                        f"and 6-month follow-ups from about "
                        f"{p['followup_collection_probability']:.0%} of its episodes, far "
                        "below the obligation (80 % / 60 %) that other providers meet."})
    for role, kind, word in (("worse", "worse_outcomes", "less"),
                             ("better", "better_outcomes", "more")):
        if role not in roles:
            continue
        p = by_id[roles[role]]
        main = plan.planted.package
        effect = p["effect"][main]
        findings.append({
            "kind": kind, "provider_id": p["provider_id"], "provider_name": p["name"],
            "packages": p["packages"], "main_package": main,
            "peers": sorted(q["provider_id"] for q in providers
                            if main in q["packages"] and q["provider_id"] != p["provider_id"]),
            "effect": effect, "planted": _latent(main, effect),
            "sentence": _outcome_sentence(p["name"], word, main, effect)})
    if "sicker_clients" in roles:
        p = by_id[roles["sicker_clients"]]
        findings.append({
            "kind": "sicker_clients", "provider_id": p["provider_id"],
            "provider_name": p["name"], "main_package": plan.planted.package,
            "sentence": f"Clients of {p['name']} in {plan.planted.package} are clearly sicker "
                        "at the start (worse general health, more often living alone, with "
                        "a disability, older, more chronic conditions), but the provider has "
                        "no effect of its own: compared as it is, its outcomes look worse; "
                        "adjusted for case mix, they are average."})

    per_client = np.concatenate(tally.window_costs)
    conc = {f"top_{int(t * 100)}_share": _r(top_share(per_client, t)) for t in TOP_SHARES}
    n = tally.residents
    under_15, over_65, over_75, women_75 = (int(k) for k in tally.ages)
    housing, home_care, deaths = (int(k) for k in tally.states)
    population = {
        "residents": residents,
        "share_under_15": _r(under_15 / n), "share_65_plus": _r(over_65 / n),
        "share_75_plus": _r(over_75 / n),
        "share_female_75_plus": _r(women_75 / over_75 if over_75 else np.nan),
        "condition_prevalence": {c.key: _r(int(k) / n, 4)
                                 for c, k in zip(CONDITIONS, tally.conditions, strict=True)},
        "mean_conditions_by_age": {
            f"{lo}-{hi}": _r(int(s) / int(k) if k else np.nan, 2) for (lo, hi), s, k in zip(
                CONDITION_AGE_BANDS, tally.band_conditions, tally.band_residents, strict=True)},
        "in_housing_at_start": housing,
        "in_home_care_at_start": home_care,
        "deaths": deaths,
    }
    return {
        "about": "Planted truth of the synthetic demo region. Beside the raw submissions, "
                 "never read by the pipeline: tests compare what Arvo finds with it.",
        "generator": {"seed": seed, "residents": residents, "months": cal.months,
                      "start_month": labels[0], "end_month": labels[-1]},
        "findings": findings,
        "trends": planted_trends(defs),
        **funnel_truth(defs, plan),
        "defects": defects,
        "cost_concentration": {"window": list(window), "clients": tally.window_clients,
                               **conc},
        "population": population,
        "providers": providers,
    }


def planted_trends(defs: Definitions) -> list[dict[str, Any]]:
    """The trends planted over the horizon (arvo.demo.planted), for the follow-up's tests:
    one where something changed, and the cells where nothing did (none)."""
    if TREND_PACKAGE not in defs.package_codes:
        return []
    others = sorted((p.code, i) for p in defs.packages for i in p.instruments
                    if i in PRIMARY_MEASURES and (p.code, i) != (TREND_PACKAGE, "PHQ9"))
    return [{
        "kind": "outcome_trend", "package_code": TREND_PACKAGE, "instrument": "PHQ9",
        "measure": PRIMARY_MEASURES["PHQ9"], "direction": "improving",
        "phq9_extra_fall_points": TREND_PHQ_FALL, "episodes_starting_from": TREND_FROM,
        "full_from": TREND_FULL,
        "no_trend": [{"package_code": k, "instrument": i, "measure": PRIMARY_MEASURES[i]}
                     for k, i in others],
        "sentence": f"Depression care in the region improves: the PHQ-9 total of "
                    f"{TREND_PACKAGE} episodes starting from {TREND_FROM} falls by up to "
                    f"{TREND_PHQ_FALL} points more at follow-up, the full amount from "
                    f"{TREND_FULL} on, at every provider alike; so recovery and the mean "
                    "PHQ-9 gain rise from the 2024 periods to 2025-12. No other trend "
                    "is planted (no_trend); on a large region the follow-up may still see "
                    "small shifts from the horizon's start (2024-12's pairs are only of "
                    "episodes started in the first half of 2024)."}]


def _cells(defs: Definitions, provider_id: str, packages: list[str]) -> list[dict[str, str]]:
    """The provider's (package, instrument, primary measure) cells in `packages`."""
    instruments = {p.code: p.instruments for p in defs.packages}
    return [{"provider_id": provider_id, "package_code": pkg, "instrument": inst,
             "measure": PRIMARY_MEASURES[inst]}
            for pkg in packages for inst in instruments.get(pkg, ()) if inst in PRIMARY_MEASURES]


def funnel_truth(defs: Definitions, plan: ProviderPlan) -> dict[str, Any]:
    """What a correct funnel plot of each package x primary measure flags, and nothing else."""
    planted = plan.planted
    if planted is None:
        return {}
    pid = {r: str(plan.ids[i]) for r, i in planted.roles.items()}
    pkg = planted.package
    small = planted.roles["small"]
    small_pkgs = [k for k, w in plan.package_weights.items() if w[small] > 0]
    return {
        "roles": pid,
        "primary_measures": PRIMARY_MEASURES,
        "min_pairs": defs.verdicts.min_pairs,  # definitions/verdicts.yml, as the funnel
        "effect_ranges": {
            "unit": "eq5d: latent EQ-5D steps added to the package's improvement; phq9: "
                    "PHQ-9 points of extra fall at follow-up (negative: less)",
            "better": {"eq5d": list(BETTER_EQ), "phq9": list(BETTER_PHQ)},
            "worse": {"eq5d": list(WORSE_EQ), "phq9": list(WORSE_PHQ)},
            "every_provider_sd": {"eq5d": PROVIDER_SPREAD[0], "phq9": PROVIDER_SPREAD[1]},
            "sicker_clients_pull": list(SICKER_PULL), "small_share": list(SMALL_SHARE),
            "under_collecting_share": UNDER_SHARE},
        "drawn_effects": {
            "package_code": pkg,
            "better": {"eq5d": _r(planted.better[0]), "phq9": _r(planted.better[1])},
            "worse": {"eq5d": _r(planted.worse[0]), "phq9": _r(planted.worse[1])},
            "sicker_clients_pull": _r(planted.sicker_pull),
            "small_share": _r(planted.small_share)},
        "expected_flags": [
            {**cell, "direction": role, "level": "alarm"} for role in ("better", "worse")
            for cell in _cells(defs, pid[role], [pkg])],
        "expected_unadjusted_flags": [
            {**cell, "direction": "worse", "level": "alert"}
            for cell in _cells(defs, pid["sicker_clients"], [pkg])],
        "too_few_pairs": _cells(defs, pid["small"], small_pkgs),
        "null": "every other (provider, package, instrument, measure) cell on a primary "
                "measure is null",
        "funnel_notes": (
            "expected_flags: every cell a correct case-mix adjusted funnel plot (99.8 % "
            "limits, overdispersion allowed for) flags as an alarm; the sicker-clients "
            "provider is not among them. expected_unadjusted_flags: cells an unadjusted "
            "comparison of follow-up means flags at least at this level (it may also flag "
            "the better and worse providers). too_few_pairs: cells under min_pairs pairs, "
            "never flagged. Every provider varies a little in every package (normal, "
            "every_provider_sd), within what the overdispersion allowance absorbs; the "
            "sicker-clients provider has no effect of its own in its package."),
    }
