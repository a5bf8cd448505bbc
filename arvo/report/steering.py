"""The commissioner's steering report: aggregates only, every small cell suppressed.

Writes `<reports_dir>/<period>/steering_report.html` from the marts of the period.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from arvo.config import Settings
from arvo.messages import DEFAULT_LANGUAGE, check_language
from arvo.quality import obligations
from arvo.quality.obligations import STATUSES
from arvo.report.agenda import agendas, missing_months
from arvo.report.compliance import COMPLIANCE_ORDER, compliance_view
from arvo.report.disclosure import (
    COMPLEMENTARY,
    complement,
    complement_rows,
    hidden,
    is_small,
    share_is_small,
    suppress,
    suppress_rate,
)
from arvo.report.files import write_text
from arvo.report.formatting import environment, generated, stable, window
from arvo.report.labels import KAISER_FI, SENT_STATUSES, Names, measure, names, value_set
from arvo.report.objectives import steering_objectives
from arvo.report.outcomes import attention, funnel_groups, model_notes, noteworthy, trends
from arvo.report.payments import steering_payments
from arvo.report.preview import late_count, period_status, submission_list
from arvo.report.value import qaly_years, value_groups
from arvo.report.warehouse import FUNNEL, FUNNEL_ORDER, MODELS, Warehouse, open_warehouse

_SEGMENT_CELLS = ("clients", "client_share", "total_cost_eur", "cost_per_client_eur",
                  "cost_share")
"""A segment's cells on its clients, hidden with them."""

_OUTCOME_CELLS = ("pairs", "baseline_mean", "change_mean")
"""A segment's cells on an instrument's pairs, hidden with them (the MID share has its
own rule: suppress_rate)."""


def segment_instruments(outcome_rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The instruments of the segment table, in mart_segment_outcomes' order, with how
    each score is shown (seed prom_measures through the mart)."""
    keys = ("instrument", "instrument_label", "higher_is_better",
            "decimals", "min_score", "max_score", "mid")
    out: dict[str, dict[str, Any]] = {}
    for r in outcome_rows:
        if r["instrument"] not in out:
            out[r["instrument"]] = {
                **{k: r.get(k) for k in keys}, "value_set": value_set(r.get("value_set")),
                "measure_label": measure(r.get("measure"), r.get("instrument_label"),
                                         r.get("measure_label"))}
    return list(out.values())


SEGMENT_INSTRUMENTS_PER_TABLE = 2
"""How many instruments' column groups (four columns each) one segment table holds beside
the clients and costs, so that it fits a landscape A4 page; the further instruments'
groups follow in tables of their own, each naming the segments again."""


def segment_tables(instruments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The segment table split by SEGMENT_INSTRUMENTS_PER_TABLE: the first with the clients
    and costs, each with its instruments as (index in `instruments`, instrument)."""
    per, numbered = SEGMENT_INSTRUMENTS_PER_TABLE, list(enumerate(instruments))
    groups = [numbered[k:k + per] for k in range(0, len(numbered), per)] or [[]]
    return [{"first": n == 0, "instruments": g} for n, g in enumerate(groups)]


def outside_segments(gain_rows: list[dict[str, Any]], outcome_rows: list[dict[str, Any]]
                     ) -> dict[str, dict[str, int]]:
    """Per instrument, the pairs of clients in no segment (no service use in the window),
    and of them those that reached the MID: the value table's pairs (every provider and
    package, mart_provider_measure_value) less the segment table's. Both sums are shown,
    so their difference is too, and it passes the small-cell rule with the segments."""
    out: dict[str, dict[str, int]] = {}
    for sign, table in ((1, gain_rows), (-1, outcome_rows)):
        for r in table:
            o = out.setdefault(r["instrument"], {"pairs": 0, "mid_improved": 0})
            o["pairs"] += sign * (r["pairs"] or 0)
            o["mid_improved"] += sign * (r.get("mid_improved") or 0)
    return {k: v for k, v in out.items() if v["pairs"] > 0}


def segment_view(rows: list[dict[str, Any]], outcome_rows: list[dict[str, Any]],
                 names: Names | None = None,
                 outside: dict[str, dict[str, int]] | None = None) -> list[dict[str, Any]]:
    """Segments' clients and costs (mart_segment_value) and, per instrument of
    `segment_instruments`, their pairs' outcomes (mart_segment_outcomes), with small and
    complementary cells hidden; a segment named by `names` (a report in another language
    than Finnish) so, else as the mart names it (`name_fi` holds the name shown).
    `outside` (`outside_segments`): the pairs in no segment, per instrument, which the
    report gives by difference: when they are small, a segment's pairs are hidden too."""
    instruments = [i["instrument"] for i in segment_instruments(outcome_rows)]
    by_key = {(r["segment_code"], r["instrument"]): r for r in outcome_rows}
    out = []
    counts: list[list[dict[str, Any]]] = [[] for _ in instruments]  # pairs, per instrument
    for r in rows:
        named = names.segments.get(r["segment_code"]) if names else None
        v = {
            "code": r["segment_code"],
            "name_fi": named[0] if named else r["segment_name_fi"],
            "name_en": r["segment_name_en"], "kaiser_level": r["kaiser_level"],
            "kaiser_fi": KAISER_FI.get(r["kaiser_level"], r["kaiser_level"]),
            **{c: suppress(r.get(c), r["clients"]) for c in _SEGMENT_CELLS},
            "outcomes": [],
        }
        for k, instrument in enumerate(instruments):
            o = by_key.get((r["segment_code"], instrument)) or {"pairs": 0}
            mid = o.get("mid_improved") or 0
            counts[k].append({"pairs": o["pairs"], "mid": mid, "rest": o["pairs"] - mid})
            cells = {c: suppress(o.get(c), o["pairs"]) for c in _OUTCOME_CELLS}
            cells["mid_share"] = suppress_rate(o.get("mid_share"), o.get("mid_improved"),
                                               o["pairs"])[0]
            v["outcomes"].append(cells)
        out.append(v)
    # Complementary suppression, per count the cells depend on.
    for i in complement(rows, "clients"):
        for c in _SEGMENT_CELLS:
            if not hidden(out[i][c]):
                out[i][c] = COMPLEMENTARY
    for k, pairs in enumerate(counts):
        # the pairs outside every segment: a row of the list the report does not show
        none = (outside or {}).get(instruments[k], {"pairs": 0, "mid_improved": 0})
        pairs.append({"pairs": none["pairs"], "mid": none["mid_improved"],
                      "rest": none["pairs"] - none["mid_improved"]})
        unshown = {len(out)}
        for i in complement_rows(pairs, ("pairs",),
                                 {i for i, c in enumerate(pairs) if is_small(c["pairs"])},
                                 unshown):
            for c in _OUTCOME_CELLS:
                if not hidden(out[i]["outcomes"][k][c]):
                    out[i]["outcomes"][k][c] = COMPLEMENTARY
        # the MID shares: their numerators and rests add up to the providers' (value table)
        shares = {i for i, v in enumerate(out) if hidden(v["outcomes"][k]["mid_share"])}
        if share_is_small(none["mid_improved"], none["pairs"]):
            shares |= unshown
        for i in complement_rows(pairs, ("mid", "rest", "pairs"), shares, unshown):
            out[i]["outcomes"][k]["mid_share"] = COMPLEMENTARY
    return out


def hide_segment_targets(objectives: list[dict[str, Any]], segments: list[dict[str, Any]],
                         instruments: list[dict[str, Any]]) -> None:
    """A segment's target rests on the segment table's count (its pairs of the target's
    instrument, or its clients): where the table hides that count beside another
    segment's, the target's figure is hidden too ("..", its value, interval and n), or
    it would give back what the table's total less the shown rows hides."""
    order = [i["instrument"] for i in instruments]
    by_code = {s["code"]: s for s in segments}
    for o in objectives:
        segment = by_code.get(o["scope_code"]) if o["scope"] == "segment" else None
        if segment is None:
            continue
        if o["instrument_code"] in order:
            cell = segment["outcomes"][order.index(o["instrument_code"])]["pairs"]
        else:
            cell = segment["clients"]
        if hidden(cell):
            # the figure and the trend's last point, this period's
            for figure in (o["whole"], o["whole"]["trend"][-1]):
                for key in ("value", "n"):
                    figure[key] = figure[key] if hidden(figure[key]) else COMPLEMENTARY
                figure["ci_lower"] = figure["ci_upper"] = None


def concentration_view(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The share of costs of the costliest clients, with its bar."""
    out = []
    for r in rows:
        n = r["clients_in_top"]
        share = suppress(r["cost_share"], n)
        out.append({
            "top_share": r["top_share"],
            "clients_in_top": suppress(n, n),
            "cost_in_top_eur": suppress(r["cost_in_top_eur"], n),
            "cost_share": share,
            "bar": None if hidden(share) or share is None else round(stable(share * 100), 1),
            "equal": round(float(r["top_share"]) * 100, 1),
        })
    return sorted(out, key=lambda r: r["top_share"])


def quality_view(rows: list[dict[str, Any]], provider_ids: Iterable[str],
                 names: Names, unread: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per provider: files sent, rejected and empty, rows, and items not read."""
    def start(pid: str) -> dict[str, Any]:
        return {"provider_id": pid, "provider_name": names.provider(pid), "files": 0,
                "files_rejected": 0, "files_partial": 0, "files_empty": 0, "rows_in": 0,
                "rows_accepted": 0, "rows_quarantined": 0, "blank_lines": 0,
                "months": set(), "unrecognised": 0, "files_late": 0}

    agg = {pid: start(pid) for pid in provider_ids}
    for r in rows:
        a = agg.setdefault(r["provider_id"], start(r["provider_id"]))
        a["provider_name"] = names.provider(r["provider_id"], r["provider_name"])
        a["files"] += r["status"] in SENT_STATUSES
        a["files_rejected"] += r["status"] == "rejected"
        a["files_partial"] += r["status"] == "partial"
        a["files_empty"] += r["status"] == "empty"
        a["files_late"] += bool(r.get("is_late")) and r["status"] in SENT_STATUSES
        for c in ("rows_in", "rows_accepted", "rows_quarantined", "blank_lines"):
            a[c] += r.get(c) or 0
        a["months"].add(r["month"])
    for u in unread:
        if u["provider_id"] in agg:
            agg[u["provider_id"]]["unrecognised"] += 1
    out = []
    for a in agg.values():
        a["months"] = len(a["months"])
        a["quarantine_share"] = a["rows_quarantined"] / a["rows_in"] if a["rows_in"] else None
        a["attention"] = bool(a["files_rejected"] or a["files"] == 0 or a["unrecognised"]
                              or (a["quarantine_share"] or 0) >= 0.05)
        out.append(a)
    return sorted(out, key=lambda a: a["provider_name"])


def compliance_matrix(compliance: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Providers x obligations, one table per package, then one per client segment with
    obligations; cells of `compliance_view` rows."""
    by_scope: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for c in compliance:
        by_scope[(c["scope"], c["scope_code"])].append(c)
    out = []
    for (scope, code), cells in sorted(by_scope.items(),
                                       key=lambda kv: (kv[0][0] != "package", kv[0][1])):
        keys: dict[tuple[str, str], dict[str, Any]] = {}
        for c in cells:
            keys.setdefault((c["instrument_code"], c["timepoint"]), c)
        columns = sorted(keys, key=lambda k: (
            keys[k]["timepoint_order"] if keys[k]["timepoint_order"] is not None
            else (0 if k[1] == "baseline" else 1), k[1], k[0]))
        grid: dict[str, dict[tuple[str, str], dict[str, Any]]] = defaultdict(dict)
        provider_names = {}
        for c in cells:
            grid[c["provider_id"]][(c["instrument_code"], c["timepoint"])] = c
            provider_names[c["provider_id"]] = c["provider_name"]
        rows = [{"provider_id": pid, "provider_name": provider_names[pid],
                 "failing": sum(c["status"] == "fail" for c in grid[pid].values()),
                 "cells": [grid[pid].get(k) for k in columns]}
                for pid in sorted(grid, key=lambda q: provider_names[q])]
        first = cells[0]
        out.append({
            "package_code": first["package_code"], "package_fi": first["package_fi"],
            "package_en": first["package_en"], "scope": scope, "scope_code": code,
            "scope_fi": first["scope_fi"], "scope_en": first["scope_en"],
            "scope_kind_fi": first["scope_kind_fi"], "scope_kind_en": first["scope_kind_en"],
            "columns": [{"instrument": keys[k]["instrument"], "timepoint": k[1],
                         "timepoint_fi": keys[k]["timepoint_fi"],
                         "measure": keys[k]["measure"]} for k in columns],
            "rows": rows,
        })
    return out


def obligation_checks(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts of the period's Great Expectations obligation checks by status; the checks
    that could not run are counted, their technical cause stays in the run's log and the
    warehouse (obligation_results.message)."""
    small = [r for r in results if is_small(r["eligible_episodes"])]
    counts = Counter(r["status"] for r in results if not is_small(r["eligible_episodes"]))
    return {"total": len(results) - len(small), "small": len(small),
            **{s: counts.get(s, 0) for s in STATUSES},
            "errors": sum(r["status"] == "error" for r in results)}


def steering_context(settings: Settings, period: str, lang: str = DEFAULT_LANGUAGE,
                     wh: Warehouse | None = None) -> dict[str, Any]:
    """Everything the steering report shows: aggregates only, small cells suppressed;
    names, messages and figures in `lang`; from `wh` when given, else the warehouse is
    opened here."""
    if wh is None:
        with open_warehouse(settings.warehouse) as opened:
            return steering_context(settings, period, lang, opened)
    win = window(period, check_language(lang))
    known = names(settings, wh, period, lang)
    version = wh.definitions_version(period)
    seg_rows = wh.rows("mart_segment_value", period, order_by="priority, segment_code")
    seg_outcomes = wh.rows("mart_segment_outcomes", period,
                           order_by="priority, segment_code, instrument")
    seg_instruments = segment_instruments(seg_outcomes)
    conc_rows = wh.rows("mart_cost_concentration", period, order_by="top_share")
    out_rows = wh.outcome_rows(period)
    comp_rows = wh.rows("mart_prom_compliance", period,
                        order_by=f"{COMPLIANCE_ORDER}, provider_id")
    dq_rows = wh.rows("mart_provider_data_quality", period,
                      order_by="provider_id, month, entity")
    unread = wh.rows("mart_provider_unrecognised_items", period, order_by="provider_id, path")
    checked = wh.rows(obligations.TABLE, period, order_by="provider_id, rule")
    funnel_rows = wh.rows(FUNNEL, period, order_by=FUNNEL_ORDER)
    history = wh.history(FUNNEL, period, order_by=FUNNEL_ORDER)
    models = wh.rows(MODELS, period, order_by="package_code, instrument, measure")
    cost_rows = wh.rows("mart_provider_value", period,
                        order_by="package_code, provider_id")
    gain_rows = wh.rows("mart_provider_measure_value", period,
                        order_by="package_code, provider_id, instrument, measure")
    thresholds = wh.measure_thresholds()
    agreed = wh.rows("mart_meeting_agreements", period,
                     order_by="provider_id, meeting, agreement_row")
    paid = wh.rows("mart_provider_payments", period,
                   order_by="provider_id, package_code, line_order")
    attained = wh.rows("mart_objective_attainment", period,
                       order_by="objective_code, scope_type, scope_id")
    known = replace(known, instruments=wh.instrument_labels())
    targets = steering_objectives(wh, period, known, lang)
    status = period_status(wh, period)

    clients = sum(r["clients"] or 0 for r in seg_rows)
    cost = sum(r["total_cost_eur"] or 0 for r in seg_rows)
    if not seg_rows and conc_rows:
        clients, cost = conc_rows[0]["clients_total"] or 0, conc_rows[0]["cost_total_eur"] or 0
    compliance = compliance_view(comp_rows, known, suppress_small=True)
    quality = quality_view(dq_rows, known.providers if dq_rows else [], known, unread)
    funnels = funnel_groups(funnel_rows, known, lang=lang)
    flagged = [m["verdict"] for g in funnels for m in g["members"] if m["verdict"]["level"]]
    # the value sets this period's indexes were scored with (the run's dbt vars)
    value_sets = {r.get("instrument_label") or r["instrument"]: value_set(r["value_set"])
                  for r in out_rows if r.get("value_set")}
    segments = segment_view(seg_rows, seg_outcomes, known if lang != DEFAULT_LANGUAGE else None,
                            outside_segments(gain_rows, seg_outcomes))
    hide_segment_targets(targets["objectives"], segments, seg_instruments)
    return {
        "lang": lang, "period": period, "window": win, "generated": generated(lang),
        "definitions": version, "period_state": status,
        "submissions": submission_list(dq_rows, known), "late_files": late_count(dq_rows),
        "has_data": bool(seg_rows or conc_rows or out_rows or comp_rows or dq_rows
                         or funnel_rows),
        "headline": {
            "clients": suppress(clients, clients),
            "total_cost": suppress(cost, clients),
            "cost_per_client": suppress(cost / clients if clients else None, clients),
            "obligations": sum(c["status"] in ("pass", "fail") for c in compliance),
            "failing": sum(c["status"] == "fail" for c in compliance),
            "failing_providers": len({c["provider_id"] for c in compliance
                                      if c["status"] == "fail"}),
            "flagged_worse": sum(v["key"] == "worse" for v in flagged),
            "flagged_better": sum(v["key"] == "better" for v in flagged),
            "rows_in": sum(q["rows_in"] for q in quality),
            "rows_quarantined": sum(q["rows_quarantined"] for q in quality),
            "files_rejected": sum(q["files_rejected"] for q in quality),
        },
        "segments": segments,
        "segment_instruments": seg_instruments,
        "segment_tables": segment_tables(seg_instruments),
        "value_sets": [{"instrument_label": label, **vs}
                       for label, vs in sorted(value_sets.items())],
        "concentration": concentration_view(conc_rows),
        "targets": targets,
        "attention": attention(compliance, funnels, lang),
        "noteworthy": noteworthy(funnels),
        "funnels": funnels,
        "trends": trends(history, known),
        "models": model_notes(models, funnels, known),
        "value": value_groups(cost_rows, gain_rows, known),
        "qaly_years": qaly_years(gain_rows),
        "thresholds": thresholds,
        # which way is better, per instrument shown (from seed prom_measures via the mart)
        "directions": list({g["instrument_label"]: g["higher_is_better"]
                            for g in funnels if g["higher_is_better"] is not None}.items()),
        "compliance": compliance,
        "compliance_matrix": compliance_matrix(compliance),
        "compliance_small": sum(c["status"] == "small" for c in compliance),
        "compliance_noise": sum(c["within_noise"] for c in compliance),
        "checks": obligation_checks(checked),
        "quality": quality,
        "payments": steering_payments(settings, period, lang, wh),
        "agendas": list(agendas(funnels, compliance, history, dq_rows,
                                missing_months(dq_rows, list(known.providers), win.months),
                                agreed, known, period, paid, attained, lang).values()),
    }


def render_steering_report(settings: Settings, period: str,
                           lang: str = DEFAULT_LANGUAGE, wh: Warehouse | None = None) -> Path:
    """Write `<reports_dir>/<period>/steering_report.html` for the commissioner, in `lang`
    (from `wh` when given: steering_context)."""
    context = steering_context(settings, period, lang, wh)
    html = environment(settings.templates_dir, lang).get_template(
        "steering_report.html.j2").render(**context)
    return write_text(Path(settings.reports_dir) / period / "steering_report.html", html)
