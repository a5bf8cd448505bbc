"""The Prefect flow `score` (`arvo score INSTRUMENT FILE`): score a provider's own PROM file.

The work is `arvo.scoring`'s; the flow wires it in three tasks. A file that cannot be
scored, or a scoring model that cannot run, fails the task and so the flow (state Failed),
with the reason as the exception's one-line message (`arvo.scoring.ScoreError`).
"""

from __future__ import annotations

import time

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NONE

from arvo import scoring
from arvo.config import Settings
from arvo.scoring import ModelScores, ScoreInput, ScoreParams, ScoreResult

__all__ = ["ScoreParams", "score"]


@task(cache_policy=NONE)  # no retries: a missing value set is missing again
def prepare(params: ScoreParams) -> tuple[Settings, dict[str, str]]:
    """The scoring workspace and the dbt vars for the chosen value set."""
    return scoring.prepare(params)


@task(cache_policy=NONE)  # no retries: a file that cannot be read fails the same way again
def read_responses(params: ScoreParams) -> ScoreInput:
    """Read the provider's file and check its items."""
    return scoring.read_input(params.file, params.instrument)


@task(cache_policy=NONE)  # no retries: options dbt refuses are refused again
def run_scoring_model(data: ScoreInput, settings: Settings, vars_: dict[str, str]
                      ) -> ModelScores:
    """Run the dbt scoring model on the rows that passed the checks."""
    return scoring.run_scoring_model(data, settings, vars_)


@flow(name="score", log_prints=True)
def score(params: ScoreParams) -> ScoreResult:
    """Score a provider's own PROM file with the pipeline's dbt scoring model."""
    started = time.perf_counter()
    settings, vars_ = prepare(params)
    data = read_responses(params)
    read_seconds = time.perf_counter() - started
    model = run_scoring_model(data, settings, vars_)
    result = scoring.make_result(params, data, model, read_seconds, started)
    get_run_logger().info("scored %d of %d rows of %s (%s) in %.1f s", result.rows_scored,
                          result.rows_in, result.file, params.instrument,
                          result.seconds["total"])
    return result
