"""The definition report: the current state the commissioner defines segments, packages,
objectives and obligations from (docs/definition.md).

Writes `<reports_dir>/definition/<period>/definition_report.html` from the definition
marts of the period (built by `arvo define`): the population, service use, cost
concentration and its Lorenz curve, the high-need, high-cost clients across social and
health care, the profiles of the current and the draft segments, the clients a draft
would move, and the current level of every objective a target could be set on. Reads
only the warehouse; every cell resting on 1-4 clients is suppressed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from pathlib import Path
from typing import Any

from arvo.config import Settings
from arvo.messages import DEFAULT_LANGUAGE, check_language, msg
from arvo.objectives import MEASURES
from arvo.report.charts import lorenz
from arvo.report.disclosure import COMPLEMENTARY, complement, hidden, suppress, table_cells
from arvo.report.files import moved, staged, write_text
from arvo.report.formatting import environment, generated, window
from arvo.report.labels import KAISER_FI, SECTORS, named_in
from arvo.report.labels import names as register_names
from arvo.report.objectives import _scope_name
from arvo.report.warehouse import open_warehouse

AGE_GROUPS = ("0-17", "18-64", "65-74", "75-84", "85+", "unknown")
TOP_SHARES = (1, 5, 10, 20, 50)
"""The costliest shares of clients (per cent) the report reads off the Lorenz curve."""
LORENZ_TABLE = (10, 20, 30, 40, 50, 60, 70, 80, 90)

DOMAINS = {"social": msg("social care"), "health": msg("health care"),
           "unknown": msg("unknown")}
SEXES = {"F": msg("women"), "M": msg("men"), "unknown": msg("unknown")}
GROUPS = {"top_share": msg("costliest clients"), "others": msg("other clients"),
          "all": msg("all clients")}


def report_path(settings: Settings, period: str) -> Path:
    """Where the definition report of `period` is written."""
    return Path(settings.reports_dir) / "definition" / period / "definition_report.html"


def _sum_by(rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """Clients and cost summed over the other keys, per value of `key`."""
    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        o = out.setdefault(r[key], {key: r[key], "clients": 0, "cost_eur": 0})
        o["clients"] += r["clients"] or 0
        o["cost_eur"] += r["cost_eur"] or 0
    return list(out.values())


def _suppressed(rows: list[dict[str, Any]], cells: tuple[str, ...]) -> list[dict[str, Any]]:
    """`cells` of each row through the small-cell rule on its clients, and a second row
    hidden when a lone small row could be recovered from the total."""
    extra = complement(rows, "clients")
    out = []
    for i, r in enumerate(rows):
        shown = {**r, **{c: suppress(r[c], r["clients"]) for c in cells}}
        if i in extra:
            shown.update({c: COMPLEMENTARY for c in cells})
        out.append(shown)
    return out


def population_view(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Clients by age group x sex, and clients and cost by home municipality."""
    cells: dict[tuple[str, str], int] = defaultdict(int)
    for r in rows:
        cells[(r["age_group"], r["sex"])] += r["clients"] or 0
    sexes = [s for s in ("F", "M", "unknown") if any(k[1] == s for k in cells)]
    ages = [a for a in AGE_GROUPS if any(k[0] == a for k in cells)]
    counts = [[cells.get((a, s), 0) for s in sexes] for a in ages]
    age_rows = [{"age_group": a if a != "unknown" else msg("unknown"), "cells": shown,
                 "clients": suppress(sum(row), sum(row))}
                for a, row, shown in zip(ages, counts, table_cells(counts), strict=True)]
    municipalities = sorted(_sum_by(rows, "municipality"),
                            key=lambda r: (r["municipality"] == "unknown", -r["clients"]))
    for r in municipalities:
        if r["municipality"] == "unknown":
            r["municipality"] = msg("unknown")
    return {"sexes": [SEXES.get(s, s) for s in sexes], "ages": age_rows,
            "municipalities": _suppressed(municipalities, ("clients", "cost_eur"))}


def service_view(rows: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    """Per domain and service type (sectors summed, then each sector): clients, events,
    cost and its share."""
    total = sum(r["cost_eur"] or 0 for r in rows)
    out = []
    for r in sorted(rows, key=lambda r: (r["domain"], -(r["cost_eur"] or 0),
                                         r["provider_sector"])):
        n = r["clients"]
        out.append({
            "domain": DOMAINS.get(r["domain"], r["domain"]),
            "service": named_in(r["service_name_fi"], r["service_name_en"], None, lang)
            or r["service_code"],
            "service_code": r["service_code"],
            "sector": SECTORS.get(r["provider_sector"], r["provider_sector"]),
            "clients": suppress(n, n), "events": suppress(r["events"], n),
            "cost_eur": suppress(r["cost_eur"], n),
            "cost_share": suppress((r["cost_eur"] or 0) / total if total else None, n)})
    return out


def concentration_view(rows: list[dict[str, Any]], lang: str) -> dict[str, Any]:
    """The Lorenz curve, the costliest shares read off it, and the Gini coefficient."""
    by_p = {r["percentile"]: r for r in rows}
    total = rows[0]["clients_total"] if rows else 0
    tops = []
    for q in TOP_SHARES:
        r = by_p.get(100 - q)
        if r is None:
            continue
        n = total - r["clients_in_bottom"]
        tops.append({"share": q / 100, "clients": suppress(n, n),
                     "cost_share": suppress(r["top_cost_share"], n)})
    table = [{"percentile": p / 100, "cost_share": by_p[p]["cost_share"]}
             for p in LORENZ_TABLE if p in by_p]
    return {"chart": lorenz(rows, lang) if rows and total >= 5 else None, "tops": tops,
            "table": table if total >= 5 else [],
            "gini": suppress(rows[0]["gini"], total) if rows else None}


def high_need_view(profile: list[dict[str, Any]], combos: list[dict[str, Any]]
                   ) -> dict[str, Any]:
    """The costliest clients against everybody else, and their most common combinations
    of service types (combinations of fewer than 5 clients are left out and counted)."""
    order = {"top_share": 0, "others": 1, "all": 2}
    groups = []
    for r in sorted(profile, key=lambda r: order.get(r["client_group"], 9)):
        n = r["clients"]
        groups.append({"name": GROUPS.get(r["client_group"], r["client_group"]),
                       "key": r["client_group"], "clients": suppress(n, n),
                       **{c: suppress(r[c], n) for c in (
                           "cost_eur", "cost_share", "mean_domains", "mean_providers",
                           "mean_service_types", "both_domains_share")}})
    top = next((r for r in profile if r["client_group"] == "top_share"), None)
    shown = [c for c in combos if not c["is_small"]]
    return {"groups": groups, "top_share": top["top_share"] if top else None,
            "combinations": shown, "combinations_hidden": len(combos) - len(shown)}


def segment_rows(rows: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    """A segmentation's segments, each cell through the small-cell rule on its clients
    (outcome shares also on their pairs and windows)."""
    out = []
    ordered = sorted(rows, key=lambda r: (r["priority"], r["segment_code"]))
    extra = complement(ordered, "clients")
    for i, r in enumerate(ordered):
        n = r["clients"]
        row = {
            "code": r["segment_code"],
            "name": named_in(r["name_fi"], r["name_en"], r["name_sv"], lang),
            "kaiser": KAISER_FI.get(r["kaiser_level"], r["kaiser_level"]),
            "clients": suppress(r["clients"], n),
            **{c: suppress(r[c], n) for c in (
                "client_share", "mean_age", "mean_chronic_conditions", "mean_service_types",
                "cost_eur", "cost_per_client_eur", "cost_share")},
            "mid_pairs": suppress(r["mid_pairs"], r["mid_pairs"], n),
            "mid_share": suppress(r["mid_share"], r["mid_pairs"], n),
            "baseline_windows": suppress(r["baseline_windows"], r["baseline_windows"], n),
            "participation": suppress(r["baseline_participation_rate"],
                                      r["baseline_windows"], n)}
        if i in extra:  # hidden too, so that a lone small segment is not a difference
            row.update({k: COMPLEMENTARY for k, v in row.items()
                        if k not in ("code", "name", "kaiser")})
        out.append(row)
    return out


def moves_view(moves: list[dict[str, Any]], current: list[dict[str, Any]],
               draft: list[dict[str, Any]]) -> dict[str, Any]:
    """The crosstab of clients from each current segment (rows) to each draft segment
    (columns), whose totals are the segments' sizes: zero shown as 0, 1-4 hidden with
    the cells that keep them from the totals (disclosure.table_cells)."""
    cells = {(m["segment_code"], m["draft_segment_code"]): m["clients"] for m in moves}
    counts = [[cells.get((c["code"], d["code"]), 0) for d in draft] for c in current]
    shown = table_cells(counts)
    rows = [{"name": c["name"], "code": c["code"], "cells": r}
            for c, r in zip(current, shown, strict=True)]
    moved = sum(n for (a, b), n in cells.items() if a != b)
    # all clients less those who stay: hidden when one who stays is
    stay = [r[j] for r, c in zip(shown, current, strict=True)
            for j, d in enumerate(draft) if d["code"] == c["code"]]
    same = ([c["code"] for c in current] == [d["code"] for d in draft] and moved == 0)
    return {"rows": rows, "columns": [{"name": d["name"], "code": d["code"]} for d in draft],
            "moved": COMPLEMENTARY if any(hidden(n) for n in stay) else suppress(moved, moved),
            "unchanged": same}


def baseline_view(rows: list[dict[str, Any]], names: Any,
                  priorities: dict[str, int] | None = None) -> list[dict[str, Any]]:
    """Every candidate objective's current level, grouped by scope (segments by
    `priorities`, then packages and sectors by code); a level of fewer than 5 clients is
    suppressed."""
    kinds = {"segment": 0, "package": 1, "sector": 2}
    measures = list(MEASURES)
    rank = priorities or {}
    out = []
    for r in sorted(rows, key=lambda r: (kinds.get(r["scope"], 9),
                                         rank.get(r["scope_code"], 0)
                                         if r["scope"] == "segment" else 0, r["scope_code"],
                                         measures.index(r["measure"])
                                         if r["measure"] in measures else 99,
                                         r["instrument"] or "")):
        measure = MEASURES.get(r["measure"])
        n = r["clients"]
        out.append({
            "scope": r["scope"], "scope_name": _scope_name(r["scope"], r["scope_code"], names),
            "measure_name": msg(measure.name) if measure else r["measure"],
            "kind": r["measure_kind"],
            "instrument": names.instrument(r["instrument"]) if r["instrument"] else "",
            "n": suppress(r["n"], n), "clients": suppress(n, n),
            "value": suppress(r["value"], n), "ci_lower": suppress(r["ci_lower"], n),
            "ci_upper": suppress(r["ci_upper"], n)})
    return out


def definition_context(settings: Settings, period: str,
                       lang: str = DEFAULT_LANGUAGE) -> dict[str, Any]:
    """Everything the definition report shows, in `lang`; small cells suppressed."""
    win = window(period, check_language(lang))
    with open_warehouse(settings.warehouse) as wh:
        known = register_names(settings, wh, period, lang)
        known = replace(known, instruments=wh.instrument_labels())
        population = wh.rows("mart_definition_population", period,
                             order_by="age_group, sex, municipality")
        services = wh.rows("mart_definition_service_use", period,
                           order_by="domain, service_code, provider_sector")
        curve = wh.rows("mart_cost_lorenz", period, order_by="percentile")
        profile = wh.rows("mart_high_need_profile", period, order_by="client_group")
        combos = wh.rows("mart_high_need_combinations", period, order_by="combination_rank")
        segments = wh.rows("mart_segment_profiles", period,
                           order_by="segmentation, priority, segment_code")
        moves = wh.rows("mart_segment_draft_moves", period,
                        order_by="segment_code, draft_segment_code")
        baselines = wh.rows("mart_objective_baselines", period, order_by="objective_code")
    clients = sum(r["clients"] or 0 for r in population)
    cost = sum(r["cost_eur"] or 0 for r in population)
    current = segment_rows([r for r in segments if r["segmentation"] == "current"], lang)
    draft = segment_rows([r for r in segments if r["segmentation"] == "draft"], lang)
    versions = sorted({r["definitions_version"] for r in (*population, *segments, *curve)
                       if r.get("definitions_version")})
    concentration = concentration_view(curve, lang)
    return {
        "lang": lang, "period": period, "window": win, "generated": generated(lang),
        "has_data": bool(population),
        "definitions_version": ", ".join(versions) or "–",
        "headline": {"clients": suppress(clients, clients),
                     "cost": suppress(cost, clients),
                     "cost_per_client": suppress(cost / clients if clients else None, clients),
                     "gini": concentration["gini"]},
        "population": population_view(population),
        "services": service_view(services, lang),
        "concentration": concentration,
        "high_need": high_need_view(profile, combos),
        "current": current, "draft": draft,
        "moves": moves_view(moves, current, draft),
        "baselines": baseline_view(baselines, known, {
            r["segment_code"]: r["priority"] for r in segments
            if r["segmentation"] == "current"}),
    }


def render_definition_report(settings: Settings, period: str,
                             lang: str = DEFAULT_LANGUAGE) -> Path:
    """Write `<reports_dir>/definition/<period>/definition_report.html`, in `lang`."""
    context = definition_context(settings, period, lang)
    html = environment(settings.templates_dir, lang).get_template(
        "definition_report.html.j2").render(**context)
    return write_text(report_path(settings, period), html)


def render_definition(settings: Settings, period: str, lang: str = DEFAULT_LANGUAGE,
                      pdf: bool = False) -> list[Path]:
    """The definition report of `period` (with `pdf`, its PDF too), its folder written aside
    and swapped in whole (arvo.report.files.staged); the paths written."""
    from arvo.report.pdf import write_pdf

    with staged(settings, report_path(settings, period).parent) as aside:
        html = render_definition_report(aside, period, lang)
        written = [html, write_pdf(html)] if pdf else [html]
    return moved(written, aside, settings)

