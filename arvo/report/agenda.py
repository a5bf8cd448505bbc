"""The agenda of a provider's steering meeting: what is worth discussing, most important first.

Built from what the reports already read (the funnel verdicts, the PROM obligations, the
outcome history, the data quality of the window and the actions agreed at earlier
meetings: mart_meeting_agreements), so the commissioner's agenda and the provider's own
copy say the same. Each item has a title, the figures behind it and a question to
discuss. The order (docs/agenda.md):

1. worse than expected beyond the 99.8 % limits (alarm)
2. a payment adjustment lost or withheld (mart_provider_payments, when payment rules exist)
3. a PROM collection obligation not met
4. a target missed (mart_objective_attainment, when objectives exist)
5. worse than expected beyond the 95 % limits (alert)
6. a deteriorating trend: the adjusted outcome fell from the previous period by more than
   1.96 standard errors of the difference
7. data quality that undermines the figures: a rejected file, 5 % or more of the rows
   quarantined, or months with no files in the window
8. better than expected beyond the 99.8 % limits: practice worth sharing

Actions agreed at earlier meetings and still open come first, apart from the ranked items.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

from arvo.messages import DEFAULT_LANGUAGE, N_, Message, joined, localized, msg
from arvo.report.disclosure import SMALL_CELL, hidden, is_small
from arvo.report.formatting import eur, integer, month, number, pct
from arvo.report.labels import Names
from arvo.report.objectives import figure

QUARANTINE_SHARE = 0.05
"""Quarantined rows at or above this share of the window's rows in make an agenda item."""

TREND_Z = 1.96
"""A fall in the adjusted outcome beyond this many standard errors of the difference."""

RANKS = {"alarm": 1, "payment": 2, "obligation": 3, "target": 4, "alert": 5, "trend": 6,
         "data_quality": 7, "better": 8}

QUESTIONS = {
    "alarm": msg("What explains the result, what will change in the care, and how will the "
                 "change show in the next period's figures?"),
    "obligation": msg("Why are the questionnaires not collected, and how will collection "
                      "be fixed before the next period?"),
    "alert": msg("Is this a signal worth acting on now? What would the provider look at "
                 "first?"),
    "trend": msg("What changed since the previous period, and is the fall likely to go on?"),
    "data_quality": msg("What stops the files from passing, and who fixes them by when? "
                        "Until then the figures rest on part of the data."),
    "better": msg("What does the provider do differently, and could others learn from it?"),
    "payment": msg("Which condition failed, what would meet it next period, and does the "
                   "provider accept the figures it rests on?"),
    "target": msg("What stands between the provider and the target, and what is a realistic "
                  "step by the next period?"),
}

CONDITIONS = {
    "participation": N_("PROM participation below the threshold"),
    "outcome": N_("case-mix adjusted outcome significantly below average"),
    "obligations": N_("PROM collection obligations not met"),
}
"""The conditions of a payment adjustment (mart_provider_payments.failed_conditions)."""


def agendas(groups: list[dict[str, Any]], compliance: list[dict[str, Any]],
            history: list[dict[str, Any]], data_quality: list[dict[str, Any]],
            missing_months: dict[str, list[str]], agreements: list[dict[str, Any]],
            names: Names, period: str, payments: list[dict[str, Any]] = (),
            targets: list[dict[str, Any]] = (),
            lang: str = DEFAULT_LANGUAGE) -> dict[str, dict[str, Any]]:
    """provider_id -> its agenda: `carried` (open agreed actions) and `points` (the ranked items).

    `groups` are funnel_groups (any view), `compliance` compliance_view rows, `history`
    mart_provider_funnel rows of this and earlier periods, `data_quality` the period's
    mart_provider_data_quality rows, `missing_months` the window's months without files
    per provider, `agreements` the period's mart_meeting_agreements rows, `payments` its
    mart_provider_payments rows, `targets` its mart_objective_attainment rows.
    """
    items: dict[str, list[tuple[int, int, dict[str, Any]]]] = defaultdict(list)

    def add(pid: str, kind: str, title: Message, figures: Message, order: int = 0) -> None:
        # messages: the report's environment renders them in its language
        items[pid].append((RANKS[kind], order, {
            "kind": kind, "title": title, "figures": figures, "question": QUESTIONS[kind]}))

    for g in groups:
        for m in g["members"]:
            v = m["verdict"]
            if v["key"] not in ("worse", "better") or not v["level"]:
                continue
            kind = "better" if v["key"] == "better" else v["level"]
            if kind == "better" and v["level"] != "alarm":
                continue
            add(m["provider_id"], kind, _verdict_title(g, kind), _verdict_figures(g, m, lang))
    failing: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for c in compliance:  # one item per provider and package (or segment)
        if c["status"] == "fail":
            failing[(c["provider_id"], c["scope"], c["scope_code"])].append(c)
    for order, ((pid, _scope, _code), found) in enumerate(failing.items()):
        add(pid, "obligation",
            msg("PROM collection obligations not met: {scope}", scope=found[0]["scope_fi"]),
            joined([msg("{instrument}, {timepoint}: {figures}", instrument=c["instrument"],
                        timepoint=str(localized(c["timepoint_fi"], lang)).lower(),
                        figures=_obligation_figures(c, lang)) for c in found]), order)
    for pid, found in _falls(history, period, names, lang).items():
        for order, (title, figures) in enumerate(found):
            add(pid, "trend", title, figures, order)
    for pid, (title, figures) in _data_quality(data_quality, missing_months, lang).items():
        add(pid, "data_quality", title, figures)
    for order, r in enumerate(payments):
        if r["line"] in ("uplift", "withhold") and r["conditions_met"] is False:
            add(r["provider_id"], "payment", *_payment(r, names, lang), order)
    for order, r in enumerate(targets):
        # not where the targets grid hides the status: the item would tell it
        if (r["scope_type"] == "provider" and r["status"] == "missed"
                and not r.get("status_tells_small")):
            add(r["provider_id"], "target", *_target(r, lang), order)

    carried: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for a in agreements:
        carried[a["provider_id"]].append({
            "meeting": a["meeting"], "topic": a["topic"], "action": a["action"],
            "responsible": a["responsible"], "due": a.get("due"), "late": bool(a["is_due"])})
    out = {}
    for pid in sorted(set(items) | set(carried), key=names.provider):
        ranked = [item for _, _, item in sorted(items[pid], key=lambda t: (t[0], t[1]))]
        out[pid] = {"provider_id": pid, "provider_name": names.provider(pid),
                    "carried": sorted(carried[pid], key=lambda a: (not a["late"], a["meeting"])),
                    "points": ranked}
    return out


_VERDICT_TITLES = {
    "alarm": N_("{package}: {measure} clearly worse than expected (beyond the 99.8 % limit)"),
    "alert": N_("{package}: {measure} worse than expected (beyond the 95 % limit)"),
    "better": N_("{package}: {measure} clearly better than expected (beyond the 99.8 % "
                 "limit)"),
}


def _verdict_title(g: dict[str, Any], kind: str) -> Message:
    return Message(_VERDICT_TITLES[kind], {"package": g["package_fi"],
                                           "measure": g["instrument_label"]})


def _verdict_figures(g: dict[str, Any], m: dict[str, Any], lang: str) -> Message:
    d = g["decimals"]
    pairs = (msg("fewer than {n}", n=SMALL_CELL) if hidden(m["pairs"])
             else integer(m["pairs"], lang))
    if m.get("adjusted") is None or hidden(m["adjusted"]) or g.get("target") is None:
        return msg("{pairs} pairs of questionnaires", pairs=pairs)
    return msg("case-mix adjusted result {adjusted} against the average of all providers "
               "{target}; {pairs} pairs of questionnaires",
               adjusted=number(m["adjusted"], d, lang), target=number(g["target"], d, lang),
               pairs=pairs)


def _obligation_figures(c: dict[str, Any], lang: str) -> Message:
    required = number(c["min_rate"] * 100, 0, lang)
    if hidden(c["rate"]):  # a rate resting on 1-4 questionnaires is not shown
        return msg("collected from fewer than {n} episodes; required {required} %",
                   n=SMALL_CELL, required=required)
    return msg("collected from {rate} % of the episodes due; required {required} %",
               rate=number(c["rate"] * 100, 0, lang), required=required)


def _falls(history: list[dict[str, Any]], period: str, names: Names, lang: str
           ) -> dict[str, list[tuple[Message, Message]]]:
    """Per provider, the primary measures whose adjusted outcome fell significantly from
    the previous period to this one (both judged: at least min_pairs pairs)."""
    series: dict[tuple, dict[str, dict[str, Any]]] = defaultdict(dict)
    for r in history:
        if r.get("is_primary") is False:
            continue
        series[(r["provider_id"], r["package_code"], r["instrument"], r["measure"])][
            r["period"]] = r
    out: dict[str, list[tuple[Message, Message]]] = defaultdict(list)
    for (pid, _package, _instrument, _measure), by_period in sorted(series.items()):
        earlier = sorted(p for p in by_period if p < period)
        if period not in by_period or not earlier:
            continue
        now, before = by_period[period], by_period[earlier[-1]]
        if not (_judged(now) and _judged(before)):
            continue
        fall = now["adjusted"] - before["adjusted"]
        if now.get("higher_is_better") is False:
            fall = -fall
        se = math.sqrt(now["se"] ** 2 + before["se"] ** 2)
        if se > 0 and fall < -TREND_Z * se:
            d = now.get("decimals") if now.get("decimals") is not None else 1
            out[pid].append((
                msg("{package}: {measure} fell since the previous period",
                    package=names.package(now["package_code"])[0],
                    measure=now.get("instrument_label") or names.instrument(now["instrument"])),
                msg("case-mix adjusted result {now} ({pairs} pairs) against {before} in "
                    "{previous}; the fall is beyond the uncertainty of the two results",
                    now=number(now["adjusted"], d, lang), pairs=integer(now["pairs"], lang),
                    before=number(before["adjusted"], d, lang),
                    previous=month(earlier[-1], lang))))
    return out


def _payment(r: dict[str, Any], names: Names, lang: str) -> tuple[Message, Message]:
    """A lost uplift or a withheld share, with the conditions that failed."""
    failed = [Message(CONDITIONS.get(k, k)) for k in (r["failed_conditions"] or "").split(",")
              if k]
    package = names.package(r["package_code"])[0]
    if r["line"] == "uplift":
        return (msg("{package}: the outcome-based uplift is not paid", package=package),
                msg("condition not met: {conditions}", conditions=joined(failed)))
    shown = not is_small(r["episodes"])  # an amount resting on 1-4 episodes is hidden
    return (msg("{package}: part of the payment is withheld", package=package),
            msg("{amount} withheld; condition not met: {conditions}",
                amount=eur(abs(r["amount_eur"]), 0, lang) if shown
                else msg("fewer than {n} episodes", n=SMALL_CELL),
                conditions=joined(failed)))


def _target(r: dict[str, Any], lang: str) -> tuple[Message, Message]:
    """A missed objective with the provider's figure against the target."""
    shown = figure(r)
    value = shown["value"]

    def fmt(v: Any) -> str:
        return pct(v, 0, lang) if shown["share"] else number(v, 3, lang)

    name = {"sv": r.get("objective_name_sv"), "en": r.get("objective_name_en")}.get(lang)
    title = msg("Target missed: {objective}", objective=name or r["objective_name_fi"])
    if hidden(value) or value is None or r.get("target") is None:
        return title, msg("the figure rests on fewer than {n} clients", n=SMALL_CELL)
    return title, msg("{value} against the target {target}", value=fmt(value),
                      target=fmt(r["target"]))


def missing_months(data_quality: list[dict[str, Any]], providers: list[str],
                   months: list[str]) -> dict[str, list[str]]:
    """Per provider of the register, the window's months it sent no file for (a provider
    with no file at all in the window is left to the data-quality section)."""
    sent: dict[str, set[str]] = defaultdict(set)
    for r in data_quality:
        sent[r["provider_id"]].add(r["month"])
    return {pid: [m for m in months if m not in sent[pid]] for pid in providers
            if sent[pid] and any(m not in sent[pid] for m in months)}


def _judged(r: dict[str, Any]) -> bool:
    """Judged, and on 5 pairs or more: the agenda prints the pairs and adjusted outcomes
    (definitions allow a min_pairs under 5)."""
    return (r.get("adjusted") is not None and r.get("se") is not None
            and r["pairs"] >= max(r.get("min_pairs") or 0, SMALL_CELL)
            and r.get("flag") != "too_few_pairs")


def _data_quality(rows: list[dict[str, Any]], missing_months: dict[str, list[str]],
                  lang: str) -> dict[str, tuple[Message, Message]]:
    """Per provider, what in the window's data undermines its figures, if anything."""
    totals: dict[str, dict[str, int]] = defaultdict(lambda: {"rows_in": 0, "quarantined": 0,
                                                             "rejected": 0})
    for r in rows:
        t = totals[r["provider_id"]]
        if r["status"] in ("accepted", "partial", "rejected", "empty"):
            t["rows_in"] += r.get("rows_in") or 0
            t["quarantined"] += r.get("rows_quarantined") or 0
        t["rejected"] += r["status"] == "rejected"
    out = {}
    for pid in sorted(set(totals) | set(missing_months)):
        t, missing = totals[pid], missing_months.get(pid, [])
        share = t["quarantined"] / t["rows_in"] if t["rows_in"] else 0.0
        parts = []
        if t["rejected"]:
            parts.append(msg("{files} file(s) rejected whole", files=t["rejected"]))
        if share >= QUARANTINE_SHARE:
            parts.append(msg("{quarantined} of {rows} rows quarantined ({share} %)",
                             quarantined=integer(t["quarantined"], lang),
                             rows=integer(t["rows_in"], lang), share=number(share * 100, 1, lang)))
        if len(missing) > 3:
            parts.append(msg("no files for {n} months of the window ({first} – {last})",
                             n=len(missing), first=month(missing[0], lang),
                             last=month(missing[-1], lang)))
        elif missing:
            parts.append(msg("no files for {months}",
                             months=", ".join(month(m, lang) for m in missing)))
        if parts:
            out[pid] = (msg("Data quality undermines the figures"), joined(parts))
    return out
