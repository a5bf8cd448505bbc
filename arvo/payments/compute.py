"""A period's payment lines per provider and package, from the period's marts.

`compute(rules, value, funnel, compliance)` is the one implementation: the dbt build
(`int_provider_payments_computed`, the published table mart_provider_payments) and the
what-if (`arvo payments --rules FILE`) call it on the same marts' rows. Every amount is
a Decimal in euros, to the cent (half up); the frame carries amounts as strings so that
nothing passes through a float.

Lines per provider x package (`line_order` in this order): `base` (episodes x the base
price), one line per adjustment (`uplift`: paid when every condition holds; `withhold`:
the share of the base kept back unless every condition holds), `cap` (what the cap takes
back from the uplifts; 0 when it does not bind) and `total` (the sum of the lines above).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from arvo.payments.rules import (
    Adjustment,
    Obligations,
    Outcome,
    Participation,
    PaymentRule,
    PaymentRules,
    Target,
)
from arvo.report.disclosure import SMALL_CELL, is_small

CENT = Decimal("0.01")
LINE_COLUMNS = ("provider_id", "provider_name", "sector", "package_code", "rule_sector",
                "line_order", "line", "adjustment", "episodes", "amount_eur",
                "conditions_met", "failed_conditions", "figures", "reason")
#: A funnel flag at a level or beyond (alarm is beyond alert).
_AT_LEVEL = {"alarm": ("alarm",), "alert": ("alert", "alarm")}


def cents(x: Decimal) -> Decimal:
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


def _rate(x: object) -> float | None:
    return None if x is None or pd.isna(x) else round(float(x), 4)


def _judged(per: list[dict], failed: list[dict], when_not_judged: str) -> tuple[bool, bool]:
    """Whether a condition on compliance rows holds, and whether any row was judged. A
    row with 1 to 4 eligible episodes (`judged` false) is not, as the steering report
    does not assess it: it passes or fails as `when_not_judged` says."""
    small = any(not p["judged"] for p in per)
    return (not failed and (not small or when_not_judged == "met"),
            any(p["judged"] for p in per))


def _participation(cond: Participation, ctx: dict) -> dict:
    rows = ctx["compliance"]
    rows = rows[rows["timepoint"] == "baseline"]
    if cond.instruments:
        rows = rows[rows["instrument"].isin(cond.instruments)]
    per = [{"instrument": r.instrument, "rate": _rate(r.rate), "collected": int(r.collected),
            "eligible": int(r.eligible_episodes),
            "judged": not is_small(r.eligible_episodes)} for r in rows.itertuples()]
    failed = [p for p in per if p["judged"] and p["rate"] is not None
              and p["rate"] < float(cond.min_rate)]
    met, judged = _judged(per, failed, cond.when_not_judged)
    detail = ("no baseline due yet" if not per else "; ".join(
        f"{p['instrument']} baseline {p['rate']:.2f} ({p['collected']}/{p['eligible']})"
        if p["judged"] else f"{p['instrument']} baseline not judged (under {SMALL_CELL} eligible)"
        for p in per) + f" against {cond.min_rate}")
    return {"kind": "participation", "met": met, "judged": judged,
            "threshold": float(cond.min_rate), "when_not_judged": cond.when_not_judged,
            "figures": per, "detail": detail}


def _outcome(cond: Outcome, ctx: dict) -> dict:
    rows = ctx["funnel"]
    rows = rows[rows["measure"].isin(cond.measures)] if cond.measures else rows[rows["is_primary"]]
    per = [{"instrument": r.instrument, "measure": r.measure, "flag": r.flag,
            "direction": r.direction, "z": _rate(r.z), "pairs": int(r.pairs)}
           for r in rows.itertuples()]
    judged = [p for p in per if p["flag"] != "too_few_pairs"]
    worse = [p for p in judged if p["flag"] in _AT_LEVEL[cond.level]
             and p["direction"] == "worse"]
    met = (not worse) if judged else cond.when_not_judged == "met"
    detail = ("not judged: too few pairs" if not judged else "; ".join(
        f"{p['measure']} {p['flag']} {p['direction']} (z {p['z']})" for p in judged))
    return {"kind": "outcome", "met": met, "judged": bool(judged), "threshold": cond.level,
            "figures": per, "detail": detail}


def _obligations(cond: Obligations, ctx: dict) -> dict:
    rows = ctx["compliance"]
    per = [{"instrument": r.instrument, "timepoint": r.timepoint, "rate": _rate(r.rate),
            "min_rate": _rate(r.min_rate), "met": bool(r.meets_obligation),
            "judged": not is_small(r.eligible_episodes)} for r in rows.itertuples()]
    failed = [p for p in per if p["judged"] and not p["met"]]
    met, judged = _judged(per, failed, cond.when_not_judged)
    small = sum(not p["judged"] for p in per)
    detail = ("no obligation due yet" if not per
              else ("all judged met" if small else "all met") if not failed
              else "; ".join(f"{p['instrument']} {p['timepoint']} {p['rate']:.2f} < "
                             f"{p['min_rate']:.2f}" for p in failed))
    if small:
        detail += f"; {small} not judged (under {SMALL_CELL} eligible)"
    return {"kind": "obligations", "met": met, "judged": judged, "threshold": None,
            "when_not_judged": cond.when_not_judged, "figures": per, "detail": detail}


def _target(cond: Target, ctx: dict) -> dict:
    rows = ctx["targets"]
    found = {r.objective_code: r for r in rows.itertuples()} if len(rows) else {}
    good = ("met", "near") if cond.accept_near else ("met",)
    per = []
    for code in cond.objectives:
        r = found.get(code)
        status = "not_measurable" if r is None else r.status
        per.append({"objective": code, "status": status,
                    **{f"name_{lang}": None if r is None else getattr(r, f"objective_name_{lang}",
                                                                      None)
                       for lang in ("fi", "sv", "en")},
                    "value": None if r is None else _rate(r.value),
                    "target": None if r is None else _rate(r.target)})
    judged = [p for p in per if p["status"] != "not_measurable"]
    failed = [p for p in judged if p["status"] not in good]
    met = not failed and (len(judged) == len(per) or cond.when_not_measurable == "met")
    detail = "; ".join(f"{p['objective']} {p['status']}" for p in per)
    return {"kind": "target", "met": met, "judged": bool(judged),
            "threshold": "near" if cond.accept_near else "met", "figures": per,
            "detail": detail}


#: One evaluator per condition kind (a new kind: its rules class and one entry here).
EVALUATORS: dict[type, Callable[..., dict]] = {
    Participation: _participation, Outcome: _outcome, Obligations: _obligations,
    Target: _target,
}


def _adjustment(adj: Adjustment, base: Decimal, episodes: int,
                ctx: dict) -> tuple[Decimal, bool, list[dict]]:
    results = [EVALUATORS[type(c)](c, ctx) for c in adj.when]
    met = all(r["met"] for r in results)
    if adj.kind == "uplift":
        full = (Decimal(episodes) * adj.per_episode if adj.per_episode is not None
                else cents(base * adj.share_of_base))
        return (full if met else Decimal(0)), met, results
    return (Decimal(0) if met else -cents(base * adj.share_of_base)), met, results


def _lines(rule: PaymentRule, provider: dict, ctx: dict) -> list[dict]:
    episodes = int(provider["episodes"])
    base = Decimal(episodes) * rule.base_per_episode
    head = {k: provider[k] for k in ("provider_id", "provider_name", "sector", "package_code")}
    head |= {"rule_sector": rule.sector, "episodes": episodes}

    def line(order: int, kind: str, amount: Decimal, name: str = "", met: bool | None = None,
             results: list[dict] | None = None, reason: str = "") -> dict:
        failed = [r["kind"] for r in results or [] if not r["met"]]
        return head | {"line_order": order, "line": kind, "adjustment": name,
                       "amount_eur": str(cents(amount)), "conditions_met": met,
                       "failed_conditions": ",".join(failed),
                       "figures": json.dumps(results or [], sort_keys=True), "reason": reason}

    out = [line(0, "base", base, reason=f"{episodes} episodes x {rule.base_per_episode} EUR")]
    uplifts = Decimal(0)
    for i, adj in enumerate(rule.adjustments, start=1):
        amount, met, results = _adjustment(adj, base, episodes, ctx)
        uplifts += amount if adj.kind == "uplift" else 0
        reason = "; ".join(f"{r['kind']} {'met' if r['met'] else 'NOT met'}: {r['detail']}"
                           for r in results)
        out.append(line(i, adj.kind, amount, adj.name, met, results, reason))
    cap = Decimal(0)
    reason = "no cap"
    if rule.cap is not None:
        limit = (rule.cap.amount if rule.cap.amount is not None
                 else cents(base * rule.cap.share_of_base))
        cap = -max(Decimal(0), uplifts - limit)
        reason = f"uplifts {cents(uplifts)} EUR, cap {limit} EUR"
    out.append(line(len(out), "cap", cap, reason=reason))
    total = sum((Decimal(r["amount_eur"]) for r in out), Decimal(0))
    out.append(line(len(out), "total", total, reason="base + adjustments + cap"))
    return out


def compute(rules: PaymentRules, value: pd.DataFrame, funnel: pd.DataFrame,
            compliance: pd.DataFrame, attainment: pd.DataFrame | None = None) -> pd.DataFrame:
    """The payment lines of every provider x package of `value` (mart_provider_value's
    rows of one period) with a rule, judged on `funnel` (mart_provider_funnel),
    `compliance` (mart_prom_compliance) and `attainment` (mart_objective_attainment;
    none: no objective is measurable) of the same period."""
    # sorted, so each condition lists its figures in one order whatever order the
    # warehouse returned the rows in (a rerun writes the same lines)
    funnel = funnel.sort_values(["provider_id", "package_code", "instrument", "measure"])
    scoped = compliance[compliance["scope"] == "package"].sort_values(
        ["provider_id", "package_code", "instrument", "timepoint"])
    funnel_by = {k: g for k, g in funnel.groupby(["provider_id", "package_code"])}
    compliance_by = {k: g for k, g in scoped.groupby(["provider_id", "package_code"])}
    empty_f, empty_c = funnel.iloc[0:0], scoped.iloc[0:0]
    if attainment is None:
        attainment = pd.DataFrame(columns=["provider_id", "scope_type", "objective_code",
                                           "status", "value", "target"])
    own = attainment[attainment["scope_type"] == "provider"]
    targets_by = {k: g for k, g in own.groupby("provider_id")}
    empty_t = own.iloc[0:0]
    rows: list[dict] = []
    for provider in value.sort_values(["provider_id", "package_code"]).to_dict("records"):
        rule = rules.rule_for(provider["package_code"], provider["sector"])
        if rule is None:
            continue
        key = (provider["provider_id"], provider["package_code"])
        ctx = {"funnel": funnel_by.get(key, empty_f),
               "compliance": compliance_by.get(key, empty_c),
               "targets": targets_by.get(provider["provider_id"], empty_t)}
        rows += _lines(rule, provider, ctx)
    return pd.DataFrame(rows, columns=list(LINE_COLUMNS))


def totals(lines: pd.DataFrame) -> pd.DataFrame:
    """provider_id, provider_name, package_code, total_eur (Decimal) of `lines`."""
    t = lines[lines["line"] == "total"][["provider_id", "provider_name", "package_code",
                                         "amount_eur"]].copy()
    t["total_eur"] = t.pop("amount_eur").map(Decimal)
    return t.reset_index(drop=True)
