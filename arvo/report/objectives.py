"""Objectives and their attainment as the reports show them (mart_objective_attainment;
docs/objectives.md): the steering report's targets at a glance, and each provider's own
targets in its feedback, in the report's language. Figures pass the small-cell rule; the
words are the template's (reports/templates/objectives.html.j2) and the catalogues': this
module hands it codes, numbers, names in `lang` and messages (a measure's and a sector's
name).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from arvo.messages import DEFAULT_LANGUAGE, Message, msg
from arvo.objectives import MEASURES
from arvo.report.disclosure import suppress, suppress_rate
from arvo.report.labels import Names, named_in
from arvo.report.warehouse import Warehouse

MART = "mart_objective_attainment"
ORDER = "period, objective_code, scope_type, scope_id"
STATUSES = ("met", "near", "missed", "not_measurable")
HIDDEN = "hidden"
"""The status shown beside a hidden share whose status would tell its count apart
(mart_objective_attainment.status_tells_small); counted with not_measurable, as no
status is shown."""
TREND_PERIODS = 4
"""The trend shows at most this many periods, the current one last."""
SECTOR_SCOPES = {"public": msg("public service providers"),
                 "private": msg("private service providers"),
                 "third": msg("third-sector service providers")}
"""A sector objective's scope in words: every provider of the type."""


def figure(r: dict[str, Any]) -> dict[str, Any]:
    """A row's value and interval through the small-cell rule (a share also hides when
    its numerator or the rest is from 1 to 4)."""
    share = MEASURES.get(r["measure"]) is None or MEASURES[r["measure"]].kind == "share"
    if share:
        value = suppress_rate(r["value"], r["successes"], r["n"], r["clients"])[0]
    else:
        value = suppress(r["value"], r["n"], r["clients"])
    shown = value is r["value"]
    return {"value": value, "ci_lower": r["ci_lower"] if shown else None,
            "ci_upper": r["ci_upper"] if shown else None, "share": share,
            "n": suppress(r["n"], r["n"], r["clients"])}


def status(r: dict[str, Any]) -> str:
    """A row's status as the reports show it: HIDDEN where it would tell a hidden share's
    count (rows built before the mart had the column read as told)."""
    return HIDDEN if r.get("status_tells_small") else r["status"]


def counted(r: dict[str, Any]) -> str:
    """A row's status as the counts of statuses take it: a hidden one with those not
    measurable, so that no count gives it back by difference."""
    return "not_measurable" if status(r) == HIDDEN else r["status"]


def _unit(r: dict[str, Any], history: dict[tuple, list[dict[str, Any]]]) -> dict[str, Any]:
    key = (r["objective_code"], r["scope_type"], r["scope_id"])
    earlier = [h for h in history.get(key, []) if h["period"] < r["period"]]
    trend = [{"period": h["period"], "status": status(h), **figure(h)}
             for h in earlier[-(TREND_PERIODS - 1):]]
    target = r["target"]
    return {**figure(r), "status": status(r), "reason": r["reason"],
            "min_n": r["min_n"], "applies_from": r["applies_from"],
            "target": target, "trend": [*trend, {"period": r["period"],
                                                 "status": status(r), **figure(r)}]}


def _scope_name(scope: str, code: str, names: Names) -> Message | str:
    """The scope in words: the segment's or package's name (in the language of `names`),
    or the providers of a sector."""
    if scope == "sector":
        return SECTOR_SCOPES.get(code, code)
    return names.segment(code)[0] if scope == "segment" else names.package(code)[0]


def _objective(r: dict[str, Any], names: Names, lang: str) -> dict[str, Any]:
    """An objective as the reports name it: its name in `lang` (objectives.yml name_sv,
    name_en; the Finnish name where the file gives none, or the row predates name_sv)."""
    scope, code = r["objective_scope"], r["objective_scope_code"]
    measure = MEASURES.get(r["measure"])
    return {"code": r["objective_code"],
            "name": named_in(r["objective_name_fi"], r["objective_name_en"],
                           r.get("objective_name_sv"), lang) or r["objective_code"],
            "scope": scope, "scope_code": code,
            "scope_name": _scope_name(scope, code, names), "measure": r["measure"],
            "measure_name": msg(measure.name) if measure else r["measure"],
            "counts": measure.counts if measure else "",
            "instrument": names.instrument(r["instrument"]) if r["instrument"] else None,
            "instrument_code": r["instrument"],
            "comparison": r["comparison"], "target_kind": r["target_kind"],
            "near": r["near"], "applies_from": r["applies_from"]}


def _history(rows: list[dict[str, Any]]) -> dict[tuple, list[dict[str, Any]]]:
    out: dict[tuple, list[dict[str, Any]]] = defaultdict(list)
    for h in rows:
        out[(h["objective_code"], h["scope_type"], h["scope_id"])].append(h)
    return out


def steering_objectives(wh: Warehouse, period: str, names: Names,
                        lang: str = DEFAULT_LANGUAGE) -> dict[str, Any]:
    """Every objective with its scope's attainment and trend, the providers' statuses
    counted, and a providers x objectives grid of statuses; names in `lang` (`names`
    already in it)."""
    rows = wh.rows(MART, period, order_by=ORDER)
    history = _history(wh.history(MART, period, order_by=ORDER))
    objectives, grid = [], defaultdict(dict)
    for r in rows:
        if r["scope_type"] == "provider":
            continue
        providers = [p for p in rows if p["objective_code"] == r["objective_code"]
                     and p["scope_type"] == "provider"]
        counts = Counter(counted(p) for p in providers)
        objectives.append({**_objective(r, names, lang), "whole": _unit(r, history),
                           "providers": {s: counts.get(s, 0) for s in STATUSES}})
        for p in providers:
            grid[p["provider_id"]][r["objective_code"]] = _unit(p, history)
    codes = [o["code"] for o in objectives]
    return {"objectives": objectives,
            "providers": [{"provider_id": pid, "provider_name": names.provider(pid),
                           "cells": [grid[pid].get(c) for c in codes]}
                          for pid in sorted(grid, key=names.provider)]}


def provider_objectives(wh: Warehouse, period: str, provider_id: str, names: Names,
                        lang: str = DEFAULT_LANGUAGE) -> list[dict[str, Any]]:
    """The objectives a provider is judged on, with its own figure, status and trend
    (never another provider's, nor the scope's, which would give a peer's away); names
    in `lang`."""
    rows = wh.rows(MART, period, provider_id, order_by=ORDER)
    history = _history(wh.history(MART, period, provider_id, order_by=ORDER))
    return [{**_objective(r, names, lang), "own": _unit(r, history)} for r in rows
            if r["scope_type"] == "provider"]
