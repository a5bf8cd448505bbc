"""The payments section of the steering report and of a provider's feedback
(mart_provider_payments, mart_segment_budget; docs/payments.md).

Every amount of a provider x package rests on its episodes, so it passes the small-cell
rule on them (an amount of 1 to 4 episodes would give the count away with the price);
the participation rates shown pass the rate rule on their numerators and denominators.
The reasons are structured here and worded in reports/templates/payments.html.j2; names,
measure labels and objective statuses are given in the report's language (messages, `msg`).
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from arvo.config import Settings
from arvo.messages import DEFAULT_LANGUAGE, check_language, msg
from arvo.report.disclosure import COMPLEMENTARY, complement, hidden, suppress, suppress_rate
from arvo.report.labels import Names, measure, named_in, names
from arvo.report.warehouse import Warehouse, open_warehouse

ORDER = "package_code, provider_id, line_order"

TARGET_STATUSES = {"met": msg("met"), "near": msg("near"), "missed": msg("not met"),
                   "not_measurable": msg("not yet measurable")}
"""An objective's status (mart_objective_attainment) in a payment condition, in words
(messages)."""


def _measure_labels(wh: Warehouse) -> dict[tuple[str, str], str]:
    """(instrument, measure) -> the measure's label (seed prom_measures; Finnish for the
    measures that labels.MEASURES words in every language)."""
    if wh.con is None or "prom_measures" not in wh.tables:
        return {}
    return wh.memo(("measure_labels",), lambda: {
        (i, m): label for i, m, label in wh.con.execute(
            "select instrument, measure, measure_label from prom_measures").fetchall()})


def _condition(c: dict[str, Any], labels: dict[tuple[str, str], str],
               known, lang: str) -> dict[str, Any]:
    """One condition's outcome, with the figures it may show."""
    out = {"kind": c["kind"], "met": c["met"], "judged": c["judged"],
           "threshold": c["threshold"],
           # participation and obligations: rows on 1 to 4 eligible episodes, not judged,
           # and whether the rule counts them as met (figures of periods paid before
           # these were told apart carry no `judged`: every row was judged then)
           "small": sum(not f.get("judged", True) for f in c["figures"]),
           "small_met": c.get("when_not_judged", "met") == "met"}
    if c["kind"] == "participation":
        out["rates"] = []
        for f in c["figures"]:
            rate = suppress_rate(f["rate"], f["collected"], f["eligible"])[0]
            # "below the requirement" beside a hidden rate would narrow it
            out["rates"].append({"instrument": known.instrument(f["instrument"]), "rate": rate,
                                 "judged": f.get("judged", True),
                                 "below": not hidden(rate) and f["rate"] is not None
                                 and f["rate"] < c["threshold"]})
    elif c["kind"] == "outcome":
        out["worse"] = [measure(f["measure"], known.instruments.get(f.get("instrument")),
                                labels.get((f.get("instrument"), f["measure"])))
                        for f in c["figures"]
                        if f["flag"] in ("alarm", "alert") and f["direction"] == "worse"
                        and (f["flag"] == "alarm" or c["threshold"] == "alert")]
    elif c["kind"] == "target":
        out["objectives"] = [{"name": named_in(f.get("name_fi"), f.get("name_en"),
                                             f.get("name_sv"), lang) or f["objective"],
                              "status": TARGET_STATUSES.get(f["status"], f["status"])}
                             for f in c["figures"]]
    elif c["kind"] == "obligations":
        out["failed"] = sum(f.get("judged", True) and not f["met"] for f in c["figures"])
    return out


def payment_groups(rows: list[dict[str, Any]], labels: dict[tuple[str, str], str],
                   known, lang: str = DEFAULT_LANGUAGE) -> list[dict[str, Any]]:
    """One entry per provider x package: episodes, base, adjustments with their
    conditions, cap and total, amounts through the small-cell rule on episodes."""
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for r in rows:
        key = (r["provider_id"], r["package_code"])
        n = r["episodes"]
        g = groups.setdefault(key, {
            "provider_id": r["provider_id"],
            "provider_name": known.provider(r["provider_id"], r["provider_name"]),
            "package": known.package(r["package_code"])[0],
            "episodes": n, "episodes_shown": suppress(n, n), "adjustments": [],
            "base": None, "cap": None, "total": None})
        amount = suppress(r["amount_eur"], n)
        if r["line"] in ("base", "cap", "total"):
            g[r["line"]] = amount
        else:
            g["adjustments"].append({
                "kind": r["line"], "amount": amount, "met": r["conditions_met"],
                "conditions": [_condition(c, labels, known, lang)
                               for c in json.loads(r["figures"])]})
    return list(groups.values())


def _total(groups: list[dict[str, Any]]) -> Any:
    """The sum of the totals; hidden as COMPLEMENTARY when a small group is hidden (it
    could be recovered from the sum). The group hidden with a small one hides its
    episodes and adjustments too: the base is the price times the episodes, and the
    segment budget's episodes add up to the groups'."""
    hide = complement(groups, "episodes")
    for i in hide:
        for k in ("episodes_shown", "base", "cap", "total"):
            groups[i][k] = COMPLEMENTARY if not hidden(groups[i][k]) else groups[i][k]
        for a in groups[i]["adjustments"]:
            a["amount"] = COMPLEMENTARY if not hidden(a["amount"]) else a["amount"]
    if any(hidden(g["total"]) for g in groups):
        return COMPLEMENTARY
    return sum(g["total"] or 0 for g in groups) if groups else None


def budget_view(rows: list[dict[str, Any]], known: Names | None = None
                ) -> list[dict[str, Any]]:
    """Segments: cost now and what the rules would pay, small cells hidden; a segment
    named as `known` names it in the report's language, else as the mart does."""
    out = []
    for r in rows:
        named = known.segments.get(r.get("segment_code")) if known else None
        out.append({"name": named[0] if named else r["segment_name_fi"],
                    "clients": suppress(r["clients"], r["clients"]),
                    "total_cost_eur": suppress(r["total_cost_eur"], r["clients"]),
                    "episodes": suppress(r["episodes"], r["episodes"]),
                    **{c: suppress(r[c], r["episodes"], r["clients"])
                       for c in ("episode_cost_eur", "rule_payment_eur", "difference_eur")}})
    # the segment table hides the same segment's clients and costs (steering.segment_view:
    # the same rows in the same order), which the headline's totals would give back here
    for count, cells in (("episodes", ("episodes", "episode_cost_eur", "rule_payment_eur",
                                       "difference_eur")),
                         ("clients", ("clients", "total_cost_eur"))):
        for i in complement(rows, count):
            for c in cells:
                out[i][c] = COMPLEMENTARY if not hidden(out[i][c]) else out[i][c]
    return out


def steering_payments(settings: Settings, period: str, lang: str = DEFAULT_LANGUAGE,
                      wh: Warehouse | None = None) -> dict[str, Any]:
    """The steering report's payments: per provider x package, the total, the budget;
    names in `lang`; from `wh` when given, else the warehouse is opened here."""
    if wh is None:
        with open_warehouse(settings.warehouse) as opened:
            return steering_payments(settings, period, lang, opened)
    known = replace(names(settings, wh, period, check_language(lang)),
                    instruments=wh.instrument_labels())
    rows = wh.rows("mart_provider_payments", period, order_by=ORDER)
    budget = wh.rows("mart_segment_budget", period, order_by="priority, segment_code")
    labels = _measure_labels(wh)
    groups = payment_groups(rows, labels, known, lang)
    return {"groups": groups, "total": _total(groups), "budget": budget_view(budget, known)}


def provider_payments(settings: Settings, period: str, provider_id: str,
                      lang: str = DEFAULT_LANGUAGE, wh: Warehouse | None = None
                      ) -> dict[str, Any]:
    """One provider's own payment lines, per package; names in `lang`; from `wh` when
    given, else the warehouse is opened here."""
    if wh is None:
        with open_warehouse(settings.warehouse) as opened:
            return provider_payments(settings, period, provider_id, lang, opened)
    known = replace(names(settings, wh, period, check_language(lang)),
                    instruments=wh.instrument_labels())
    rows = wh.rows("mart_provider_payments", period, provider_id, order_by=ORDER)
    return {"groups": payment_groups(rows, _measure_labels(wh), known, lang)}
