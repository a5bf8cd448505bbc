"""Late or corrected submissions: which steering periods they touch, which to rerun.

A provider month is new or changed when its files differ from those last ingested
(arvo.ingest.changes.is_unchanged: the files' names and sha256 against the ingest
log). Each steering period already run (the warehouse's `mart_period_register`) whose
12-month window holds such a month is rerun unless it is frozen (arvo.freeze), oldest
first: a run ingests the months up to its period, so the later periods pick up the
rest. A frozen period is not rerun and is named; a month no period run so far covers
waits for the period's scheduled run. docs/preview-and-freeze.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from arvo import definitions, freeze
from arvo.config import Settings
from arvo.ingest import changes
from arvo.ingest.submission import submission_months
from arvo.periods import window_months
from arvo.report.warehouse import open_warehouse


@dataclass
class WatchPlan:
    """What one scan found: the changed provider months and what becomes of them."""

    changed: list[tuple[str, str]] = field(default_factory=list)  # (provider, month)
    rerun: list[str] = field(default_factory=list)  # periods, oldest first
    frozen: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # period -> months
    uncovered: list[tuple[str, str]] = field(default_factory=list)  # in no period run yet


def changed_months(settings: Settings, provider_ids: list[str]) -> list[tuple[str, str]]:
    """(provider, month) of every submission month whose files are new or changed since
    they were last ingested."""
    return [(pid, month) for pid in provider_ids
            for month in changes.changed_months(
                settings, pid, submission_months(Path(settings.raw_dir), pid))]


def run_periods(warehouse: Path) -> list[str]:
    """The steering periods the warehouse holds results of (mart_period_register)."""
    with open_warehouse(warehouse) as wh:
        if "mart_period_register" not in wh.tables:
            return []
        rows = wh.query("select distinct cast(period as varchar) as period "
                        "from mart_period_register order by 1")
    return [r["period"] for r in rows]


def covers(period: str, month: str) -> bool:
    """Whether the period's 12-month window holds `month`."""
    return month in window_months(period)


def plan(settings: Settings, provider_ids: list[str] | None = None) -> WatchPlan:
    """Scan the submissions folder once: changed months, the periods to rerun (oldest
    first), the frozen periods they touch, and the months no period run yet covers."""
    if provider_ids is None:
        provider_ids = [p.id for p in definitions.load(Path(settings.definitions_dir)).providers]
    out = WatchPlan(changed=changed_months(settings, provider_ids))
    periods = run_periods(Path(settings.warehouse))
    for period in periods:
        touched = [c for c in out.changed if covers(period, c[1])]
        if not touched:
            continue
        if freeze.state(Path(settings.warehouse), period).frozen:
            out.frozen[period] = touched
        else:
            out.rerun.append(period)
    out.uncovered = [c for c in out.changed if not any(covers(p, c[1]) for p in periods)]
    return out
