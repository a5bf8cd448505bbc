"""Prefect flow `watch`: rerun the steering periods that late or corrected submissions touch.

One scan (`arvo.watch.plan`): the provider months whose files are new or changed since
they were ingested, and the periods already run whose window holds them. Each such
period that is not frozen is rerun with the `steering` flow, oldest first, with the
language and PDF option it was last built with; a frozen one is logged and left alone
(docs/preview-and-freeze.md). `arvo watch` scans once (`--once`) or every N seconds.
"""

from __future__ import annotations

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NONE
from pydantic import BaseModel, Field

from arvo import freeze
from arvo import watch as watching
from arvo.config import Settings
from flows.runs import guarded
from flows.steering import HOOKS, RunParams, SteeringParams, steering


def _run_name() -> str:
    """watch-2026-01-10-0315: when the scan ran, in the county's time."""
    import datetime as dt

    from arvo.periods import COUNTY_TIME

    return f"watch-{dt.datetime.now(COUNTY_TIME):%Y-%m-%d-%H%M}"


class WatchParams(RunParams):
    """Where the submissions, the lake and the warehouse are; which providers to watch."""

    providers: list[str] | None = Field(None, description="provider IDs; default all "
                                                          "registered")


class WatchResult(BaseModel):
    """What one scan found and did."""

    changed: list[str] = Field(description="provider/month new or changed since ingested")
    rerun: list[str] = Field(description="periods rerun, oldest first")
    frozen: list[str] = Field(description="frozen periods touched, not rerun")
    uncovered: list[str] = Field(description="provider/month in no period run so far")


@task(cache_policy=NONE)
def scan(settings: Settings, providers: list[str] | None) -> watching.WatchPlan:
    """Find the changed provider months and the periods they touch."""
    return watching.plan(settings, providers)


@task(cache_policy=NONE)
def period_state(settings: Settings, period: str) -> freeze.PeriodState:
    """The period's state (its last run's language and PDF option)."""
    return freeze.state(settings.warehouse, period)


@flow(name="watch", log_prints=True, flow_run_name=_run_name, **HOOKS)
def watch(params: WatchParams) -> WatchResult:
    """Rerun every unfrozen period that new or corrected submissions touch, oldest first."""
    return guarded(_scan_and_rerun, params)  # the scan sees what the reruns act on


def _scan_and_rerun(params: WatchParams, settings: Settings) -> WatchResult:
    """Scan once, log what is frozen or uncovered, rerun the rest oldest first."""
    logger = get_run_logger()
    found = scan(settings, params.providers)
    for period, months in found.frozen.items():
        logger.warning("frozen, not rerun: %s (changed: %s)", period,
                       ", ".join(f"{p} {m}" for p, m in months))
    for pid, month in found.uncovered:
        logger.info("%s %s: in the window of no steering period run so far: not rerun",
                    pid, month)
    if not found.changed:
        logger.info("watch: no new or changed submissions")
    for period in found.rerun:
        last = period_state(settings, period)
        logger.info("watch: rerunning steering %s", period)
        steering(SteeringParams(home=params.home, raw_dir=params.raw_dir,
                                definitions_dir=params.definitions_dir, period=period,
                                lang=last.lang or "fi", pdf=last.pdf))
    return WatchResult(changed=[f"{p}/{m}" for p, m in found.changed], rerun=found.rerun,
                       frozen=sorted(found.frozen),
                       uncovered=[f"{p}/{m}" for p, m in found.uncovered])
