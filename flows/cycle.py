"""Prefect flows of the whole loop: definition - steering - follow-up over a range of periods.

`cycle` runs the phases in their cadence (arvo/cadence.py): steering every month, the
follow-up at each quarter's end and at the cycle's last period, the definition review each
December. `demo` generates the synthetic region first and runs the loop over its whole
history. The flows only wire: each phase is the flow of flows/steering.py,
flows/follow_up.py or flows/definition.py.
"""

from __future__ import annotations

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NONE
from pydantic import BaseModel, Field, field_validator, model_validator

from arvo import cadence
from arvo.definitions import Language
from arvo.periods import add_months, check_month, last_completed_month
from flows.definition import DefinitionParams, DefinitionResult, definition
from flows.follow_up import FollowUpParams, FollowUpResult, follow_up
from flows.runs import publish, warehouse_guard
from flows.steering import HOOKS, RunParams, SteeringParams, SteeringResult, steering


class CycleParams(RunParams):
    """The periods of a cycle and which phases run besides steering."""

    periods: list[str] | None = Field(None, description="steering periods YYYY-MM; default: "
                                                        "every month from `start` to `end`")
    start: str | None = Field(None, description="first steering period YYYY-MM")
    end: str | None = Field(None, description="last steering period YYYY-MM")
    follow_up: bool = Field(True, description="follow-ups quarterly and at the last period")
    definition: bool = Field(True, description="the definition review each December")
    force: bool = False
    pdf: bool = Field(False, description="also write each report as a PDF beside its HTML")
    pdf_last_only: bool = Field(False, description="with `pdf`: PDFs only of each phase's "
                                                   "last run")
    lang: Language = Field("fi", description="language of the reports and indexes")

    @field_validator("periods")
    @classmethod
    def _months(cls, v: list[str] | None) -> list[str] | None:
        return sorted(check_month(p) for p in v) if v else None

    @model_validator(mode="after")
    def _range(self) -> CycleParams:
        if not (self.periods or self.start or self.end):  # a scheduled or bare run
            self.start = self.end = last_completed_month()
        if not self.periods:
            if not (self.start and self.end):
                raise ValueError("give the steering periods, or start and end")
            self.periods = cadence.months_between(check_month(self.start),
                                                  check_month(self.end))
            if not self.periods:
                raise ValueError(f"start {self.start} is after end {self.end}")
        self.start, self.end = self.periods[0], self.periods[-1]
        return self


class CycleResult(BaseModel):
    """Every phase a cycle ran, by phase, each in the order it ran."""

    steering: list[SteeringResult]
    follow_ups: list[FollowUpResult] = []
    definitions: list[DefinitionResult] = []


@flow(name="cycle", log_prints=True, flow_run_name="cycle-{params.start}-{params.end}",
      **HOOKS)
def cycle(params: CycleParams) -> CycleResult:
    """Run the phases of the loop in their cadence over the periods."""
    with warehouse_guard(params.settings()):  # the whole loop, its phases in order
        result = _run_phases(params)
    publish_cycle(params, result)
    return result


@task(retries=2, retry_delay_seconds=5, cache_policy=NONE)  # the Prefect API: I/O
def publish_cycle(params: CycleParams, result: CycleResult) -> None:
    """Publish what the loop ran and where its last reports are as a markdown artifact."""
    from prefect.runtime import flow_run

    from arvo.report.run_summary import phase_summary

    last = result.steering[-1].reports if result.steering else []
    publish(f"cycle-{params.start}-{params.end}", phase_summary(
        f"Loop {params.start}..{params.end}", flow_run.name or "cycle",
        {"Steering periods": len(result.steering),
         "Follow-ups": ", ".join(f"{f.periods[0]}..{f.periods[-1]}"
                                 for f in result.follow_ups) or "none",
         "Definition reviews": ", ".join(d.period for d in result.definitions) or "none"},
        [p for p in last if p.name in ("steering_report.html", "index.html")]
        + [p for r in (*result.follow_ups, *result.definitions) for p in r.reports]),
        f"Loop {params.start}..{params.end}: phases run and their reports")


@task(cache_policy=NONE)
def frozen_periods(params: CycleParams) -> list[str]:
    """The cycle's periods that are frozen (their results never change)."""
    from arvo import freeze

    return [p for p in params.periods if freeze.state(params.settings().warehouse, p).frozen]


def _run_phases(params: CycleParams) -> CycleResult:
    """Each phase's flow at its period, in the cadence's order; frozen periods are not
    steered again (a backfill over them leaves their results as frozen)."""
    steps = cadence.plan(params.periods, follow_up=params.follow_up,
                         definition=params.definition)
    logger = get_run_logger()
    logger.info("cycle: %s", ", ".join(map(str, steps)))
    frozen = frozen_periods(params)
    for period in frozen:
        logger.warning("frozen, not rerun: %s (its results and reports stay as frozen; "
                       "`arvo steer --force-frozen --reason TEXT` reruns it)", period)
    last = {s.phase: s for s in steps}
    where = {"home": params.home, "raw_dir": params.raw_dir,
             "definitions_dir": params.definitions_dir, "lang": params.lang}
    result = CycleResult(steering=[])
    for step in steps:
        pdf = params.pdf and (not params.pdf_last_only or step == last[step.phase])
        if step.phase == "steering" and step.period in frozen:
            continue
        if step.phase == "steering":
            result.steering.append(steering(SteeringParams(
                **where, period=step.period, force=params.force, pdf=pdf)))
        elif step.phase == "follow_up":
            result.follow_ups.append(follow_up(FollowUpParams(
                **where, first=step.start, last=step.period, pdf=pdf)))
        else:
            result.definitions.append(definition(DefinitionParams(
                **where, period=step.period, pdf=pdf)))
    return result


class DemoParams(RunParams):
    """Size and seed of the synthetic region, and the periods to steer."""

    seed: int = 42
    residents: int = Field(50_000, ge=100)
    months: int = Field(24, ge=12, le=120)
    start_month: str = "2024-01"
    periods: list[str] | None = Field(None, description="default: every month with a full "
                                                        "12-month window")
    pdf: bool = Field(False, description="also write each phase's last reports as PDFs")


@flow(name="generate-demo-region", log_prints=True)
def generate_demo_region(params: DemoParams) -> dict:
    """Write the synthetic region's provider submissions and its planted truth."""
    from arvo.demo import generate_region

    settings = params.settings()
    out = settings.raw_dir.parent
    summary = generate_region(out, seed=params.seed, residents=params.residents,
                              months=params.months, start_month=params.start_month,
                              definitions_dir=settings.definitions_dir,
                              meetings_dir=settings.meetings_dir)
    return summary.model_dump(mode="json")


@flow(name="demo", log_prints=True, **HOOKS)
def demo(params: DemoParams) -> CycleResult:
    """Generate the demo region and run the whole loop over its history."""
    generate_demo_region(params)
    last = add_months(params.start_month, params.months - 1)
    first = add_months(params.start_month, 11)  # the first month with a full window
    return cycle(CycleParams(home=params.home, raw_dir=params.raw_dir,
                             definitions_dir=params.definitions_dir,
                             periods=params.periods or cadence.months_between(first, last),
                             pdf=params.pdf, pdf_last_only=True))
