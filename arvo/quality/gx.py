"""The one Great Expectations context of the process, and the one way a suite is run.

Both the submission suites (on typed rows at ingest) and the obligation suite (on the
compliance mart) are JSON documents of expectations with their Data Quality Dashboard
metadata in `meta`. `run(suite, frame)` validates a pandas DataFrame against such a
document: Great Expectations has no working DuckDB datasource (upstream issues 10738,
11579), so every check runs on pandas. A suite's validation definition is built once per
process and content of the suite; runs are serialised, as the context is not thread-safe.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from functools import cache
from typing import Any

import pandas as pd

logging.getLogger("great_expectations").setLevel(logging.ERROR)

_LOCK = threading.Lock()


@cache
def _context():
    """The process's ephemeral context, without progress bars."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.execution_engine import pandas_execution_engine

    # No fingerprint of the batch: an MD5 over pandas' hash of every cell, kept only as
    # the batch's metadata, which no check reads and Arvo does not store. Below the
    # module's 1 GB threshold it was computed for every frame: for a month of 600,000
    # rows the suites took a median 2.27 s with it, 2.0 s without
    # (docs/performance-history.md, `4cd2c6e`).
    pandas_execution_engine.HASH_THRESHOLD = 0
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


def warm_up() -> None:
    """Import Great Expectations and create the context now, not at the first suite run
    (a worker forked from arvo.forked's server does so as it starts)."""
    with _LOCK:  # one context even when a suite runs in another thread meanwhile
        _context()


@cache
def _validation(suite_json: str):
    """The validation definition of a suite (as canonical JSON) on a whole DataFrame."""
    import great_expectations as gx
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    doc = json.loads(suite_json)
    tag = hashlib.sha256(suite_json.encode()).hexdigest()[:12]
    context = _context()
    # every expectation given at once: added one by one, each is first matched against
    # those added before (an upsert by domain), which took 0.12 s for the proms suite's 81
    suite = gx.ExpectationSuite(
        name=f"{doc['name']}_{tag}", meta=doc.get("meta", {}),
        expectations=[ExpectationConfiguration(**exp) for exp in doc["expectations"]])
    suite = context.suites.add(suite)
    batch = (context.data_sources.add_pandas(f"rows_{tag}")
             .add_dataframe_asset("rows").add_batch_definition_whole_dataframe("all_rows"))
    return context.validation_definitions.add(
        gx.ValidationDefinition(name=f"{doc['name']}_{tag}", data=batch, suite=suite))


def run(suite: dict, frame: pd.DataFrame, parameters: dict[str, Any] | None = None) -> list:
    """Validate `frame` against `suite`; one result per expectation, every failing index."""
    suite_json = json.dumps(suite, sort_keys=True, default=str)
    with _LOCK:
        validation = _validation(suite_json)
        try:
            run = validation.run(batch_parameters={"dataframe": frame},
                                 expectation_parameters=parameters or {},
                                 result_format={"result_format": "COMPLETE"})
        finally:
            _release(validation)
    return list(run.results)


def _release(validation) -> None:
    """Drop what Great Expectations keeps of the last run until the next: the batch (the
    whole DataFrame) and its metrics, held by the datasource's execution engine. Kept, a
    wave's rows would outlive it (arvo.ingest.waves)."""
    engine = getattr(validation.data.data_asset.datasource, "_execution_engine", None)
    if engine is None:
        return
    engine.batch_manager.reset_batch_cache()
    engine.batch_manager.batch_data_cache.clear()
    metrics = getattr(engine, "_metric_cache", None)
    if isinstance(metrics, dict):
        metrics.clear()


def exception_message(info: dict | None) -> str | None:
    """The error of an expectation that could not be evaluated, or None (1.x nests it per
    metric)."""
    info = info or {}
    if info.get("raised_exception"):
        return str(info.get("exception_message") or "error")
    for nested in info.values():
        if isinstance(nested, dict) and nested.get("raised_exception"):
            return str(nested.get("exception_message") or "error")
    return None


def unexpected_positions(result: Any) -> list[int]:
    """The positional indexes of the rows an expectation found unexpected."""
    return [i if isinstance(i, int) else i.get("index")
            for i in (result.result or {}).get("unexpected_index_list") or []]
