"""The benchmark's measured runs: `arvo` commands in child processes, stage by stage.

Each command runs as a child process (`python -m flows.cli ...`), as a scheduled
deployment's worker would run it, against one Prefect server started for the benchmark;
`os.wait4` gives the child's own peak RSS and CPU time. Per region size:

- generate: `arvo generate` writes the region (timed like any other stage);
- cold: an empty home; `arvo steer` of the month before the period P ingests every
  month of the history up to it (23 of a 24-month region), builds the marts, checks the
  obligations and renders the reports: the first run over the history;
- monthly: on what that run left (lake, warehouse, dbt's target, reports), as a county's
  scheduled run finds it, `arvo steer --period P` ingests P's month from every provider
  and does the rest for P. Without a cold run before it, the same steer of P - 1 runs
  first, unmeasured, as its set-up.

`arvo steer --json` reports each stage's wall time and peak memory (arvo.meter); the
rows each stage handled are counted here, from what the run reports and the lake.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from arvo.ingest.changes import SENT  # the outcomes of files read
from arvo.periods import add_months


@dataclass(frozen=True)
class ChildRun:
    """One finished child process."""

    wall_seconds: float
    cpu_seconds: float  # user + system
    peak_mb: float
    exit_status: int


def run_child(args: list[str], env: dict, stdout=subprocess.DEVNULL,
              stderr=subprocess.DEVNULL) -> ChildRun:
    """Run `arvo <args>` as a child process; its own wall, CPU time and peak RSS.

    Returns once every process the child started has ended too: a steering run's fork
    server (arvo.forked) outlives the run by a second or so while its interpreter shuts
    down, on a core the next measured run would otherwise share. That wait is not in the
    child's wall time.
    """
    start = time.perf_counter()
    # a process group of its own: the processes it leaves behind are found by the group
    proc = subprocess.Popen([sys.executable, "-m", "flows.cli", *args], env=env,
                            stdout=stdout, stderr=stderr, process_group=0)
    try:
        # wait4 reaps the child and reports its own usage, not the Prefect server's
        _, status, usage = os.wait4(proc.pid, 0)
        wall = round(time.perf_counter() - start, 2)
        wait_for_group(proc.pid)
    except BaseException:  # Ctrl-C reaches the benchmark's group only: end the child's
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        raise
    return ChildRun(wall, round(usage.ru_utime + usage.ru_stime, 2),
                    round(usage.ru_maxrss / 1024), os.waitstatus_to_exitcode(status))


def wait_for_group(group: int, timeout: float = 60.0) -> None:
    """Wait until no process of the process group `group` runs (exited processes not yet
    reaped by init do not count), at most `timeout` seconds; on a system without /proc,
    return at once."""
    proc = Path("/proc")
    deadline = time.monotonic() + timeout
    while proc.is_dir() and time.monotonic() < deadline:
        if not any(_running_in(stat, group) for stat in proc.glob("[0-9]*/stat")):
            return
        time.sleep(0.05)


def _running_in(stat: Path, group: int) -> bool:
    """Whether the process of /proc/<pid>/stat runs in process group `group`."""
    try:
        fields = stat.read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):  # ended meanwhile
        return False
    return fields[0] != "Z" and int(fields[2]) == group


@dataclass(frozen=True)
class Stage:
    """One stage of one scenario: the row of the benchmark's figures."""

    scenario: str  # generate, monthly, cold
    stage: str  # generate, ingest, transform, obligations, report, total, dbt ...
    wall_seconds: float
    rows: int | None
    unit: str  # what `rows` counts
    peak_mb: float | None

    @property
    def rows_per_second(self) -> float | None:
        if not self.rows or not self.wall_seconds:
            return None
        return round(self.rows / self.wall_seconds)


def _arvo(args: list[str], env: dict, log_dir: Path) -> tuple[ChildRun, str]:
    """Run an arvo command, its output and log under `log_dir`; fail on a non-zero exit."""
    name = args[0]
    out_path, err_path = log_dir / f"{name}.out", log_dir / f"{name}.log"
    with out_path.open("w") as out, err_path.open("w") as err:
        run = run_child(args, env, out, err)
    if run.exit_status:
        raise RuntimeError(f"arvo {' '.join(args)} failed; see {err_path}")
    return run, out_path.read_text()


# Every region ends with this month, whatever its length, so that no month of it lies
# after the day of the run (a future date is quarantined: docs/submission-contract.md).
LAST_MONTH = "2025-12"


def first_month(months: int) -> str:
    """The first month of a region of `months` months ending with LAST_MONTH."""
    return add_months(LAST_MONTH, 1 - months)


def generate(home: Path, residents: int, months: int, env: dict) -> list[Stage]:
    """Write the region of this size under `home` (seed 42, ending with LAST_MONTH)."""
    log_dir = home / "bench"
    log_dir.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(home / "demo", ignore_errors=True)
    run, out = _arvo(["generate", "--home", str(home), "--residents", str(residents),
                      "--months", str(months), "--start-month", first_month(months)], env,
                     log_dir)
    summary = dict(line.split(": ", 1) for line in out.splitlines() if ": " in line)
    rows = sum(int(summary[k]) for k in ("events", "episode_rows", "responses"))
    return [Stage("generate", "generate", run.wall_seconds, rows, "rows written",
                  run.peak_mb)]


def _reset(home: Path) -> None:
    for sub in ("lake", "quarantine", "warehouse", "reports", "definitions", "dbt"):
        shutil.rmtree(home / sub, ignore_errors=True)


def lake_rows(lake_dir: Path, period: str) -> int:
    """Service events, episode rows and PROM responses in the lake up to the period."""
    total = 0
    with duckdb.connect() as con:
        for entity in ("events", "episodes", "proms"):
            if not any((lake_dir / entity).glob("*/*/*.parquet")):
                continue
            total += con.execute(
                "select count(*) from read_parquet(?, hive_partitioning=true, "
                "hive_types_autocast=false) where month <= ?",
                [str(lake_dir / entity / "*" / "*" / "*.parquet"), period]).fetchone()[0]
    return total


def steer(home: Path, period: str, env: dict, scenario: str) -> tuple[list[Stage], dict]:
    """One measured `arvo steer` of `scenario`: cold (of the month before `period`, on an
    empty home) or monthly (of `period`, on the home a cold run left); its stages and
    result."""
    log_dir = home / "bench"
    log_dir.mkdir(parents=True, exist_ok=True)
    if scenario == "cold":
        _reset(home)
        period = add_months(period, -1)
    run, out = _arvo(["steer", "--home", str(home), "--period", period, "--json"], env,
                     log_dir)
    result = json.loads(out.strip().splitlines()[-1])
    seconds, peaks = result["seconds"], result.get("peak_mb", {})
    rows = {
        "ingest": (sum(f["rows_in"] for f in result["files"] if f["status"] in SENT),
                   "rows read"),
        "transform": (lake_rows(home / "lake", period), "lake rows up to the period"),
        "obligations": (sum(result["obligations"].values()), "obligation checks"),
        "report": (len(result["reports"]), "reports"),
    }
    stages = [Stage(scenario, name, seconds[name], *rows[name], peaks.get(name))
              for name in rows]
    # the stages reset the kernel's high-water mark (arvo.meter), which the child's
    # ru_maxrss then reports from the last reset on: the run's peak is the largest of both
    peak = max(run.peak_mb, *(p for p in peaks.values() if p is not None))
    stages.append(Stage(scenario, "total", run.wall_seconds, rows["ingest"][0], "rows read",
                        peak))
    return stages, result


def region_home(root: Path, residents: int, months: int) -> Path:
    """Where the region of this size and its runs live under the benchmark's root."""
    return root / f"r{residents}-m{months}"


def measure(root: Path, residents: int, months: int, period: str | None, env: dict,
            scenarios: tuple[str, ...] = ("monthly", "cold")) -> list[Stage]:
    """Generate the region of this size (unless it is there), then each scenario; after the
    monthly one, replay its dbt SQL directly in DuckDB (arvo.bench.replay)."""
    from arvo.bench.replay import replay
    from arvo.transform import dbt_paths

    home = region_home(root, residents, months)
    stamp = home / "demo" / "size.txt"
    size = f"{residents} {months} {first_month(months)}"
    stages: list[Stage] = []
    if not stamp.is_file() or stamp.read_text() != size:
        stages += generate(home, residents, months, env)
        stamp.write_text(size)
    period = period or LAST_MONTH
    # cold first: the monthly run goes on from what it left
    ordered = [s for s in ("cold", "monthly") if s in scenarios]
    if ordered == ["monthly"]:  # its set-up, unmeasured
        steer(home, period, env, "cold")
    for scenario in ordered:
        found, _ = steer(home, period, env, scenario)
        stages += found
        if scenario == "monthly":
            from arvo.config import Settings

            settings = Settings.from_env(home)
            direct = replay(dbt_paths(settings)[0], settings.warehouse, home / "bench" / "replay")
            transform = next(s for s in found if s.stage == "transform")
            stages.append(Stage(scenario, "transform as DuckDB SQL", direct.seconds,
                                transform.rows, transform.unit, None))
            stages += validation(home, period, scenario)
    return stages


def suites_in_worker(expectations_dir: Path, frames: dict, params: dict) -> tuple[dict, int]:
    """In a worker forked from arvo.forked's server, as an ingest worker is: Great
    Expectations imported and its context created, no suite built yet. The seconds of the
    first run of the submission suites over `frames` (entity -> typed rows) and of the
    same again, and how many failing rows the last run found."""
    from arvo.contract import ENTITIES
    from arvo.quality import suites

    seconds, failing = {}, 0
    for run in ("first", "again"):
        begin = time.perf_counter()
        issues = [issue for entity, frame in frames.items()
                  for issue in suites.run_suite(expectations_dir, entity, frame, params,
                                                ENTITIES[entity].of_kind("date"))[0]]
        seconds[run] = round(time.perf_counter() - begin, 2)
        failing = len({(i.rule, i.file_key, i.source_row) for i in issues})
    return seconds, failing


def validation(home: Path, period: str, scenario: str) -> list[Stage]:
    """The submission suites on the period month of every provider, typed as ingest types
    them (not timed), through Great Expectations as ingest runs them and as DuckDB SQL
    (arvo.bench.checks_sql). Great Expectations runs where ingest runs it: in a worker
    forked from arvo.forked's server, which imported it while the run started. Each side
    runs twice: the worker's first run carries the building of the suites' validation
    definitions, a fixed cost each worker of a run pays once; the second is the checks
    themselves. The import itself, paid once a run in the fork server, is timed apart, in
    a new interpreter."""
    import datetime as dt

    from arvo import config, definitions, forked
    from arvo.bench import checks_sql
    from arvo.config import Settings
    from arvo.contract import ENTITIES
    from arvo.ingest.submission import entity_rows, read_submissions, suite_parameters
    from arvo.quality import suites

    settings = Settings.from_env(home)
    defs = definitions.load(settings.definitions_dir, period)
    key = config.pseudonym_key()
    batches = [read_submissions(settings, p.id, [period], key) for p in defs.providers
               if (settings.raw_dir / p.id / period).is_dir()]
    params = suite_parameters(defs, dt.date.today())
    frames = {entity: entity_rows(batches, entity) for entity in ENTITIES}
    frames = {entity: frame for entity, frame in frames.items() if frame is not None}
    rows = sum(len(frame) for frame in frames.values())

    gx, gx_failing = forked.call("running the submission suites for the benchmark",
                                 suites_in_worker, settings.expectations_dir, frames, params)
    sql = {}
    for run in ("first", "again"):
        begin = time.perf_counter()
        found = [checks_sql.run(suites.load_suite(settings.expectations_dir, entity),
                                suites.for_validation(frame, ENTITIES[entity].of_kind("date")),
                                params) for entity, frame in frames.items()]
        sql[run] = round(time.perf_counter() - begin, 2)
    sql_failing = len({(rule, file_key, row) for result in found
                       for rule, failing in result.failing.items() for file_key, row in failing})
    if sql_failing != gx_failing:  # the yardstick must do the same checks
        raise RuntimeError(f"the suites found {gx_failing} failing rows with Great "
                           f"Expectations and {sql_failing} as DuckDB SQL")
    unit = "rows of the period month"
    return [Stage(scenario, "validation (Great Expectations)", gx["again"], rows, unit, None),
            Stage(scenario, "validation as DuckDB SQL", sql["again"], rows, unit, None),
            Stage(scenario, "validation (Great Expectations), first in a worker",
                  gx["first"], rows, unit, None),
            Stage(scenario, "Great Expectations' import (once a run, in the fork server)",
                  gx_import_seconds(), None, "", None)]


def gx_import_seconds() -> float:
    """How long a new interpreter takes to import Great Expectations (what arvo.forked's
    server pays once a run, while the run starts)."""
    code = ("import time; t = time.perf_counter(); import great_expectations; "
            "print(time.perf_counter() - t)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    return round(float(done.stdout.strip().splitlines()[-1]), 2)
