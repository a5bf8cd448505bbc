"""Build the warehouse marts for a steering period with dbt (`dbt_project/`).

`build(settings, period)` compiles the commissioner's definitions in force at the
period (arvo.definition_versions) to the CSVs dbt reads, then runs `dbt build` in this
process through `dbtRunner`, with the lake, definitions and warehouse of `settings`:
seeds, models and the data tests that guard
the marts, but not dbt's unit tests (`--exclude-resource-type unit_test`), and the
reference layer (seeds, the definitions' staging views and their own data tests) only
when it changed (arvo.reference_layer). The unit
tests check the business rules on fixed fixtures, not the period's data, so a production
run (`arvo steer`, the Prefect flows) does not pay for them; `run_unit_tests(settings,
period)` runs them (`dbt test --select test_type:unit`) on a warehouse already built,
and `make test` does so on the tiny lake (tests/dbt_project/test_build.py).
dbt's target and log folders go under `settings.home`, so the repository stays clean.

The project is parsed once per process (per lake and definitions location) and the
manifest is reused by later builds; the period reaches the models at run time as a
var. dbt keeps global state, so invocations are serialised with a module-level lock.
No Prefect here: `flows.steering` wraps these functions as tasks.
"""

from __future__ import annotations

import atexit
import datetime as dt
import gc
import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from arvo import dbt_contexts, dbt_events, definition_tables, definitions, meetings, reference_layer
from arvo.config import Settings
from arvo.periods import add_months, check_month

WINDOW_MONTHS = 12
LAKE_ENTITIES = ("events", "episodes", "proms", "ingest_log", "check_results")

_LOCK = threading.Lock()
_MANIFESTS: dict[tuple[str, ...], Any] = {}

_PASS = {"success", "pass"}
_WARN = {"warn"}
_ERROR = {"error", "fail", "runtime error"}
_SKIP = {"skipped"}


class TransformError(RuntimeError):
    """dbt could not build the period; `failures` names the nodes and what went wrong."""

    def __init__(self, message: str, result: BuildResult | None = None) -> None:
        super().__init__(message)
        self.result = result

    @property
    def failures(self) -> tuple[Failure, ...]:
        return self.result.failures if self.result else ()


@dataclass(frozen=True)
class Failure:
    """A dbt node that errored, failed or warned, and dbt's message about it."""

    node: str
    resource_type: str
    status: str
    message: str

    def __str__(self) -> str:
        return f"{self.resource_type} {self.node} ({self.status}): {self.message}"


@dataclass(frozen=True)
class BuildResult:
    """What `dbt build` did for a period."""

    period: str
    success: bool
    passed: int
    warned: int
    errored: int
    skipped: int
    elapsed_seconds: float
    failures: tuple[Failure, ...] = ()
    warnings: tuple[Failure, ...] = field(default=())
    built: tuple[tuple[str, str], ...] = ()  # (resource type, name) of each node that passed

    @property
    def summary(self) -> str:
        return (f"dbt build {self.period}: {self.passed} passed, {self.warned} warned, "
                f"{self.errored} errored, {self.skipped} skipped "
                f"in {self.elapsed_seconds:.1f} s")


def period_bounds(period: str, window_months: int = WINDOW_MONTHS) -> tuple[dt.date, dt.date]:
    """(window start, period end) of a steering period `YYYY-MM`.

    The window is the `window_months` calendar months ending with the period's month:
    `period_bounds("2024-12") == (date(2024, 1, 1), date(2024, 12, 31))`.
    """
    check_month(period)
    if window_months < 1:
        raise ValueError("window_months must be at least 1")
    window_start = dt.date.fromisoformat(add_months(period, 1 - window_months) + "-01")
    next_month = dt.date.fromisoformat(add_months(period, 1) + "-01")
    return window_start, next_month - dt.timedelta(days=1)


def dbt_paths(settings: Settings) -> tuple[Path, Path]:
    """(target path, log path) of dbt for these settings, under `settings.home`."""
    base = Path(settings.home) / "dbt"
    return base / "target", base / "logs"


RUN_RESULTS = "run_results.json"
"""dbt's record of its last invocation, in dbt's target folder (`dbt_paths`)."""

STEERING_EXCLUDE = "tag:definition"
"""What a steering build leaves out: the definition phase's models (`arvo define` builds
them with `select="+tag:definition", exclude=None`; docs/definition.md)."""


def prepare(settings: Settings) -> None:
    """Import dbt and parse the project for these locations now, not at the first build.

    The parse needs neither the lake nor the period, so a steering run does it while the
    ingest works (flows.steering); `build` then starts on the cached manifest.
    """
    with _LOCK, _environ("ARVO_WAREHOUSE", str(settings.warehouse)):
        _manifest(settings)


def build(settings: Settings, period: str, *, select: str | None = None,
          exclude: str | None = STEERING_EXCLUDE, draft: list | None = None,
          indirect_selection: str | None = None) -> BuildResult:
    """Compile the definitions and run `dbt build` for `period` (YYYY-MM).

    `select` is passed to dbt's `--select` (e.g. `"+mart_prom_compliance"`), `exclude`
    to `--exclude` (default: the definition phase's models). `draft`: the definition
    phase's draft segments (arvo.drafts.load_draft), compiled beside the definitions.
    `indirect_selection`: dbt's `--indirect-selection` (`buildable`: only the data tests
    whose every parent is built, for a `select` on a warehouse built by no other run).
    Unit tests are excluded (see `run_unit_tests`). While the reference layer is as the
    last whole build left it, that build's checks of the marts' contracts and columns are
    not made again (macros/project_checked.sql). Returns the counts of passed, warned,
    errored and skipped nodes; raises `TransformError` listing the failed nodes when any
    node errors or fails (warnings do not raise).
    """
    period_bounds(period)
    defs = definitions.load(Path(settings.definitions_dir), period)
    definition_tables.compile_for_dbt(defs, Path(settings.compiled_definitions_dir), draft)
    meetings.compile_for_dbt(Path(settings.meetings_dir or Path(settings.home) / "meetings"),
                             Path(settings.compiled_definitions_dir),
                             {p.id for p in defs.providers})
    _check_lake(Path(settings.lake_dir))
    dbt_vars = {"definitions_version": defs.version,
                "definitions_in_force_from": defs.in_force_from,
                "submission_due_day": defs.submissions.due_day}
    # a whole steering build leaves the reference layer out while it is as last built
    layer = reference_layer.of(settings, {**dbt_vars, **_location_vars(settings)}) \
        if select is None and indirect_selection is None else None
    checked = layer is not None and layer.current()
    if checked:
        exclude = " ".join(filter(None, [exclude, reference_layer.SELECTOR]))
        indirect_selection, layer = "cautious", None
    else:
        reference_layer.forget(settings.warehouse)
    args = ["--exclude", exclude] if exclude else []
    if indirect_selection:
        args += ["--indirect-selection", indirect_selection]
    # the last whole build checked the marts' contracts and columns on this same project
    # (macros/project_checked.sql)
    result = _build(settings, period, {**dbt_vars, "arvo_project_checked": checked},
                    select=select, extra_args=args)
    if layer is not None:
        layer.record(result.built)
    return result


def build_selected(settings: Settings, period: str, *, select: str,
                   dbt_vars: dict[str, object] | None = None,
                   resource_types: tuple[str, ...] = ()) -> BuildResult:
    """Run `dbt build --select select` on whatever lake `settings` point to.

    For running some models on other input than a provider's lake, e.g. the scoring
    model on a provider's own file (`arvo.scoring`): the definitions are not compiled
    and the lake is not checked, so `select` must only reach the lake entities that
    exist. `dbt_vars` are passed on top of the period and locations (e.g.
    `{"eq5d5l_method": "crosswalk"}`); `resource_types` limits the node types built
    (e.g. `("seed", "model")`; default: all but unit tests, which never run here). Same
    result and errors as `build`.
    """
    period_bounds(period)
    reference_layer.forget(settings.warehouse)
    args = [a for t in resource_types for a in ("--resource-type", t)]
    return _build(settings, period, dict(dbt_vars or {}), select=select, extra_args=args)


def run_unit_tests(settings: Settings, period: str, *, select: str = "test_type:unit",
                   dbt_vars: dict[str, object] | None = None) -> BuildResult:
    """Run the project's dbt unit tests (`dbt test --select test_type:unit`).

    The unit tests run on their own fixtures, but dbt reads the column types of each
    tested model's inputs from the warehouse: build the period (`build`) into
    `settings.warehouse` first. `select` narrows them (e.g.
    `"test_type:unit,int_episodes_paired"`). Same result and errors as `build`: raises
    `TransformError` naming the unit tests that failed.
    """
    period_bounds(period)
    return _build(settings, period, dict(dbt_vars or {}), select=select, command="test",
                  unit_tests=True)


def _build(settings: Settings, period: str, extra_vars: dict[str, object], *,
           select: str | None, extra_args: list[str] | None = None,
           command: str = "build", unit_tests: bool = False) -> BuildResult:
    """Invoke `dbt <command>` in this process on the cached manifest (holding the lock).

    Unit tests are excluded unless `unit_tests`. dbt writes no JSON artifact itself
    (`--no-write-json`): the manifest is as the parse wrote it (`_manifest`), and its run
    results are written here; dbt would write the whole manifest again after each build.
    """
    Path(settings.warehouse).parent.mkdir(parents=True, exist_ok=True)
    dbt_vars = {**extra_vars, "period": period, **_location_vars(settings)}
    args = [command, *_common_args(settings), "--vars", json.dumps(dbt_vars),
            "--no-write-json"]
    if select:
        args += ["--select", select]
    if not unit_tests:
        args += ["--exclude-resource-type", "unit_test"]
    args += extra_args or []

    started = time.perf_counter()
    with _LOCK, _environ("ARVO_WAREHOUSE", str(settings.warehouse)), \
            dbt_contexts.collected_in_batches():
        from dbt.cli.main import dbtRunner

        manifest = _manifest(settings)
        try:
            outcome = dbtRunner(manifest=manifest).invoke(args)
        finally:
            _release_warehouse()
        if hasattr(outcome.result, "write"):  # what ran, for a data engineer and arvo bench
            outcome.result.write(str(dbt_paths(settings)[0] / RUN_RESULTS))
    elapsed = time.perf_counter() - started

    result = _result(period, outcome, elapsed)
    if outcome.exception is not None:
        raise TransformError(f"dbt {command} {period} could not run: {outcome.exception}",
                             result)
    if not result.success:
        listing = "\n".join(f"  - {f}" for f in result.failures) or "  (no node reported)"
        raise TransformError(
            f"dbt {command} {period} failed on {len(result.failures)} node(s):\n{listing}",
            result)
    return result


def _location_vars(settings: Settings) -> dict[str, str]:
    return {"lake_dir": str(Path(settings.lake_dir).resolve()),
            "quarantine_dir": str(Path(settings.quarantine_dir).resolve()),
            "definitions_dir": str(Path(settings.compiled_definitions_dir).resolve())}


def _common_args(settings: Settings) -> list[str]:
    target_path, log_path = dbt_paths(settings)
    project = str(Path(settings.dbt_project_dir).resolve())
    return ["--project-dir", project, "--profiles-dir", project,
            "--target-path", str(target_path), "--log-path", str(log_path),
            "--no-use-colors", "--log-level", "warn", "--log-level-file", "info"]


def _manifest(settings: Settings) -> Any:
    """The parsed project for these locations, parsed on first use (caller holds _LOCK).

    Source locations are rendered at parse time, so the cache key holds them; the
    period is not (it is rendered when each node compiles).
    """
    location = _location_vars(settings)
    key = (str(Path(settings.dbt_project_dir).resolve()), *location.values(),
           *map(str, dbt_paths(settings)))
    if key not in _MANIFESTS:
        from dbt.cli.main import dbtRunner

        dbt_events.install()  # no debug events made into lines no log writes
        dbt_contexts.install()  # macro namespaces built a package at a time

        outcome = dbtRunner().invoke(
            ["parse", *_common_args(settings), "--vars", json.dumps(location)])
        if not outcome.success or outcome.result is None:
            raise TransformError(f"dbt could not parse {settings.dbt_project_dir}: "
                                 f"{outcome.exception or 'see the dbt log'}")
        _MANIFESTS[key] = outcome.result
        _freeze_heap()
    return _MANIFESTS[key]


def _freeze_heap() -> None:
    """Leave what the process holds now out of the garbage collector's full collections.

    The parsed project lives as long as the process (`_MANIFESTS`); with the imports it
    is about 225,000 objects, which a full collection walked each time: 0.15 to 0.4 s,
    twice or three times in a monthly build at 50,000 residents
    (docs/performance-history.md, `1aa0a29`). The garbage there is collected first, so
    nothing unreachable is kept; frozen objects are still freed when their last
    reference goes, only cycles among them are no longer looked for.
    """
    gc.collect()
    gc.freeze()
    # at exit, unfrozen, they are freed as before (DuckDB's bindings report those that are not)
    atexit.unregister(gc.unfreeze)
    atexit.register(gc.unfreeze)


def _result(period: str, outcome: Any, elapsed: float) -> BuildResult:
    counts = {"pass": 0, "warn": 0, "error": 0, "skip": 0}
    failures: list[Failure] = []
    warnings: list[Failure] = []
    built: list[tuple[str, str]] = []
    for run in getattr(outcome.result, "results", None) or []:
        status = str(getattr(run.status, "value", run.status)).lower()
        node = run.node
        item = Failure(node=node.name, resource_type=str(node.resource_type),
                       status=status, message=(run.message or "").strip())
        if status in _PASS:
            counts["pass"] += 1
            built.append((str(getattr(node.resource_type, "value", node.resource_type)),
                          node.name))
        elif status in _WARN:
            counts["warn"] += 1
            warnings.append(item)
        elif status in _ERROR:
            counts["error"] += 1
            failures.append(item)
        elif status in _SKIP:
            counts["skip"] += 1
    success = bool(outcome.success) and outcome.exception is None and not failures
    return BuildResult(period=period, success=success, passed=counts["pass"],
                       warned=counts["warn"], errored=counts["error"], skipped=counts["skip"],
                       elapsed_seconds=round(elapsed, 3), failures=tuple(failures),
                       warnings=tuple(warnings), built=tuple(built))


def _check_lake(lake: Path) -> None:
    """dbt reads each entity with a glob; an entity without files would fail obscurely."""
    missing = [e for e in LAKE_ENTITIES if not any((lake / e).glob("*/*/*.parquet"))]
    if missing:
        raise TransformError(
            f"the lake {lake} has no files for {', '.join(missing)} "
            f"(expected {lake}/<entity>/provider_id=<id>/month=<YYYY-MM>/data.parquet): "
            "ingest at least one submission of each entity before transforming")


def _release_warehouse() -> None:
    """Close the DuckDB file dbt-duckdb keeps open in this process after an invocation.

    Otherwise the reports (or anything else in the process) could not open the
    warehouse with another configuration, e.g. read-only.
    """
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:  # another adapter
        return
    with DuckDBConnectionManager._LOCK:
        env, DuckDBConnectionManager._ENV = DuckDBConnectionManager._ENV, None
    if env is not None:
        env.close()


@contextmanager
def _environ(name: str, value: str) -> Iterator[None]:
    old = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = old
