"""Prefect flow `freeze`: the commissioner freezes a steering period's results.

Marks the period frozen in the warehouse (who, when, the note, the submissions its
results rest on), renders its reports once more as final (no preview banner) with the
language and PDF option of its last run, and records the manifest (sha256) of its report
files (arvo.freeze; docs/preview-and-freeze.md). Freezing a frozen period changes nothing.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NONE
from pydantic import BaseModel, Field, field_validator

from arvo import freeze
from arvo.config import Settings
from arvo.periods import check_month
from flows.runs import guarded
from flows.steering import HOOKS, RunParams, render_reports


class FreezeParams(RunParams):
    """The period to freeze, who freezes it and why."""

    period: str = Field(description="steering period YYYY-MM")
    by: str | None = Field(None, description="who freezes it; default the login name")
    note: str | None = Field(None, description="a note shown in the period's reports")

    @field_validator("period")
    @classmethod
    def _month(cls, v: str) -> str:
        return check_month(v)


class FreezeResult(BaseModel):
    """The frozen period."""

    period: str
    frozen_at: dt.datetime
    frozen_by: str
    already: bool = Field(description="the period was frozen before this run")
    reports: list[Path]
    manifest: dict[str, str] = Field(description="sha256 of each report file")


@task(cache_policy=NONE)
def period_state(settings: Settings, period: str) -> freeze.PeriodState:
    """The period's state as the warehouse holds it."""
    return freeze.state(settings.warehouse, period)


@task(cache_policy=NONE)
def mark_frozen(settings: Settings, params: FreezeParams) -> None:
    """Mark the period frozen: when, by whom, the note, the submissions it rests on."""
    freeze.mark_frozen(settings.warehouse, params.period, by=params.by, note=params.note)


@flow(name="freeze", log_prints=True, flow_run_name="freeze-{params.period}", **HOOKS)
def freeze_period(params: FreezeParams) -> FreezeResult:
    """Freeze a steering period: final reports, their manifest; later reruns refused."""
    return guarded(_freeze, params)  # no run writes the period while it is frozen


def _freeze(params: FreezeParams, settings: Settings) -> FreezeResult:
    """Mark the period frozen and render its reports final, unless it already is."""
    before = period_state(settings, params.period)
    reports: list[Path] = []
    if not (before.frozen and before.manifest):
        mark_frozen(settings, params)
        reports = render_reports(settings, params.period, before.pdf, before.lang or "fi")
    after = period_state(settings, params.period)
    get_run_logger().info("period %s frozen on %s by %s; %d report files in its manifest",
                          params.period, after.frozen_at, after.frozen_by, len(after.manifest))
    return FreezeResult(period=params.period, frozen_at=after.frozen_at,
                        frozen_by=after.frozen_by, already=before.frozen and bool(before.manifest),
                        reports=reports, manifest=after.manifest)
