"""Prefect flow of the definition phase: ingest -> definition marts -> definition report.

The phase before steering (docs/definition.md): the commissioner analyses the current
state of the 12-month window ending with the period (the same window as steering) to
decide segments, packages, objectives and obligations, optionally against a draft
segmentation. The flow only wires: the work is in `arvo.drafts`, `arvo.transform` and
`arvo.report.definition`.
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NONE
from pydantic import BaseModel, Field

from arvo.config import Settings
from arvo.meter import StageMeter
from flows.runs import guarded, publish
from flows.steering import HOOKS, SteeringParams, ingest


class DefinitionParams(SteeringParams):
    """Parameters of the definition phase for one period (those of steering, and a draft)."""

    segments: Path | None = Field(
        None, description="a draft segmentation in the form of definitions/segments.yml; "
                          "default: the current segments")


class DefinitionResult(BaseModel):
    """What the definition phase produced."""

    period: str
    reports: list[Path]
    seconds: dict[str, float] = Field(description="wall time of each stage")


@task(cache_policy=NONE)  # no retries: an invalid draft fails the same way again
def load_draft(settings: Settings, path: Path | None, period: str) -> list | None:
    """Validate the draft segmentation against the definitions in force (None without one)."""
    from arvo import definitions, drafts

    return (drafts.load_draft(path, definitions.load(settings.definitions_dir, period))
            if path else None)


@task(cache_policy=NONE)
def build_definition_marts(settings: Settings, period: str, draft: list | None):
    """Run dbt build for the definition marts and what they rest on (+tag:definition)."""
    from arvo import transform

    return transform.build(settings, period, select="+tag:definition", exclude=None,
                           draft=draft, indirect_selection="buildable")


@task(cache_policy=NONE)  # no retries: rendering the same warehouse fails the same way again
def render_definition(settings: Settings, period: str, lang: str, pdf: bool) -> list[Path]:
    """Render the definition report (with `pdf`, also as a PDF beside it)."""
    from arvo.report.definition import render_definition

    return render_definition(settings, period, lang, pdf)


@flow(name="definition", log_prints=True, flow_run_name="definition-{params.period}",
      **HOOKS)
def definition(params: DefinitionParams) -> DefinitionResult:
    """The definition phase of one period: ingest, build the definition marts, render."""
    result = guarded(_define, params)
    publish_definition(result)
    return result


@task(retries=2, retry_delay_seconds=5, cache_policy=NONE)  # the Prefect API: I/O
def publish_definition(result: DefinitionResult) -> None:
    """Publish the review's report links as a markdown artifact."""
    from prefect.runtime import flow_run

    from arvo.report.run_summary import phase_summary

    publish(f"definition-{result.period}", phase_summary(
        f"Definition review {result.period}", flow_run.name or "definition",
        {"Seconds": result.seconds.get("total")}, result.reports),
        f"Definition review {result.period}: report")


def _define(params: DefinitionParams, settings: Settings) -> DefinitionResult:
    """Ingest, build the definition marts and render their report."""
    meter = StageMeter()
    draft = load_draft(settings, params.segments, params.period)
    ingest(params)
    meter.lap("ingest")
    build_definition_marts(settings, params.period, draft)
    meter.lap("transform")
    reports = render_definition(settings, params.period, params.lang, params.pdf)
    meter.lap("report")
    meter.total()
    seconds = meter.seconds
    get_run_logger().info("definition %s done in %s s", params.period, seconds)
    return DefinitionResult(period=params.period, reports=reports, seconds=seconds)
