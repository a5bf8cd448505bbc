"""Prefect flows of the steering cycle: ingest -> transform -> obligations -> report, per period.

The flows only wire stages together; each stage is a task around a plain function of
`arvo.ingest`, `arvo.transform`, `arvo.quality.obligations` or `arvo.report`. `steering` runs
one period, `report` re-renders a period's reports; flows/cycle.py runs the whole loop.
Without PREFECT_API_URL, Prefect starts a temporary local server for the run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NONE
from pydantic import BaseModel, ConfigDict, Field, field_validator

from arvo import config, definitions, freeze
from arvo.config import Settings
from arvo.definitions import Definitions, Language
from arvo.ingest.changes import changed_months, index_logs
from arvo.ingest.submission import FileOutcome, record_unrecognised, submission_months
from arvo.ingest.waves import Wave, in_plan_order, plan_waves
from arvo.ingest.workers import Workers
from arvo.meter import StageMeter
from arvo.periods import check_month, last_completed_month
from arvo.redact import shown
from flows.runs import guarded, notify_failure, publish, warehouse_guard

HOOKS = {"on_failure": [notify_failure], "on_crashed": [notify_failure]}


class RunParams(BaseModel):
    """Where a run reads and writes: ARVO_HOME-style root, or the environment's defaults."""

    model_config = ConfigDict(extra="forbid")

    home: Path | None = Field(None, description="root of var/ outputs; default $ARVO_HOME or ./var")
    raw_dir: Path | None = Field(None, description="provider submissions; default <home>/demo/raw")
    definitions_dir: Path | None = Field(
        None, description="the commissioner's definitions; default $ARVO_DEFINITIONS_DIR or "
                          "the repository's definitions/")

    def settings(self) -> Settings:
        base = Settings.from_env(self.home)
        update = {"raw_dir": self.raw_dir, "definitions_dir": self.definitions_dir}
        return base.model_copy(update={k: v.resolve() for k, v in update.items() if v})


class SteeringParams(RunParams):
    """Parameters of one steering period."""

    period: str | None = Field(None, validate_default=True,
                               description="last month of the 12-month window, YYYY-MM; "
                                           "empty: the last completed month (for schedules)")
    providers: list[str] | None = Field(None, description="provider IDs; default all registered")
    force: bool = Field(False, description="re-ingest months whose files are unchanged")
    reports: bool = Field(True, description="render the reports")
    pdf: bool = Field(False, description="also write each report as a PDF beside its HTML")
    lang: Language = Field(
        "fi", description="language of the steering report and index, and of the feedback "
                          "of providers whose register entry names no language")
    force_frozen: bool = Field(False, description="rerun a frozen period all the same "
                                                  "(recorded and shown in its reports; "
                                                  "needs `reason`)")
    reason: str | None = Field(None, description="why a frozen period is rerun")
    by: str | None = Field(None, description="who reruns a frozen period; default the login")

    @field_validator("period", mode="before")
    @classmethod
    def _month(cls, v: str | None) -> str:
        if not v:
            return last_completed_month()
        return check_month(v)


class SteeringResult(BaseModel):
    """What one steering period produced."""

    period: str
    definitions_version: str = Field(description="the definitions version in force at the "
                                                 "period, which the run used")
    files: list[dict]
    reports: list[Path]
    obligations: dict[str, int] = Field(default_factory=dict,
                                        description="obligation checks by status")
    seconds: dict[str, float] = Field(description="wall time of each stage")
    peak_mb: dict[str, float] = Field(default_factory=dict,
                                      description="peak resident memory of each stage, MB "
                                                  "(arvo.meter)")


@task(cache_policy=NONE)  # no retries: an invalid definition fails the same way again
def load_definitions(settings: Settings, period: str) -> Definitions:
    """Load and validate the commissioner's definitions in force at the period."""
    return definitions.load(settings.definitions_dir, period)


@task(cache_policy=NONE)
def check_frozen(settings: Settings, params: SteeringParams, command: str) -> bool:
    """Refuse to rerun a frozen period unless forced with a reason; True if it is frozen."""
    return freeze.check_rerun(settings.warehouse, params.period, forced=params.force_frozen,
                              reason=params.reason, command=command).frozen


@task(cache_policy=NONE)
def record_run(settings: Settings, params: SteeringParams, defs: Definitions | None,
               frozen: bool, command: str) -> None:
    """Record the period's build (with `defs`) and a forced rerun of a frozen period."""
    if defs is not None:
        freeze.record_build(settings.warehouse, params.period, lang=params.lang, pdf=params.pdf,
                            corrections_by=defs.submissions.corrections_by(params.period))
    if frozen:
        changed = freeze.record_rerun(settings.warehouse, params.period, by=params.by,
                                      reason=params.reason or "", command=command)
        get_run_logger().warning("forced rerun of frozen period %s recorded; submissions "
                                 "changed since the freeze: %s", params.period,
                                 "; ".join(changed) or "none")


@task(cache_policy=NONE)
def plan_ingest(settings: Settings, providers: list[str], period: str,
                force: bool) -> dict[str, list[str]]:
    """Per provider, its submission months up to the period that are new or changed."""
    plan = {}
    for provider_id in providers:
        months = submission_months(settings.raw_dir, provider_id, period)
        plan[provider_id] = months if force else changed_months(settings, provider_id,
                                                                 months)
    return plan


@task(cache_policy=NONE)
def split_in_waves(settings: Settings, plan: dict[str, list[str]]) -> list[Wave]:
    """The planned months, oldest first, in waves of at most the budget of raw bytes."""
    return plan_waves(settings.raw_dir, plan, settings.ingest_wave_bytes,
                      settings.max_file_bytes, settings.max_file_rows)


@task(cache_policy=NONE)
def index_ingest_logs(settings: Settings, providers: list[str]) -> None:
    """Index the ingested providers' logs, so that the next run's plan reads only new ones."""
    index_logs(settings.lake_dir, providers)


@task(cache_policy=NONE)
def list_unrecognised(settings: Settings, providers: list[str],
                      period: str) -> list[FileOutcome]:
    """Record, per provider, the files and folders under its folder that are not read."""
    return [o for pid in providers for o in record_unrecognised(settings, pid, period)]


def _on_io_error(task, task_run, state) -> bool:
    """Retry only what may pass a second time: a file system error."""
    return isinstance(state.result(raise_on_failure=False), OSError)


@task(retries=2, retry_delay_seconds=2, retry_condition_fn=_on_io_error, cache_policy=NONE)
def ingest_providers(settings: Settings, defs: Definitions, plan: dict[str, list[str]],
                     workers: Workers) -> list[FileOutcome]:
    """Read, type, pseudonymise, validate and write a group of providers' months."""
    return workers.ingest(settings, defs, plan, config.pseudonym_key(), dt.date.today())


@task(cache_policy=NONE)
def prepare_later_stages(settings: Settings) -> None:
    """Import dbt and parse the dbt project (and Great Expectations if the obligations are
    checked in this process), while ingest works."""
    from arvo import transform
    from arvo.quality import obligations

    transform.prepare(settings)
    obligations.warm_up(settings)


@task(cache_policy=NONE)
def build_marts(settings: Settings, period: str):
    """Run dbt build for the period (staging, intermediate, marts and their tests)."""
    from arvo import transform

    return transform.build(settings, period)


@task(cache_policy=NONE)
def check_obligations(settings: Settings, period: str) -> dict[str, int]:
    """Enforce the PROM obligations on the period's compliance rows with Great Expectations."""
    from arvo.quality import obligations

    summary = obligations.check_in_run(settings, period)
    get_run_logger().info("%s (results: %s)", summary.text, summary.path)
    return {"passed": summary.passed, "failed": summary.failed,
            "not_applicable": summary.not_applicable, "error": summary.error}


@task(cache_policy=NONE)  # no retries: rendering the same warehouse fails the same way again
def render_reports(settings: Settings, period: str, pdf: bool = False,
                   lang: str = "fi") -> list[Path]:
    """Render the steering report and every provider's feedback for the period (with `pdf`,
    also as PDFs)."""
    return freeze.render(settings, period, lang, pdf=pdf)


@flow(name="ingest", log_prints=True, flow_run_name="ingest-{params.period}", **HOOKS)
def ingest(params: SteeringParams) -> list[FileOutcome]:
    """Ingest every registered provider's new or changed submissions up to the period."""
    settings = params.settings()
    config.pseudonym_key()  # fail fast, before any task, if no key is configured
    with warehouse_guard(settings):  # the lake and the warehouse are written together
        return _ingest(params, settings, load_definitions(settings, params.period))


def _ingest(params: SteeringParams, settings: Settings, defs: Definitions,
            planned: Callable[[], None] | None = None) -> list[FileOutcome]:
    """Plan the providers' new or changed months, then read, validate and write them in
    waves of consecutive months (arvo.ingest.waves), so that memory holds one wave; a
    large wave's providers in groups side by side, in worker processes
    (arvo.ingest.workers). `planned` is called once the plan is made, before the first
    wave."""
    workers = Workers(settings)  # its fork server imports while the run plans
    logger = get_run_logger()
    providers = params.providers or [p.id for p in defs.providers]
    unknown = sorted(set(providers) - {p.id for p in defs.providers})
    if unknown:
        raise ValueError(f"providers {unknown} are not in definitions/providers.yml")
    strangers = sorted(p.name for p in settings.raw_dir.iterdir()
                       if p.name not in {d.id for d in defs.providers}) \
        if settings.raw_dir.is_dir() else []
    for name in strangers:
        logger.warning("%s under %s is not a registered provider's folder and is not read "
                       "(definitions/providers.yml)", shown(name), settings.raw_dir)
    plan = plan_ingest(settings, providers, params.period, params.force)
    unread = list_unrecognised(settings, providers, params.period)
    for o in unread:
        logger.warning("NOT READ %s/%s", o.provider_id, o.message)
    for provider_id in sorted(p for p, months in plan.items() if not months):
        logger.info("%s: nothing new to ingest up to %s", provider_id, params.period)
    todo = {p: months for p, months in plan.items() if months}
    outcomes = []
    waves = split_in_waves(settings, todo)
    if planned is not None:
        planned()
    with workers:
        for i, wave in enumerate(waves, start=1):
            groups = workers.groups(wave)
            logger.info("wave %d of %d: months %s to %s, %.1f MB of files, %d group(s) of "
                        "providers side by side", i, len(waves), wave.months[0],
                        wave.months[-1], wave.raw_bytes / config.MB, len(groups))
            runs = [ingest_providers.submit(settings, defs, group, workers)
                    for group in groups]
            outcomes += [o for run in runs for o in run.result()]  # the wave's rows are freed
    outcomes = in_plan_order(outcomes, todo)
    index_ingest_logs(settings, sorted(todo))
    for o in outcomes:
        if o.status in ("rejected", "empty", "withdrawn"):
            logger.warning("%s %s", o.status.upper(), o.message)
    sent = [o for o in outcomes if o.status in ("accepted", "partial", "rejected", "empty")]
    logger.info("ingested %d files: %d rows in, %d accepted, %d quarantined, %d blank lines "
                "skipped; %d earlier submissions stand; %d items not read", len(sent),
                sum(o.rows_in for o in sent), sum(o.rows_accepted for o in sent),
                sum(o.rows_quarantined for o in sent), sum(o.blank_lines for o in sent),
                sum(o.status == "standing" for o in outcomes), len(unread))
    return outcomes + unread


@flow(name="steering", log_prints=True, flow_run_name="steering-{params.period}", **HOOKS)
def steering(params: SteeringParams) -> SteeringResult:
    """One steering period: ingest, build the marts, check the obligations, render the reports."""
    result = guarded(_steer, params)
    publish_summary(params.settings(), result)
    return result


@task(retries=2, retry_delay_seconds=5, cache_policy=NONE)  # the Prefect API: I/O
def publish_summary(settings: Settings, result: SteeringResult) -> None:
    """Publish the period's key figures and report links as a markdown artifact."""
    from prefect.runtime import flow_run

    from arvo.report.run_summary import steering_summary

    publish(f"steering-{result.period}", steering_summary(
        settings.warehouse, result.period, result.definitions_version,
        flow_run.name or f"steering-{result.period}", result.files, result.reports,
        result.obligations), f"Steering {result.period}: key figures and reports")


def _steer(params: SteeringParams, settings: Settings) -> SteeringResult:
    """The stages of one period in order, each timed and its peak memory measured."""
    meter = StageMeter()
    config.pseudonym_key()  # fail fast, before any task, if no key is configured
    frozen = check_frozen(settings, params, "steer")
    defs = load_definitions(settings, params.period)
    version = defs.version
    get_run_logger().info("steering %s with definitions version %s", params.period, version)
    # a large wave is ingested in worker processes (arvo.ingest.workers), which leave this
    # one idle: it meanwhile does the start-up work of the later stages. That work starts
    # once the ingest is planned, not before: in a thread of this process it would share
    # the interpreter lock with the planning, and the workers would start later
    prepared = []
    outcomes = _ingest(params, settings, defs,  # not as a subflow: one costs about 1 s
                       lambda: prepared.append(prepare_later_stages.submit(settings)))
    meter.lap("ingest")
    prepared[0].result()
    build_marts(settings, params.period)
    meter.lap("transform")
    checked = check_obligations(settings, params.period)
    meter.lap("obligations")
    record_run(settings, params, defs, frozen, "steer")
    reports = (render_reports(settings, params.period, params.pdf, params.lang)
               if params.reports else [])
    meter.lap("report")
    meter.total()
    get_run_logger().info("steering %s done in %s s (peak MB %s)", params.period,
                          meter.seconds, meter.peak_mb)
    return SteeringResult(period=params.period, definitions_version=version,
                          files=[asdict(o) for o in outcomes], reports=reports,
                          obligations=checked, seconds=meter.seconds,
                          peak_mb=meter.peak_mb)


@flow(name="report", log_prints=True, flow_run_name="report-{params.period}", **HOOKS)
def report(params: SteeringParams) -> list[Path]:
    """Render the reports of a period from the marts already built."""
    settings = params.settings()
    with warehouse_guard(settings):
        if check_frozen(settings, params, "report"):
            record_run(settings, params, None, True, "report")
        return render_reports(settings, params.period, params.pdf, params.lang)
