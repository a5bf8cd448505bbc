"""The follow-up report: the evaluation of the steering periods P1..P2 and the renewal
proposals, for the commissioner (docs/follow-up.md).

Writes `<reports_dir>/follow-up/<P1>_<P2>/follow_up_report.html` (and .pdf) from
arvo.follow_up's evaluation, which reads the warehouse only. Every figure passes the
small-cell rule here (arvo/report/disclosure.py); a change between periods is shown only
when both its ends are.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from arvo.config import Settings
from arvo.follow_up.evaluate import NONE_SEGMENT, Evaluation
from arvo.follow_up.renewal import Proposal
from arvo.messages import DEFAULT_LANGUAGE, Message, check_language, msg
from arvo.report.disclosure import (
    COMPLEMENTARY,
    complement,
    hidden,
    suppress,
    suppress_rate,
    table_cells,
)
from arvo.report.files import moved, staged, write_text
from arvo.report.formatting import environment, generated, pct
from arvo.report.labels import SCOPE_KINDS, SECTORS, Names, named_in, names, timepoint
from arvo.report.objectives import HIDDEN, figure, status
from arvo.report.warehouse import open_warehouse

TEMPLATE = "follow_up_report.html.j2"
DIRECTIONS = {"improving": msg("improving"), "worsening": msg("worsening"),
              "no_change": msg("no clear change"), "not_measurable": msg("not measurable")}
STATUS_WORDS = {"met": msg("achieved"), "near": msg("near"), "missed": msg("not achieved"),
                "not_measurable": msg("not yet measurable"),
                HIDDEN: msg("not shown: it would tell a hidden figure"), None: "–"}
"""An objective's status in the words of the steering report (objectives.html.j2)."""
KINDS = {"keep_target": msg("keep the target"), "near_target": msg("target near: keep"),
         "tighten_target": msg("tighten the target"),
         "extend_obligation": msg("extend an obligation"),
         "raise_obligation": msg("raise an obligation's minimum"),
         "obligation_on_agenda": msg("obligation on the agenda"),
         "new_objective": msg("new objective"), "review_payment": msg("review a payment rule"),
         "align_payment": msg("align a payment with its obligation")}
LINES = ("base", "uplift", "withhold", "cap", "total")
ADJUSTMENT_LINES = {"uplift": msg("uplift"), "withhold": msg("withholding")}
"""A payment adjustment's kind in words (its name, payments.yml `name`, is the
commissioner's code and is shown beside it)."""
EVERY_SECTOR = msg("every provider type")
NO_SEGMENT = msg("(no service use)")
"""The matrix's row and column of clients without a service event in a period's window."""


def sector(code: str) -> Any:
    """A provider type in words; a rule for every type (`all`) says so."""
    return EVERY_SECTOR if code == "all" else SECTORS.get(code, code)


def report_dir(settings: Settings, first: str, last: str) -> Path:
    """Where the follow-up report of the span is written."""
    return Path(settings.reports_dir) / "follow-up" / f"{first}_{last}"


def _trend(t: dict[str, Any], *ends: Any) -> dict[str, Any]:
    """A change with its words; hidden (no figure) when an end of it is hidden."""
    if any(e is None or hidden(e) for e in ends):
        t = {"change": None, "lower": None, "upper": None, "direction": "not_measurable"}
    return {**t, "word": DIRECTIONS[t["direction"]]}


def objective_view(ev: Evaluation, lang: str) -> list[dict[str, Any]]:
    """Per objective: its scope's series and change, and its providers'."""
    by_code: dict[str, dict[str, Any]] = {}
    for u in ev.objectives:
        r = u["row"]
        o = by_code.setdefault(u["objective_code"], {
            "code": u["objective_code"], "measure": r["measure"],
            "instrument": r["instrument"], "comparison": r["comparison"],
            "target": r["target"] if r["target_kind"] == "value" else None,
            "name": named_in(r["objective_name_fi"], r["objective_name_en"],
                             r.get("objective_name_sv"), lang),
            "scope": None, "providers": [], "sectors": []})
        series = [figure(s) | {"status": STATUS_WORDS[status(s)]} if s else None
                  for s in u["series"]]
        ends = [series[0] and series[0]["value"], series[-1] and series[-1]["value"]]
        last = u["series"][-1]
        # a count of periods met would tell a status hidden in the series
        all_shown = not any(s and status(s) == HIDDEN for s in u["series"])
        unit = {"id": u["scope_id"], "provider_id": u["provider_id"], "series": series,
                "name": ev.providers.get(u["provider_id"], u["scope_id"]),
                "status": STATUS_WORDS[status(last) if last else None],
                "periods_met": u["periods_met"] if all_shown else None,
                "periods_judged": u["periods_judged"] if all_shown else None,
                "trend": _trend(u["trend"], *ends)}
        if u["scope_type"] == "provider":
            o["providers"].append(unit)
        else:
            o["scope"] = unit
    for s in ev.sectors:
        o = by_code.get(s["objective_code"])
        if o is None:
            continue
        series = [figure(p) if p else None for p in s["series"]]
        ends = [series[0] and series[0]["value"], series[-1] and series[-1]["value"]]
        o["sectors"].append({"sector": sector(s["sector"]), "series": series,
                             "trend": _trend(s["trend"], *ends)})
    return list(by_code.values())


def obligation_view(ev: Evaluation, known: Names) -> dict[str, Any]:
    """The region's share of obligations met per period, the obligations' collection
    rates and failing providers (each obligation named by its package or segment,
    instrument and timepoint), and the providers failing repeatedly."""
    ob = ev.obligations
    rules = []
    for r in ob["rules"]:
        cells = [r["periods"][p] for p in ev.periods]
        rates = [suppress_rate(c["collected"] / c["eligible"] if c["eligible"] else None,
                               c["collected"], c["eligible"])[0] for c in cells]
        rules.append({**{k: r[k] for k in ("scope", "scope_code", "instrument", "timepoint",
                                            "threshold")},
                      "scope_name": known.scope(r["scope"], r["scope_code"])[0],
                      "instrument_label": known.instrument(r["instrument"]),
                      "timepoint_label": timepoint(r["timepoint"])[0],
                      "rates": rates, "failed": [c["failed"] for c in cells],
                      "judged": [c["judged"] for c in cells],
                      "trend": _trend(r["trend"], rates[0], rates[-1])})
    region = ob["region"]
    return {"region": region, "rules": rules, "repeated": ob["repeated"],
            "trend": _trend(ob["trend"], *(s["rate"] for s in region[:1] + region[-1:]))
            if region else None}


_SPAN_NAMED = ("package_code", "sector_code", "package", "sector")
_NAMED = ("period", *_SPAN_NAMED)
"""What names a row of the payment tables, over the span and per period (the rest of a
shown row are its figures)."""


def _hide_when_any(parts: list[Any], total: Any) -> Any:
    """`total` of `parts`, or COMPLEMENTARY when any of them is hidden (the total less
    the parts shown would give the hidden ones)."""
    return COMPLEMENTARY if any(hidden(p) for p in parts) else total


def _period_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One period's rows shown: each line's sum hidden under 5 episodes, and a second
    row hidden with a lone small one, so that it cannot be recovered from the period's
    total."""
    extra = complement(rows, "episodes")
    return [{**{k: r[k] for k in _NAMED}, "episodes": suppress(r["episodes"], r["episodes"]),
             **{line: COMPLEMENTARY if i in extra else suppress(amount, r["episodes"])
                for line, amount in r["sums"].items()}} for i, r in enumerate(rows)]


def _period_total(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """A period's sums over its packages, hidden under 5 episodes in all. (A lone small
    row cannot be recovered from it: _period_rows hides a second row with it.)"""
    episodes = sum(r["episodes"] for r in rows)
    return {line: suppress(sum((r["sums"][line] for r in rows if line in r["sums"]),
                               Decimal(0)), episodes)
            for line in LINES if any(line in r["sums"] for r in rows)}


def payment_view(ev: Evaluation, known: Names) -> dict[str, Any]:
    """What the payment rules paid, exact: over the span per package x provider type and
    per period for all packages; in detail per period x package x provider type (hidden
    under 5 episodes, with complementary suppression in each period); and per adjustment
    how often it was reached or kept back. A sum over the span or over an adjustment's
    providers is shown only when every period row it sums is (docs/follow-up.md)."""
    grouped: dict[tuple, dict[str, Any]] = {}
    for t in ev.payments["totals"]:
        row = grouped.setdefault((t["period"], t["package_code"], t["sector"]), {
            "period": t["period"], "package_code": t["package_code"],
            "sector_code": t["sector"], "package": known.package(t["package_code"])[0],
            "sector": sector(t["sector"]), "episodes": t["episodes"], "sums": {}})
        if t["amount_eur"] is not None:
            row["sums"][t["line"]] = t["amount_eur"]
    detail, periods, span = [], [], {}
    for p in ev.periods:
        rows = [r for r in grouped.values() if r["period"] == p]
        shown = _period_rows(rows)
        detail += shown
        periods.append({"period": p, **_period_total(rows)})
        for r, d in zip(rows, shown, strict=True):
            s = span.setdefault((r["package_code"], r["sector_code"]), {
                **{k: r[k] for k in _SPAN_NAMED}, "sums": {}, "parts": []})
            s["parts"].append(d)
            for line, amount in r["sums"].items():
                s["sums"][line] = s["sums"].get(line, Decimal(0)) + amount
    spans = [{**{k: s[k] for k in _SPAN_NAMED},
              **{line: _hide_when_any([x.get(line) for x in s["parts"]], amount)
                 for line, amount in s["sums"].items()}} for s in span.values()]
    whole = {line: _hide_when_any([p.get(line) for p in periods], sum(
        (s["sums"].get(line, Decimal(0)) for s in span.values()), Decimal(0)))
        for line in LINES if any(line in s["sums"] for s in span.values())}
    adjustments = []
    for a in ev.payments["adjustments"]:
        drawn = [d.get(a["line"]) for d in detail if d["package_code"] == a["package_code"]
                 and a["rule_sector"] in ("all", d["sector_code"])]
        adjustments.append({**a, "amount_eur": _hide_when_any(drawn, a["amount_eur"]),
                            "package": known.package(a["package_code"])[0],
                            "sector": sector(a["rule_sector"]),
                            "kind": ADJUSTMENT_LINES.get(a["line"], a["line"])})
    return {"rows": detail, "lines": LINES, "periods": periods, "span": spans,
            "whole": whole, "adjustments": adjustments}


def outcome_view(ev: Evaluation, known: Names) -> dict[str, Any]:
    """Per package x instrument the pooled mean change per period and its change; the
    withhold groups' relative adjusted outcomes."""
    packages = []
    for p in ev.outcomes["packages"]:
        series = [{"mean": suppress(s["mean"], s["n"]), "n": suppress(s["n"], s["n"]),
                   "lower": s["lower"], "upper": s["upper"]} if s else None
                  for s in p["series"]]
        ends = [series[0] and series[0]["mean"], series[-1] and series[-1]["mean"]]
        packages.append({**{k: p[k] for k in ("package_code", "instrument", "measure",
                                               "measure_label", "decimals",
                                               "higher_is_better")},
                         "package": known.package(p["package_code"])[0],
                         "series": series, "trend": _trend(p["trend"], *ends)})
    groups = [{**g, "package": known.package(g["package_code"])[0],
               "relative": suppress(g["relative"], g["pairs"])}
              for g in ev.outcomes["withhold_groups"]]
    return {"packages": packages, "groups": groups}


def segment_view(ev: Evaluation, lang: str, known: Names | None = None) -> dict[str, Any]:
    """Segment sizes per period, and the moves P1 -> P2 as a matrix of client counts,
    small cells hidden with the cells that keep them from the segments' sizes
    (disclosure.table_cells); segments named as the register of `known` names them (in
    Swedish too), else as the mart does."""
    sizes: dict[str, dict[str, Any]] = {}
    for s in ev.segments["sizes"]:
        code = s["segment_code"]
        seg = sizes.setdefault(code, {
            "code": code, "periods": {},
            "name": (known and known.segments.get(code, (None,))[0])
            or named_in(s["segment_name_fi"], s["segment_name_en"], None, lang) or code})
        seg["periods"][s["period"]] = {"clients": suppress(s["clients"], s["clients"]),
                                      "cost": suppress(s["total_cost_eur"], s["clients"])}
    codes = [*sizes, NONE_SEGMENT]
    shown_as = {**{c: seg["name"] for c, seg in sizes.items()}, NONE_SEGMENT: NO_SEGMENT}
    counts = {(m["from_segment"], m["to_segment"]): m["clients"] for m in ev.segments["moves"]}
    # (none) to (none): outside the region's service use in both windows, no such cell
    table = [[None if f == t == NONE_SEGMENT else counts.get((f, t), 0) for t in codes]
             for f in codes]
    matrix = []
    for f, row, shown in zip(codes, table, table_cells(table), strict=True):
        moved = sum(n or 0 for t, n in zip(codes, row, strict=True) if t != f)
        stayed = shown[codes.index(f)]
        matrix.append({"from": f, "name": shown_as[f],
                       "cells": [{"to": t, "n": n} for t, n in zip(codes, shown, strict=True)],
                       # the row's total less the clients who stayed: hidden with them
                       "moved": COMPLEMENTARY if hidden(stayed) else suppress(moved, moved)})
    return {"sizes": list(sizes.values()), "columns": [shown_as[c] for c in codes],
            "matrix": matrix, "has_moves": bool(counts),
            "unrecorded": ev.segments["unrecorded"]}


def _reason(p: Proposal, known: Names, objectives: dict[str, str], lang: str) -> Message:
    """A proposal's reason with what it names as the report names it: packages, segments,
    instruments, provider types, objectives and obligations by name in the report's
    language (the proposal's subject, its file and key keep the codes), and a share as
    the language writes a percentage."""
    args = dict(p.reason.args)
    if "coverage" in args and isinstance(p.figures.get("coverage"), float):
        args["coverage"] = pct(p.figures["coverage"], 0, lang)
    if args.get("scope") in SCOPE_KINDS:  # a new objective's "{scope} {code}"
        args["code"] = known.scope(args["scope"], args["code"])[0]
        args["scope"] = SCOPE_KINDS[args["scope"]][0]
    if p.kind == "obligation_on_agenda":
        f = p.figures
        args["obligation"] = msg("{scope}: {instrument}, {timepoint}",
                                 scope=known.scope(f["scope"], f["scope_code"])[0],
                                 instrument=known.instrument(f["instrument"]),
                                 timepoint=timepoint(f["timepoint"])[0])
    namers = {"package": lambda c: known.package(c)[0], "segment": lambda c: known.segment(c)[0],
              "source": lambda c: known.segment(c)[0], "instrument": known.instrument,
              "sector": sector,
              # an objective's name is a sentence of its own: quoted as the language quotes
              "objective": lambda c: msg("“{name}”", name=objectives[c]) if c in objectives
              else c}
    for key, name in namers.items():
        if isinstance(args.get(key), str) and not isinstance(args[key], Message):
            args[key] = name(args[key])
    return Message(p.reason.template, args)


def proposal_view(proposals: list[Proposal], known: Names, objectives: dict[str, str],
                  lang: str) -> list[dict[str, Any]]:
    """The proposals with their reasons in the report's words and language, each a
    sentence (`objectives`: code -> name)."""
    out = []
    for p in proposals:
        reason = _reason(p, known, objectives, lang).render(lang)
        out.append({"kind": KINDS.get(p.kind, p.kind), "code": p.kind, "subject": p.subject,
                    "file": p.file, "key": p.key, "old": p.old,
                    "new": p.new if not isinstance(p.new, list | dict) else None,
                    "reason": reason[:1].upper() + reason[1:], "changes": p.changes})
    return out


def render(settings: Settings, ev: Evaluation, proposals: list[Proposal],
           draft: dict[str, Any], lang: str = DEFAULT_LANGUAGE) -> Path:
    """Write the follow-up report of `ev` in `lang`; return its path."""
    check_language(lang)
    with open_warehouse(settings.warehouse) as wh:  # the names as the last period had them
        known = replace(names(settings, wh, ev.last, lang), instruments=wh.instrument_labels())
    objectives = objective_view(ev, lang)
    html = environment(settings.templates_dir, lang).get_template(TEMPLATE).render(
        lang=lang, first=ev.first, last=ev.last, periods=ev.periods, versions=ev.versions,
        generated=generated(lang), objectives=objectives,
        obligations=obligation_view(ev, known), payments=payment_view(ev, known),
        outcomes=outcome_view(ev, known), segments=segment_view(ev, lang, known),
        proposals=proposal_view(proposals, known, {o["code"]: o["name"] for o in objectives},
                                lang),
        draft=draft)
    return write_text(report_dir(settings, ev.first, ev.last) / "follow_up_report.html", html)


def render_report(settings: Settings, ev: Evaluation, renewal: Any, lang: str = DEFAULT_LANGUAGE,
                  pdf: bool = False) -> list[Path]:
    """Write the report of a follow-up and its renewal (arvo.follow_up.draft.Renewal);
    with `pdf`, its PDF too, the folder written aside and swapped in whole
    (arvo.report.files.staged). Returns the paths written."""
    draft = {"version": renewal.version, "in_force_from": renewal.in_force_from,
             "path": str(renewal.path), "files": renewal.files}
    from arvo.report.pdf import write_pdf

    with staged(settings, report_dir(settings, ev.first, ev.last)) as aside:
        html = render(aside, ev, renewal.proposals, draft, lang)
        written = [html, write_pdf(html)] if pdf else [html]
    return moved(written, aside, settings)
