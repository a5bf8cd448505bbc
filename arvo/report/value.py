"""Value beside outcomes, for both reports: what a provider's episodes of a package cost
(mart_provider_value) and what its clients gained on each primary measure
(mart_provider_measure_value), every figure through the small-cell rule.

The figures and their definitions are the marts' (docs/marts.md); this module only lays
them out per package and hides what rests on too few clients, pairs or episodes.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from arvo.messages import msg
from arvo.report.disclosure import COMPLEMENTARY, complement_rows, hidden, suppress, suppress_rate
from arvo.report.labels import Names, measure

RATES = {"mid": ("mid_improved", "pairs"), "reliable": ("reliable_improved", "pairs"),
         "recovery": ("recovered", "caseness_pairs")}
"""Each rate of a measure's row: its numerator's and its denominator's mart columns."""

REASONS = {"no_gain": (msg("no gain"), "no gain"),
           "no_cost": (msg("no costs"), "no costs")}
"""Why a cost per unit of gain (and per QALY) is missing (mart column cost_per_gain_reason)."""


def _costs(row: dict[str, Any] | None) -> dict[str, Any]:
    """A provider's episodes, clients and cost per episode and per client of a package."""
    if row is None:
        return {"episodes": None, "clients": None, "cost_per_episode": None,
                "cost_per_client": None}
    counts = (row["episodes"], row["clients"])
    return {"episodes": suppress(row["episodes"], *counts),
            "clients": suppress(row["clients"], *counts),
            "cost_per_episode": suppress(row["cost_per_episode_eur"], *counts),
            "cost_per_client": suppress(row["cost_per_client_eur"], *counts)}


def _gains(row: dict[str, Any]) -> dict[str, Any]:
    """One primary measure's gain, costs per unit of gain and per QALY, and responders."""
    pairs = (row["pairs"], row["paired_clients"])
    costed = (*pairs, row["episodes"], row["clients"])

    def rate(value: str, numerator: str, denominator: str) -> dict[str, Any]:
        r, n, d = suppress_rate(row[value], row[numerator], row[denominator], *pairs)
        return {"rate": r, "numerator": n, "denominator": d}

    cost_per_gain = suppress(row["cost_per_gain_eur"], *costed)
    # the reason would tell a hidden gain's sign: shown only with the figures
    reason = None if hidden(cost_per_gain) else row["cost_per_gain_reason"]
    reason_fi, reason_en = REASONS.get(reason, (None, None))
    return {
        "instrument_label": row["instrument_label"] or row["instrument"],
        "measure_label": measure(row["measure"], row["instrument_label"], row["measure_label"]),
        "decimals": row["decimals"] if row["decimals"] is not None else 1,
        "pairs": suppress(row["pairs"], *pairs),
        "gain": suppress(row["gain_mean"], *pairs),
        "cost_per_gain": cost_per_gain,
        "reason_fi": reason_fi, "reason_en": reason_en,
        "is_index": row["qaly_gain_years"] is not None,
        "cost_per_qaly": suppress(row["cost_per_qaly_eur"], *costed),
        "mid": rate("mid_share", *RATES["mid"]),
        "reliable": rate("reliable_improvement_rate", *RATES["reliable"]),
        "recovery": rate("recovery_rate", *RATES["recovery"]),
        "has_mid": row["mid"] is not None,
        "has_talking_therapies": row["reliable_change"] is not None
        or row["caseness_threshold"] is not None,
    }


def value_groups(costs: list[dict[str, Any]], measures: list[dict[str, Any]],
                 names: Names) -> list[dict[str, Any]]:
    """Per package, one row per provider x primary measure (a provider without pairs: one
    row of costs only); cost cells on each provider's first row (`first`, `span`).

    Every figure passes the small-cell rule, in the commissioner's report and in a
    provider's own feedback alike: a cost per client of three clients is one client's
    bill, and a rate's numerator is a count of clients too.
    """
    by_package: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for r in costs:
        by_package[r["package_code"]].setdefault(r["provider_id"], {"cost": None, "gains": [],
                                                                   "name": r["provider_name"]})
        by_package[r["package_code"]][r["provider_id"]]["cost"] = r
    for r in sorted(measures, key=lambda r: (r["instrument"], r["measure"])):
        entry = by_package[r["package_code"]].setdefault(
            r["provider_id"], {"cost": None, "gains": [], "name": r["provider_name"]})
        entry["gains"].append(r)
    out = []
    for package, providers in sorted(by_package.items()):
        ordered = sorted(providers.items(), key=lambda kv: names.provider(kv[0], kv[1]["name"]))
        costs_shown = [_costs(entry["cost"]) for _, entry in ordered]
        _hide_complements([entry["cost"] for _, entry in ordered], costs_shown)
        gains_shown = {_key(pid, g): _gains(g) for pid, entry in ordered for g in entry["gains"]}
        _hide_gain_complements([(pid, g) for pid, entry in ordered for g in entry["gains"]],
                               gains_shown)
        rows = []
        for (pid, entry), cost in zip(ordered, costs_shown, strict=True):
            gains = [gains_shown[_key(pid, g)] for g in entry["gains"]] or [None]
            for i, gain in enumerate(gains):
                rows.append({"provider_id": pid,
                             "provider_name": names.provider(pid, entry["name"]),
                             "first": i == 0, "span": len(gains), **cost, "gain": gain})
        name_fi, name_en = names.package(package)
        out.append({"package_code": package, "package_fi": name_fi, "package_en": name_en,
                    "rows": rows})
    return out


def _key(provider_id: str, gain: dict[str, Any]) -> tuple[str, str, str]:
    """A measure row of one package: provider x instrument x measure (the mart's grain)."""
    return provider_id, gain["instrument"], gain["measure"]


def _hide_complements(costs: list[dict[str, Any] | None], shown: list[dict[str, Any]]
                      ) -> None:
    """Hide ("..") the cost cells of the providers whose episodes and clients would give a
    hidden provider's away from the package's totals, shown elsewhere in the report (its
    targets, payments and budget)."""
    present = [i for i, r in enumerate(costs) if r is not None]
    hide = {k for k, i in enumerate(present) if hidden(shown[i]["episodes"])}
    for k in complement_rows([costs[i] for i in present], ("episodes", "clients"), hide):
        shown[present[k]].update(dict.fromkeys(shown[present[k]], COMPLEMENTARY))


def _hide_gain_complements(gains: list[tuple[str, dict[str, Any]]],
                           shown: dict[tuple[str, str, str], dict[str, Any]]) -> None:
    """Per measure, hide ("..") the pairs (with the gain and its costs) and each rate of
    the providers whose counts would give a hidden provider's away."""
    by_measure: dict[tuple[str, str], list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    for pid, g in gains:
        by_measure[g["instrument"], g["measure"]].append((pid, g))
    for members in by_measure.values():
        views = [shown[_key(pid, g)] for pid, g in members]
        raw = [g for _, g in members]
        for k in complement_rows(raw, ("pairs", "paired_clients"),
                                 {k for k, v in enumerate(views) if hidden(v["pairs"])}):
            for key in ("pairs", "gain", "cost_per_gain", "cost_per_qaly"):
                views[k][key] = COMPLEMENTARY
            views[k]["reason_fi"] = views[k]["reason_en"] = None
        for name, (numerator, denominator) in RATES.items():
            counts = [{"numerator": g[numerator] or 0, "denominator": g[denominator] or 0,
                       "rest": (g[denominator] or 0) - (g[numerator] or 0)} for g in raw]
            for k in complement_rows(counts, ("numerator", "rest", "denominator"),
                                     {k for k, v in enumerate(views) if hidden(v[name]["rate"])}):
                views[k][name] = dict.fromkeys(views[k][name], COMPLEMENTARY)


def qaly_years(measures: list[dict[str, Any]]) -> float | None:
    """The duration assumption the period's QALYs rest on (mart column qaly_gain_years)."""
    return next((r["qaly_gain_years"] for r in measures
                 if r.get("qaly_gain_years") is not None), None)
