"""The follow-up's evaluation over the steering periods P1..P2, from the warehouse only.

Objectives (mart_objective_attainment), obligations (table obligation_results), payments
(mart_provider_payments), outcomes (mart_provider_package_outcomes, mart_provider_funnel)
and segments (mart_segment_value, mart_client_segments): for each, the series over the
periods in the span and the change from P1 to P2 with its 95 % interval
(arvo.follow_up.trends). Raw figures: the report view (arvo/report/follow_up.py) passes
every figure through the small-cell rule before it is shown. Rules: docs/follow-up.md.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from arvo.config import Settings
from arvo.follow_up import trends
from arvo.periods import add_months
from arvo.report.disclosure import SMALL_CELL
from arvo.report.warehouse import Warehouse, open_warehouse

REPEATED_FAILURES = 2
"""A provider fails an obligation repeatedly when it failed it in at least this many
periods of the span."""

NONE_SEGMENT = "(none)"
"""A client without a service event in a period's window: in no segment that period."""

RATE_MEASURES_MEAN = "mean_gain"
"""The one objective measure that is a mean; every other is a share (successes / n)."""


class MissingPeriods(LookupError):
    """Steering periods of the follow-up's span that the warehouse does not hold."""

    def __init__(self, missing: list[str], present: list[str]):
        self.missing, self.present = missing, present
        runs = " ".join(f"--period {p}" for p in missing)
        super().__init__(
            f"the warehouse holds no steering results for {', '.join(missing)} "
            f"(it holds {', '.join(present) or 'none'}): run them first with "
            f"`arvo steer --period {missing[0]}` for each, or `arvo cycle {runs}`")


@dataclass
class Evaluation:
    """Everything the follow-up found over the span, as plain rows."""

    first: str
    last: str
    periods: list[str]
    versions: dict[str, list[str]]
    providers: dict[str, str] = field(default_factory=dict)
    objectives: list[dict[str, Any]] = field(default_factory=list)
    sectors: list[dict[str, Any]] = field(default_factory=list)
    obligations: dict[str, Any] = field(default_factory=dict)
    payments: dict[str, Any] = field(default_factory=dict)
    outcomes: dict[str, Any] = field(default_factory=dict)
    segments: dict[str, Any] = field(default_factory=dict)


def steered(wh: Warehouse) -> list[str]:
    """Every steering period the warehouse holds."""
    return sorted({r["period"] for t in ("mart_objective_attainment", "mart_prom_compliance",
                                         "mart_segment_value") if t in wh.tables
                   for r in wh.query(f'select distinct cast(period as varchar) as period '
                                     f'from "{t}"')})


def default_first(warehouse: Path, last: str, months: int) -> str:
    """The first steering period a follow-up up to `last` covers by default: the earliest
    the warehouse holds among the `months` months up to `last` (`last` itself if none)."""
    with open_warehouse(warehouse) as wh:
        within = [p for p in steered(wh) if add_months(last, 1 - months) <= p <= last]
    return within[0] if within else last


def span(wh: Warehouse, first: str, last: str) -> list[str]:
    """The steering periods from `first` to `last` the warehouse holds; MissingPeriods when
    it lacks either end (the periods between are those that were run)."""
    if first > last:
        raise ValueError(f"--from {first} is after --to {last}")
    present = steered(wh)
    missing = [p for p in (first, last) if p not in present]
    if missing:
        raise MissingPeriods(sorted(set(missing)), present)
    return [p for p in present if first <= p <= last]


def evaluate(wh: Warehouse, first: str, last: str) -> Evaluation:
    """The whole evaluation of the span first..last (MissingPeriods if an end is absent)."""
    periods = span(wh, first, last)
    sectors = provider_sectors(wh, periods)
    objectives = objective_units(wh, periods)
    return Evaluation(
        first=first, last=last, periods=periods, versions=definitions_versions(wh, periods),
        providers=provider_names(wh, periods),
        objectives=objectives, sectors=sector_units(objectives, sectors, periods),
        obligations=obligations(wh, periods), payments=payments(wh, periods),
        outcomes=outcomes(wh, periods), segments=segments(wh, periods))


def _in(periods: list[str]) -> str:
    """A SQL list of the periods (checked YYYY-MM strings, so safe to inline)."""
    return ", ".join(f"'{p}'" for p in periods)


def definitions_versions(wh: Warehouse, periods: list[str]) -> dict[str, list[str]]:
    """Period -> the definitions versions its mart rows name (column definitions_version;
    empty for a period built before the marts carried it)."""
    tables = [r["table_name"] for r in wh.query(
        "select distinct table_name from information_schema.columns "
        "where column_name = 'definitions_version' and table_name like 'mart_%'")]
    found: dict[str, set[str]] = {p: set() for p in periods}
    for t in tables:
        for r in wh.query(f'select distinct cast(period as varchar) as period, '
                          f'definitions_version as v from "{t}" '
                          f'where cast(period as varchar) in ({_in(periods)})'):
            if r["v"]:
                found[r["period"]].add(r["v"])
    return {p: sorted(v) for p, v in found.items()}


def provider_sectors(wh: Warehouse, periods: list[str]) -> dict[str, str]:
    """Provider ID -> sector, as the marts of the span record it."""
    out = {}
    for t in ("mart_prom_compliance", "mart_provider_value", "mart_provider_payments"):
        if t in wh.tables:
            for r in wh.query(f'select distinct provider_id, sector from "{t}" '
                              f'where cast(period as varchar) in ({_in(periods)})'):
                if r["sector"]:
                    out[r["provider_id"]] = r["sector"]
    return out


def provider_names(wh: Warehouse, periods: list[str]) -> dict[str, str]:
    """Provider ID -> name, as the marts of the span record it."""
    return {r["provider_id"]: r["provider_name"] for t in ("mart_prom_compliance",
                                                           "mart_provider_value")
            if t in wh.tables for r in wh.query(
                f'select distinct provider_id, provider_name from "{t}" '
                f'where cast(period as varchar) in ({_in(periods)})')}


def _higher_is_better(row: dict[str, Any]) -> bool:
    return row["comparison"] != "at_most"


def _is_rate(row: dict[str, Any]) -> bool:
    return row["measure"] != RATE_MEASURES_MEAN


def unit_change(a: dict[str, Any] | None, b: dict[str, Any] | None) -> dict[str, Any]:
    """The change of an objective unit's figure from row `a` (P1) to row `b` (P2)."""
    if not a or not b or not a.get("value_measurable") or not b.get("value_measurable"):
        return trends.rate_change(None, None, None, None)
    better = _higher_is_better(b)
    if _is_rate(b):
        return trends.rate_change(a["successes"], a["n"], b["successes"], b["n"], better)
    return trends.mean_change(a["value"], trends.mean_se(a["ci_lower"], a["ci_upper"]),
                              b["value"], trends.mean_se(b["ci_lower"], b["ci_upper"]), better)


def objective_units(wh: Warehouse, periods: list[str]) -> list[dict[str, Any]]:
    """Per objective x unit (its scope, each provider in it): the series over the periods,
    the status at P2, the periods met and the change from P1 to P2."""
    if "mart_objective_attainment" not in wh.tables:
        return []
    rows = wh.query(
        "select * exclude (period), cast(period as varchar) as period "
        "from mart_objective_attainment "
        f"where cast(period as varchar) in ({_in(periods)}) "
        "order by objective_code, scope_type = 'provider', scope_id, period")
    units: dict[tuple, dict[str, dict]] = defaultdict(dict)
    for r in rows:
        for k in ("value", "ci_lower", "ci_upper", "target", "near", "margin"):
            r[k] = None if r.get(k) is None else float(r[k])
        units[(r["objective_code"], r["scope_type"], r["scope_id"])][r["period"]] = r
    out = []
    for (code, scope_type, scope_id), series in units.items():
        a, b = series.get(periods[0]), series.get(periods[-1])
        latest = b or series[max(series)]
        out.append({
            "objective_code": code, "scope_type": scope_type, "scope_id": scope_id,
            "provider_id": latest.get("provider_id"), "row": latest,
            "series": [series.get(p) for p in periods],
            "status_last": b["status"] if b else None,
            "periods_met": sum(1 for r in series.values() if r["status"] == "met"),
            "periods_judged": sum(1 for r in series.values() if r["status"] != "not_measurable"),
            "trend": unit_change(a, b)})
    return out


def sector_units(objectives: list[dict[str, Any]], sectors: dict[str, str],
                 periods: list[str]) -> list[dict[str, Any]]:
    """Per objective x provider type: its providers' figures pooled per period (shares:
    successes and n summed, Wilson interval; mean gains: pairs-weighted, SE from each
    provider's), with the change from P1 to P2."""
    pooled: dict[tuple, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for u in objectives:
        if u["scope_type"] != "provider":
            continue
        sector = sectors.get(u["provider_id"])
        for r in u["series"]:
            if r and r["value_measurable"] and sector:
                pooled[(u["objective_code"], sector)][r["period"]].append(r)
    out = []
    for (code, sector), by_period in sorted(pooled.items()):
        series = {p: _pool(rows) for p, rows in by_period.items()}
        a, b = series.get(periods[0]), series.get(periods[-1])
        out.append({"objective_code": code, "sector": sector,
                    "series": [series.get(p) for p in periods], "trend": unit_change(a, b)})
    return out


def _pool(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Several providers' measurable rows of one objective and period as one figure."""
    first = rows[0]
    n = sum(r["n"] for r in rows)
    clients = sum(r["clients"] or 0 for r in rows)
    base = {"period": first["period"], "measure": first["measure"],
            "comparison": first["comparison"], "n": n, "clients": clients,
            "providers": len(rows), "value_measurable": n > 0}
    if _is_rate(first):
        s = sum(r["successes"] or 0 for r in rows)
        lo, hi = trends.wilson(s, n)
        return {**base, "successes": s, "value": s / n if n else None, "ci_lower": lo,
                "ci_upper": hi}
    mean = sum(r["n"] * r["value"] for r in rows) / n
    se = sum((r["n"] * (trends.mean_se(r["ci_lower"], r["ci_upper"]) or 0.0)) ** 2
             for r in rows) ** 0.5 / n
    return {**base, "successes": None, "value": mean, "ci_lower": mean - trends.Z * se,
            "ci_upper": mean + trends.Z * se}


def obligations(wh: Warehouse, periods: list[str]) -> dict[str, Any]:
    """Obligations kept or missed: per provider x obligation the periods passed and failed,
    the providers failing repeatedly, per obligation the providers failing and the region's
    collection rate, and the region's share of obligations met per period with its change."""
    if "obligation_results" not in wh.tables:
        return {"cells": [], "repeated": [], "rules": [], "region": [], "trend": None,
                "baselines": {}}
    rows = wh.query(
        "select cast(period as varchar) as period, provider_id, provider_name, rule, scope, "
        "scope_code, package_code, instrument, timepoint, obligation_sector, status, "
        "eligible_episodes, collected, rate, rate_ci_upper, threshold from obligation_results "
        f"where cast(period as varchar) in ({_in(periods)}) order by provider_id, rule, period")
    cells: dict[tuple, dict[str, Any]] = {}
    for r in rows:
        c = cells.setdefault((r["provider_id"], r["rule"]), {
            **{k: r[k] for k in ("provider_id", "provider_name", "rule", "scope", "scope_code",
                                 "instrument", "timepoint")},
            "status": {}, "passed": 0, "failed": 0})
        c["status"][r["period"]] = r["status"]
        c["passed"] += r["status"] == "passed"
        c["failed"] += r["status"] == "failed"
    repeated = [c for c in cells.values() if c["failed"] >= REPEATED_FAILURES]
    per_rule: dict[tuple, dict[str, Any]] = {}
    region: dict[str, dict[str, int]] = {p: {"passed": 0, "failed": 0} for p in periods}
    for r in rows:
        rule = per_rule.setdefault(
            (r["scope"], r["scope_code"], r["instrument"], r["timepoint"]),
            {"scope": r["scope"], "scope_code": r["scope_code"], "instrument": r["instrument"],
             "timepoint": r["timepoint"], "threshold": r["threshold"],
             "periods": {p: {"failed": 0, "judged": 0, "eligible": 0, "collected": 0,
                             "failing": []} for p in periods}})
        cell = rule["periods"][r["period"]]
        if r["status"] in ("passed", "failed"):
            region[r["period"]][r["status"]] += 1
            cell["judged"] += 1
            cell["eligible"] += r["eligible_episodes"] or 0
            cell["collected"] += r["collected"] or 0
            if r["status"] == "failed":
                cell["failed"] += 1
                cell["failing"].append(r["provider_id"])
    for rule in per_rule.values():
        a, b = rule["periods"][periods[0]], rule["periods"][periods[-1]]
        rule["trend"] = trends.rate_change(a["collected"], a["eligible"], b["collected"],
                                           b["eligible"])
    series = [{"period": p, **c, "judged": c["passed"] + c["failed"],
               "rate": c["passed"] / (c["passed"] + c["failed"])
               if c["passed"] + c["failed"] else None} for p, c in region.items()]
    a, b = series[0], series[-1]
    return {"cells": sorted(cells.values(), key=lambda c: (c["provider_id"], c["rule"])),
            "repeated": repeated, "rules": list(per_rule.values()), "region": series,
            "baselines": {p: _baselines(rows, p) for p in periods},
            "trend": trends.rate_change(a["passed"], a["judged"], b["passed"], b["judged"])}


def _baselines(rows: list[dict[str, Any]], period: str) -> list[dict[str, Any]]:
    """Per package obligation entry (package x obligation sector) in `period`, its
    baseline checks over every instrument and provider: collected, eligible, each
    provider's lowest Wilson upper bound (what a higher minimum would fail) and whether
    it passed them all."""
    out: dict[tuple, dict[str, Any]] = {}
    for r in rows:
        if (r["period"] != period or r["scope"] != "package" or r["timepoint"] != "baseline"
                or r["status"] not in ("passed", "failed")):
            continue
        e = out.setdefault((r["package_code"], r["obligation_sector"]), {
            "package_code": r["package_code"], "obligation_sector": r["obligation_sector"],
            "collected": 0, "eligible": 0, "uppers": {}, "passing": {}})
        e["collected"] += r["collected"] or 0
        e["eligible"] += r["eligible_episodes"] or 0
        upper = r["rate_ci_upper"] if r["rate_ci_upper"] is not None else 1.0
        e["uppers"][r["provider_id"]] = min(e["uppers"].get(r["provider_id"], 1.0),
                                            float(upper))
        e["passing"][r["provider_id"]] = (e["passing"].get(r["provider_id"], True)
                                          and r["status"] == "passed")
    return list(out.values())


def payments(wh: Warehouse, periods: list[str]) -> dict[str, Any]:
    """What the rules paid: per period x package x sector x line the exact sum (DECIMAL,
    Decimal in Python) and, per adjustment, how many provider x periods reached its
    conditions (an uplift paid) or triggered it (a withhold kept back); each provider's
    base per package at the last period with its episodes, and the uplifts paid with the
    baseline participation (the lowest of the package's instruments judged, on 5 eligible
    episodes or more, with its counts: a rate on 1 to 4 is not judged by the payment
    rules, so no threshold would have withheld the uplift on it, docs/payments.md)."""
    if "mart_provider_payments" not in wh.tables:
        return {"totals": [], "adjustments": [], "last_base": {}, "uplifts_paid": []}
    totals = wh.query(
        "select cast(period as varchar) as period, package_code, sector, line, "
        "sum(amount_eur) as amount_eur, count(distinct provider_id) as providers, "
        "sum(episodes) as episodes from mart_provider_payments "
        f"where cast(period as varchar) in ({_in(periods)}) "
        "group by all order by period, package_code, sector, line")
    for t in totals:
        t["amount_eur"] = Decimal(t["amount_eur"]) if t["amount_eur"] is not None else None
    adjustments = wh.query(
        "select package_code, rule_sector, adjustment, line, "
        "count(*) as provider_periods, count(distinct provider_id) as providers, "
        "sum(case when conditions_met then 1 else 0 end) as conditions_met, "
        "sum(case when amount_eur <> 0 then 1 else 0 end) as applied, "
        "sum(amount_eur) as amount_eur, "
        "string_agg(distinct case when not conditions_met then failed_conditions end, '; ') "
        "as failed_conditions from mart_provider_payments "
        f"where cast(period as varchar) in ({_in(periods)}) and adjustment is not null "
        "and line in ('uplift', 'withhold') group by all "
        "order by package_code, rule_sector, adjustment")
    base = {(r["provider_id"], r["package_code"]): {
        "amount_eur": Decimal(r["amount_eur"]), "episodes": r["episodes"]} for r in wh.query(
        "select provider_id, package_code, sum(amount_eur) as amount_eur, "
        "max(episodes) as episodes from mart_provider_payments where line = 'base' "
        f"and cast(period as varchar) = '{periods[-1]}' group by all")}
    paid_under: dict[tuple, dict[str, Any]] = {}
    if "mart_prom_compliance" in wh.tables:
        # one row per instrument of the package: the lowest rate (then the first
        # instrument) is the provider's participation, with the counts it rests on
        for r in wh.query(
                "select cast(p.period as varchar) as period, p.provider_id, p.package_code, "
                "p.rule_sector, p.adjustment, p.amount_eur, p.episodes, c.rate, c.collected, "
                "c.eligible_episodes as eligible "
                "from mart_provider_payments as p inner join mart_prom_compliance as c "
                "on c.period = p.period and c.provider_id = p.provider_id "
                "and c.package_code = p.package_code and c.scope = 'package' "
                f"and c.timepoint = 'baseline' and c.eligible_episodes >= {SMALL_CELL} "
                f"where cast(p.period as varchar) in ({_in(periods)}) and p.line = 'uplift' "
                "and p.amount_eur > 0 order by period, provider_id, package_code, rule_sector, "
                "adjustment, c.rate, c.instrument"):
            paid_under.setdefault((r["period"], r["provider_id"], r["package_code"],
                                   r["rule_sector"], r["adjustment"]), r)
    return {"totals": totals, "adjustments": adjustments, "last_base": base,
            "uplifts_paid": list(paid_under.values())}


def outcomes(wh: Warehouse, periods: list[str]) -> dict[str, Any]:
    """Per package x instrument (primary measure): the pooled mean change of all pairs per
    period and its change P1 -> P2; and, per package, the case-mix adjusted outcome
    relative to the average (positive = better) of providers that had a withhold kept back
    in the span against the others."""
    packages: list[dict[str, Any]] = []
    if "mart_provider_package_outcomes" in wh.tables:
        rows = wh.query(
            "select cast(period as varchar) as period, package_code, instrument, measure, "
            "measure_label, instrument_label, higher_is_better, decimals, pairs, "
            "change_mean, change_sd from mart_provider_package_outcomes "
            f"where cast(period as varchar) in ({_in(periods)}) and pairs > 0")
        grouped: dict[tuple, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        meta: dict[tuple, dict[str, Any]] = {}
        for r in rows:
            key = (r["package_code"], r["instrument"])
            grouped[key][r["period"]].append((r["pairs"], r["change_mean"], r["change_sd"]))
            meta[key] = r
        for key in sorted(grouped):
            m = meta[key]
            better = m["higher_is_better"] is not False
            series = {p: trends.pooled_mean(g) for p, g in grouped[key].items()}
            a, b = series.get(periods[0]), series.get(periods[-1])
            packages.append({
                "package_code": key[0], "instrument": key[1], "measure": m["measure"],
                "measure_label": m["measure_label"], "decimals": m["decimals"] or 2,
                "higher_is_better": better, "series": [series.get(p) for p in periods],
                "trend": trends.mean_change(a and a["mean"], a and a["se"], b and b["mean"],
                                            b and b["se"], better)})
    return {"packages": packages, "withhold_groups": withhold_groups(wh, periods)}


def withhold_groups(wh: Warehouse, periods: list[str]) -> list[dict[str, Any]]:
    """Per package x primary measure x period: the pairs-weighted case-mix adjusted outcome
    relative to the population mean (positive = better), with its 95 % interval, of the
    providers with a withhold kept back in the span and of the others."""
    if not {"mart_provider_funnel", "mart_provider_payments"} <= wh.tables:
        return []
    withheld = {(r["provider_id"], r["package_code"]) for r in wh.query(
        "select distinct provider_id, package_code from mart_provider_payments "
        f"where cast(period as varchar) in ({_in(periods)}) and line = 'withhold' "
        "and amount_eur < 0")}
    packages = {r["package_code"] for r in wh.query(
        "select distinct package_code from mart_provider_payments where line = 'withhold' "
        f"and cast(period as varchar) in ({_in(periods)})")}
    rows = wh.query(
        "select cast(period as varchar) as period, provider_id, package_code, instrument, "
        "measure, measure_label, higher_is_better, pairs, adjusted, population_mean, se "
        "from mart_provider_funnel where is_primary and flag <> 'too_few_pairs' "
        f"and cast(period as varchar) in ({_in(periods)}) and se is not null")
    cells: dict[tuple, list] = defaultdict(list)
    for r in rows:
        if r["package_code"] not in packages:
            continue
        sign = 1.0 if r["higher_is_better"] is not False else -1.0
        group = "withheld" if (r["provider_id"], r["package_code"]) in withheld else "others"
        cells[(r["package_code"], r["instrument"], r["measure_label"] or r["measure"],
               group, r["period"])].append(
            (r["pairs"], sign * (float(r["adjusted"]) - float(r["population_mean"])),
             float(r["se"])))
    out = []
    for (pkg, inst, label, group, period), vals in sorted(cells.items()):
        w = sum(n for n, _, _ in vals)
        mean = sum(n * d for n, d, _ in vals) / w
        se = sum((n * s) ** 2 for n, _, s in vals) ** 0.5 / w
        out.append({"package_code": pkg, "instrument": inst, "measure_label": label,
                    "group": group, "period": period, "providers": len(vals), "pairs": w,
                    "relative": mean, "lower": mean - trends.Z * se,
                    "upper": mean + trends.Z * se})
    return out


def segments(wh: Warehouse, periods: list[str]) -> dict[str, Any]:
    """Segment sizes (clients, exact cost) per period, the segments' pairs and mean change
    per instrument with which way its primary score is better (mart_segment_outcomes,
    from seed prom_measures), and the clients moving from each segment at P1 to each
    segment at P2 (NONE_SEGMENT: no service in that window)."""
    sizes, outcomes = [], []
    if "mart_segment_value" in wh.tables:
        sizes = wh.query(
            "select cast(period as varchar) as period, segment_code, segment_name_fi, "
            "segment_name_en, priority, clients, total_cost_eur from mart_segment_value "
            f"where cast(period as varchar) in ({_in(periods)}) order by priority, period")
    if "mart_segment_outcomes" in wh.tables:
        outcomes = wh.query(
            "select cast(period as varchar) as period, segment_code, instrument, pairs, "
            "change_mean, higher_is_better from mart_segment_outcomes "
            f"where cast(period as varchar) in ({_in(periods)}) "
            "order by priority, segment_code, period, instrument")
    first, last = periods[0], periods[-1]
    recorded = set()
    if "mart_client_segments" in wh.tables:
        recorded = {r["period"] for r in wh.query(
            "select distinct cast(period as varchar) as period from mart_client_segments "
            f"where cast(period as varchar) in ('{first}', '{last}')")}
    unrecorded = [p for p in (first, last) if p not in recorded]
    moves = [] if unrecorded else wh.query(
        f"select coalesce(a.segment_code, '{NONE_SEGMENT}') as from_segment, "
        f"coalesce(b.segment_code, '{NONE_SEGMENT}') as to_segment, count(*) as clients "
        f"from (select * from mart_client_segments where period = '{first}') as a "
        f"full outer join (select * from mart_client_segments where period = '{last}') as b "
        "on a.client_id = b.client_id group by all order by 1, 2")
    return {"sizes": sizes, "outcomes": outcomes, "moves": moves,
            "unrecorded": sorted(set(unrecorded))}


def evaluate_warehouse(settings: Settings, first: str, last: str) -> Evaluation:
    """The evaluation of first..last from the run's warehouse (read-only)."""
    from arvo.report.warehouse import open_warehouse

    with open_warehouse(settings.warehouse) as wh:
        return evaluate(wh, first, last)
