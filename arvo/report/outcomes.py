"""Providers' case-mix adjusted outcomes and their funnel verdicts, as both reports show
them: per package x primary measure a funnel plot, a table, the trend over earlier
periods, and the method note of the case-mix models (mart_provider_funnel and
mart_case_mix_models; docs/verdicts.md).

The commissioner sees every provider by name, small cells suppressed; a provider sees its
own figures and the others only as unlabelled points of its funnel.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from arvo.messages import DEFAULT_LANGUAGE, Message, joined, msg
from arvo.report.charts import Limits, funnel
from arvo.report.disclosure import (
    COMPLEMENTARY,
    MIN_PEERS,
    SMALL_CELL,
    hidden,
    is_small,
    suppress,
)
from arvo.report.formatting import integer, number, pct
from arvo.report.labels import Names, factor_reason, factors

VERDICTS = {
    "worse": msg("worse than expected"),
    "better": msg("better than expected"),
    "as_expected": msg("as expected"),
    "too_few_pairs": msg("too few pairs for a verdict"),
}
"""A verdict in words: the direction of mart_provider_funnel, or too few pairs."""

LEVELS = {"alarm": msg("alarm"), "alert": msg("alert")}
"""Beyond the 99.8 % limits is an alarm, beyond the 95 % limits an alert."""

MARKERS = {"alarm": "diamond", "alert": "square", "none": "circle",
           "too_few_pairs": "hollow"}
"""Marker shape per flag: a verdict is told by shape and text, never by colour alone."""

CORRECTIONS = {
    "additive": msg("random variation between providers added (additive correction)"),
    "multiplicative": msg("limits widened by the overdispersion factor (multiplicative "
                          "correction)"),
    "none": msg("no correction (the providers differ no more than chance explains)"),
}
"""The overdispersion correction applied (mart column overdispersion), in words."""

KEYS = ("package_code", "instrument", "measure")


def verdict(flag: str | None, direction: str | None) -> dict[str, Any]:
    """key (better | worse | as_expected | too_few_pairs), level (alarm | alert | None)
    and the words of one verdict."""
    key = "too_few_pairs" if flag in (None, "too_few_pairs") or direction is None \
        else direction
    level = flag if flag in LEVELS and key in ("better", "worse") else None
    text = (msg("{verdict} ({level})", verdict=VERDICTS[key], level=LEVELS[level]) if level
            else VERDICTS[key])
    return {"key": key, "level": level, "text": text,
            "marker": MARKERS["too_few_pairs" if key == "too_few_pairs" else (level or "none")]}


def _title(rows: list[dict[str, Any]], names: Names) -> dict[str, Any]:
    """The labels of a package x measure, from its first row."""
    first = rows[0]
    return {
        "package_code": first["package_code"], "instrument": first["instrument"],
        "measure": first["measure"], "package_fi": names.package(first["package_code"])[0],
        "instrument_label": first.get("instrument_label") or names.instrument(
            first["instrument"]),
        "decimals": first.get("decimals") if first.get("decimals") is not None else 1,
        "higher_is_better": first.get("higher_is_better"),
    }


def _grouped(rows: list[dict[str, Any]]) -> dict[tuple, list[dict[str, Any]]]:
    groups: dict[tuple, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        if r.get("is_primary") is not False:
            groups[tuple(r[k] for k in KEYS)].append(r)
    return dict(sorted(groups.items()))


def _member(r: dict[str, Any], names: Names, suppress_own: bool) -> dict[str, Any]:
    n = r["pairs"]
    own = (lambda v: suppress(v, n)) if suppress_own else (lambda v: v)
    adjusted = verdict(r["flag"], r["direction"])
    unadjusted = verdict(r.get("unadjusted_flag"), r.get("unadjusted_direction"))
    return {
        "provider_id": r["provider_id"],
        "provider_name": names.provider(r["provider_id"], r.get("provider_name")),
        "pairs": own(n), "baseline_mean": own(r.get("baseline_mean")),
        "observed": own(r["observed"]), "expected": own(r["expected"]),
        "adjusted": own(r["adjusted"]), "adjusted_gain": own(r.get("adjusted_gain")),
        "lower95": own(r.get("lower95")), "upper95": own(r.get("upper95")),
        "verdict": adjusted, "unadjusted": unadjusted,
        "changed": adjusted["text"] != unadjusted["text"],
        "plotted": not (suppress_own and is_small(n)) and r["adjusted"] is not None,
        "raw_pairs": n, "raw_adjusted": r["adjusted"],
    }


def _peer(r: dict[str, Any], names: Names) -> dict[str, Any]:
    """Another provider in a provider's own view: an unlabelled point, nothing more (what
    `_member` would give it there, without the verdicts and figures never shown)."""
    return {"provider_id": r["provider_id"],
            "provider_name": names.provider(r["provider_id"], r.get("provider_name")),
            "plotted": r["adjusted"] is not None,
            "raw_pairs": r["pairs"], "raw_adjusted": r["adjusted"]}


def _chart(group: dict[str, Any], rows: list[dict[str, Any]], points: list[dict[str, Any]],
           lang: str) -> dict[str, Any] | None:
    first = rows[0]
    if first.get("residual_sd") is None or first.get("population_mean") is None or not points:
        return None
    limits = Limits(first["population_mean"], first["residual_sd"],
                    first.get("overdispersion") or "none", first.get("tau2") or 0.0,
                    first.get("phi"))
    chart = funnel(points, limits, group["decimals"], first.get("min_pairs"), lang)
    chart["id"] = f"funnel-{group['package_code']}-{group['instrument']}".lower()
    return chart


def _describe(group: dict[str, Any], members: list[dict[str, Any]], own: str | None,
              lang: str) -> Message:
    """The chart's text alternative: what it shows and who is outside the limits."""
    d = group["decimals"]
    parts = [msg("Funnel plot: {package}, {instrument}. Horizontal axis the number of pairs, "
                 "vertical axis the adjusted mean follow-up score; target {target}, the 95% "
                 "and 99.8% limits narrow as the number of pairs grows.",
                 package=group["package_fi"], instrument=group["instrument_label"],
                 target=number(group["target"], d, lang))]
    if own is not None:
        mine = next((m for m in members if m["provider_id"] == own), None)
        if mine:
            parts.append(msg("Your result {value} ({pairs} pairs): {verdict}.",
                             value=number(mine["raw_adjusted"], d, lang),
                             pairs=integer(mine["raw_pairs"], lang),
                             verdict=mine["verdict"]["text"]))
        parts.append(msg("The other providers are shown as unnamed points."))
        return joined(parts, " ")
    for key in ("worse", "better"):
        named = [msg("{provider} ({level})", provider=m["provider_name"],
                     level=LEVELS.get(m["verdict"]["level"], ""))
                 for m in members if m["verdict"]["key"] == key and m["plotted"]]
        if named:
            listed = joined(named, ", ")
            parts.append(msg("Worse than expected: {providers}.", providers=listed)
                         if key == "worse" else
                         msg("Better than expected: {providers}.", providers=listed))
    if not any(m["verdict"]["level"] for m in members):
        parts.append(msg("All providers assessed are within the limits."))
    return joined(parts, " ")


def funnel_groups(rows: list[dict[str, Any]], names: Names,
                  own: str | None = None, lang: str = DEFAULT_LANGUAGE) -> list[dict[str, Any]]:
    """Per package x primary measure: its members, chart and verdicts.

    `own` None: the commissioner's view, every provider named, small cells suppressed
    (and the model's pairs hidden where a small provider could be differenced from them).
    `own` a provider id: that provider's view; only its own row, the others unlabelled
    points (none with fewer than SMALL_CELL pairs, none when fewer than MIN_PEERS others).
    """
    out = []
    for key, members_rows in _grouped(rows).items():
        if own is not None and not any(r["provider_id"] == own for r in members_rows):
            continue
        group = _title(members_rows, names)
        first = members_rows[0]
        group.update(target=first.get("population_mean"), min_pairs=first.get("min_pairs"),
                     correction=first.get("overdispersion") or "none")
        members = sorted((_member(r, names, own is None)
                          if own is None or r["provider_id"] == own else _peer(r, names)
                          for r in members_rows), key=lambda m: m["provider_name"])
        points = []
        others = [m for m in members if m["provider_id"] != own and m["plotted"]
                  and not is_small(m["raw_pairs"])]
        shown = {id(m) for m in others}
        for m in members:
            if not m["plotted"]:
                continue
            if own is None:
                label = (msg("{provider} ({level})", provider=m["provider_name"],
                             level=LEVELS[m["verdict"]["level"]])
                         if m["verdict"]["level"] else m["provider_name"])
                points.append({"pairs": m["raw_pairs"], "value": m["raw_adjusted"],
                               "marker": m["verdict"]["marker"], "label": label})
            elif m["provider_id"] == own:
                points.append({"pairs": m["raw_pairs"], "value": m["raw_adjusted"],
                               "marker": "own",
                               "label": msg("You: {verdict}", verdict=m["verdict"]["text"])})
            elif len(others) >= MIN_PEERS and id(m) in shown:
                points.append({"pairs": m["raw_pairs"], "value": m["raw_adjusted"],
                               "marker": "other", "label": None})
        group["chart"] = _chart(group, members_rows, points, lang)
        # with one other provider the target (the mean of all pairs) and the limits around
        # it would give that provider's result away: the own view shows the verdict only
        group["single_peer"] = own is not None and len(
            {r["provider_id"] for r in members_rows} - {own}) < MIN_PEERS
        if group["single_peer"]:
            group["target"] = group["chart"] = None
        if group["chart"] is not None:
            group["chart"].update(desc=_describe(group, members, own, lang),
                                  own=own is not None)
        group["small"] = own is None and any(is_small(m["raw_pairs"]) for m in members)
        for m in members:  # what is shown is in the cells: no raw figure reaches a template
            del m["raw_pairs"], m["raw_adjusted"]
        group["members"] = members if own is None else [
            m for m in members if m["provider_id"] == own]
        if group["single_peer"]:
            for m in group["members"]:
                m.update(adjusted=None, adjusted_gain=None, lower95=None, upper95=None)
        group["key"] = key
        out.append(group)
    return out


SHORT = {"worse": msg("worse"), "better": msg("better"), "as_expected": msg("expected"),
         "too_few_pairs": msg("few pairs")}
"""A verdict in a word, for the trend tables."""


def _short(v: dict[str, Any]) -> Message:
    return (msg("{verdict}, {level}", verdict=SHORT[v["key"]], level=LEVELS[v["level"]])
            if v["level"] else SHORT[v["key"]])


def trends(history: list[dict[str, Any]], names: Names, own: str | None = None,
           periods: int = 6) -> list[dict[str, Any]]:
    """Per package x primary measure: each provider's adjusted outcome and verdict over
    the last `periods` periods of the warehouse (history: mart_provider_funnel rows of
    those periods); only `own`'s row when given, small cells suppressed otherwise."""
    shown = sorted({str(r["period"]) for r in history})[-periods:]
    out = []
    for _key, rows in _grouped([r for r in history if str(r["period"]) in shown]).items():
        # periods where the package had fewer than MIN_PEERS other providers: the own
        # adjusted outcome would give the target, and so the other provider's result, away
        providers: dict[str, set[str]] = defaultdict(set)
        for r in rows:
            providers[str(r["period"])].add(r["provider_id"])
        lone = {p for p, ids in providers.items() if len(ids - {own}) < MIN_PEERS}
        if own is not None:
            rows = [r for r in rows if r["provider_id"] == own]
        if len({str(r["period"]) for r in rows}) < 2:
            continue  # one period is no trend
        group = _title(rows, names)
        by_provider: dict[str, dict[str, Any]] = {}
        for r in rows:
            p = by_provider.setdefault(r["provider_id"], {
                "provider_name": names.provider(r["provider_id"], r.get("provider_name")),
                "cells": {}})
            n = r["pairs"]
            if own is not None:
                value = None if str(r["period"]) in lone else r["adjusted"]
            else:
                value = suppress(r["adjusted"], n)
            p["cells"][str(r["period"])] = {
                "adjusted": value, "pairs": n if own is not None else suppress(n, n),
                "verdict": _short(verdict(r["flag"], r["direction"]))}
        group["periods"] = [p for p in shown if any(p in v["cells"] for v in
                                                     by_provider.values())]
        group["providers"] = sorted(by_provider.values(), key=lambda p: p["provider_name"])
        out.append(group)
    return out


def model_notes(models: list[dict[str, Any]], groups: list[dict[str, Any]],
                names: Names) -> list[dict[str, Any]]:
    """The method note per case-mix model: its pairs, the follow-ups left out for want of
    a baseline, its fit and its factors in words, and the funnel's rules."""
    by_key = {g["key"]: g for g in groups}
    out = []
    for key, rows in _grouped(models).items():
        r = rows[0]
        g = by_key.get(key, {})
        dropped: dict[Message | str, list[str]] = defaultdict(list)
        for part in (r.get("factors_dropped") or "").split(";"):
            name, _, why = part.partition(":")
            if name.strip():
                dropped[factor_reason(why.strip())].append(name.strip())
        # follow-ups less pairs are those left out: a small number of them hides both
        left_out = suppress(r.get("left_out_no_baseline"), r.get("left_out_no_baseline"))
        out.append({
            **_title(rows, names),
            "pairs": COMPLEMENTARY if g.get("small") else r["pairs"],
            "followups": COMPLEMENTARY if g.get("small") or hidden(left_out)
            else r.get("followups"),
            "left_out": left_out, "providers": r.get("providers"),
            "r_squared": r.get("r_squared"), "residual_sd": r.get("residual_sd"),
            "factors_used": factors([f.strip() for f in (r.get("factors_used") or "").split(",")
                                     if f.strip()]),
            "factors_dropped": [msg("{reason}: {factors}", reason=why, factors=factors(names))
                                for why, names in dropped.items()],
            "min_pairs": g.get("min_pairs"),
            "correction": CORRECTIONS.get(g.get("correction") or "none"),
        })
    return out


def attention(compliance: list[dict[str, Any]], groups: list[dict[str, Any]],
              lang: str = DEFAULT_LANGUAGE) -> list[dict[str, Any]]:
    """The providers that need attention, most serious first: worse than expected beyond
    the 99.8 % limits (alarm), failed PROM obligations, worse beyond the 95 % limits
    (alert); each with its reasons in one line each."""
    found: dict[str, dict[str, Any]] = {}

    def add(pid: str, name: str, rank: int, text: Message) -> None:
        p = found.setdefault(pid, {"provider_id": pid, "provider_name": name, "reasons": []})
        p["reasons"].append((rank, text))

    for g in groups:
        for m in g["members"]:
            v = m["verdict"]
            if v["key"] == "worse" and v["level"]:
                pairs = (msg("fewer than {n}", n=SMALL_CELL) if hidden(m["pairs"])
                         else integer(m["pairs"], lang))
                add(m["provider_id"], m["provider_name"], 0 if v["level"] == "alarm" else 2,
                    msg("{package}: {instrument} result {verdict}, {pairs} pairs",
                        package=g["package_fi"], instrument=g["instrument_label"],
                        verdict=v["text"], pairs=pairs))
    for c in compliance:
        if c["status"] == "fail":
            # a rate resting on 1-4 collected questionnaires is hidden (disclosure)
            rate = (msg("from fewer than {n} episodes", n=SMALL_CELL) if hidden(c["rate"])
                    else msg("{rate} of episodes", rate=pct(c["rate"], 0, lang)))
            add(c["provider_id"], c["provider_name"], 1,
                msg("{scope}: {instrument}, {timepoint} – PROM collection obligation not met "
                    "({rate}, required {required})", scope=c["scope_fi"],
                    instrument=c["instrument"], timepoint=c["timepoint_fi"], rate=rate,
                    required=pct(c["min_rate"], 0, lang)))
    out = []
    for p in found.values():
        p["reasons"].sort(key=lambda reason: (reason[0], reason[1].render(lang)))
        p["rank"] = p["reasons"][0][0]
        p["reasons"] = [text for _, text in p["reasons"]]
        out.append(p)
    return sorted(out, key=lambda p: (p["rank"], -len(p["reasons"]), p["provider_name"]))


def noteworthy(groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Providers better than expected beyond the limits (practice worth sharing)."""
    return [{"provider_name": m["provider_name"],
             "reason": msg("{package}: {instrument} result {verdict}",
                           package=g["package_fi"], instrument=g["instrument_label"],
                           verdict=m["verdict"]["text"])}
            for g in groups for m in g["members"]
            if m["verdict"]["key"] == "better" and m["verdict"]["level"]]
