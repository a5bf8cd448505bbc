"""Prefect flow of the follow-up: evaluate the steering periods P1..P2 -> propose the
renewal (a draft definitions version) -> render the follow-up report.

The flow only wires; the work is `arvo.follow_up` (evaluate, renewal, draft) and
`arvo.report.follow_up`. It reads only the warehouse the steering runs built
(docs/follow-up.md).
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NONE
from pydantic import BaseModel, Field, field_validator, model_validator

from arvo.cadence import FOLLOW_UP_SPAN
from arvo.config import Settings
from arvo.definitions import Language
from arvo.follow_up.draft import Renewal
from arvo.follow_up.evaluate import Evaluation
from arvo.periods import check_month, last_completed_month
from flows.runs import guarded, publish
from flows.steering import HOOKS, RunParams


class FollowUpParams(RunParams):
    """Parameters of a follow-up of the steering periods first..last."""

    first: str | None = Field(
        None, description="first steering period of the span, YYYY-MM (P1); default: the "
                          "earliest steered period of the 12 months up to `last`")
    last: str | None = Field(None, validate_default=True,
                             description="last steering period of the span, YYYY-MM (P2); "
                                         "default: the last completed month (for schedules)")
    in_force_from: str | None = Field(
        None, description="first month of the proposed definitions version; default the "
                          "month after the last period")
    lang: Language = Field("fi", description="language of the follow-up report")
    pdf: bool = Field(False, description="also write the report as a PDF beside its HTML")

    @field_validator("first", "in_force_from")
    @classmethod
    def _month(cls, v: str | None) -> str | None:
        return None if v is None else check_month(v)

    @field_validator("last", mode="before")
    @classmethod
    def _last(cls, v: str | None) -> str:
        return last_completed_month() if not v else check_month(v)

    @model_validator(mode="after")
    def _order(self) -> FollowUpParams:
        if self.first and self.first > self.last:
            raise ValueError(f"the first period {self.first} is after the last {self.last}")
        return self


class FollowUpResult(BaseModel):
    """What a follow-up produced."""

    periods: list[str]
    version: str
    proposals: int
    changes: int
    draft: Path
    proposals_file: Path
    reports: list[Path]


@task(cache_policy=NONE)
def evaluate_span(settings: Settings, first: str, last: str) -> Evaluation:
    """Evaluate objectives, obligations, payments, outcomes and segments over the span."""
    from arvo.follow_up.evaluate import evaluate_warehouse

    return evaluate_warehouse(settings, first, last)


@task(cache_policy=NONE)  # no retries: an invalid draft fails the same way again
def propose_renewal(settings: Settings, evaluation: Evaluation,
                    in_force_from: str | None) -> Renewal:
    """Propose the renewal and write it as a validated draft definitions version."""
    from arvo.follow_up.draft import renew

    return renew(settings, evaluation, in_force_from)


@task(cache_policy=NONE)
def render_follow_up(settings: Settings, evaluation: Evaluation, renewal: Renewal,
                     lang: str, pdf: bool) -> list[Path]:
    """Render the follow-up report (and with `pdf` its PDF)."""
    from arvo.report.follow_up import render_report

    return render_report(settings, evaluation, renewal, lang, pdf)


@task(cache_policy=NONE)
def first_period(settings: Settings, last: str) -> str:
    """The span's first period by default: the earliest steered of the 12 months to `last`."""
    from arvo.follow_up.evaluate import default_first

    return default_first(settings.warehouse, last, FOLLOW_UP_SPAN)


@task(retries=2, retry_delay_seconds=5, cache_policy=NONE)  # the Prefect API: I/O
def publish_follow_up(result: FollowUpResult) -> None:
    """Publish the follow-up's key figures and report links as a markdown artifact."""
    from prefect.runtime import flow_run

    from arvo.report.run_summary import phase_summary

    span = f"{result.periods[0]}..{result.periods[-1]}"
    publish(f"follow-up-{result.periods[-1]}", phase_summary(
        f"Follow-up {span}", flow_run.name or "follow-up",
        {"Steering periods evaluated": len(result.periods),
         "Proposals for the renewal": result.proposals,
         "Changes in the draft": result.changes,
         "Draft definitions": f"{result.version} at `{result.draft}`"}, result.reports),
        f"Follow-up {span}: proposals and report")


@flow(name="follow-up", log_prints=True, flow_run_name="follow-up-{params.last}", **HOOKS)
def follow_up(params: FollowUpParams) -> FollowUpResult:
    """Follow-up of P1..P2: evaluate, propose the renewal, render the report."""
    result = guarded(_follow_up, params)
    publish_follow_up(result)
    return result


def _follow_up(params: FollowUpParams, settings: Settings) -> FollowUpResult:
    """Evaluate the span, write the draft renewal and render the report."""
    first = params.first or first_period(settings, params.last)
    evaluation = evaluate_span(settings, first, params.last)
    renewal = propose_renewal(settings, evaluation, params.in_force_from)
    reports = render_follow_up(settings, evaluation, renewal, params.lang, params.pdf)
    get_run_logger().info("follow-up %s..%s: %d proposals, draft %s at %s",
                          first, params.last, len(renewal.proposals),
                          renewal.version, renewal.path)
    return FollowUpResult(periods=evaluation.periods, version=renewal.version,
                          proposals=len(renewal.proposals),
                          changes=sum(p.changes for p in renewal.proposals),
                          draft=renewal.path, proposals_file=renewal.proposals_path,
                          reports=reports)
