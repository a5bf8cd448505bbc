"""Benchmark of one steering period on the demo region: wall time and peak memory.

Each scenario runs `arvo steer` in a child process against one Prefect server started for
the benchmark (as a scheduled deployment would run), and reads the child's own peak RSS
with `os.wait4`. Scenarios:

- monthly: the lake already holds every month before the period; the run ingests the
  period's month from all providers, builds the marts and renders the reports;
- cold: an empty lake; the run ingests every month up to the period.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from arvo.periods import add_months
from arvo.server import start_prefect_server

__all__ = ["Measurement", "run", "start_prefect_server"]


@dataclass(frozen=True)
class Measurement:
    """One timed run."""

    scenario: str
    wall_seconds: float
    peak_rss_mb: float
    stage_seconds: dict[str, float]


def _arvo(args: list[str], env: dict, log_dir: Path) -> tuple[float, float, str]:
    """Run an arvo command; return (wall seconds, peak RSS in MB of that process, stdout)."""
    name = args[0]
    out_path, err_path = log_dir / f"{name}.out", log_dir / f"{name}.log"
    start = time.perf_counter()
    with out_path.open("w") as out, err_path.open("w") as err:
        proc = subprocess.Popen([sys.executable, "-m", "flows.cli", *args], env=env,
                                stdout=out, stderr=err)
        # wait4 reaps the child and reports its own usage, not the Prefect server's
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status):
        raise RuntimeError(f"arvo {' '.join(args)} failed; see {err_path}")
    return wall, usage.ru_maxrss / 1024, out_path.read_text()


def _reset(home: Path) -> None:
    for sub in ("lake", "quarantine", "warehouse", "reports", "definitions", "dbt"):
        shutil.rmtree(home / sub, ignore_errors=True)


def run(home: Path, period: str, env: dict) -> list[Measurement]:
    """Measure the monthly and the cold scenario for `period` on the region under `home`."""
    results = []
    log_dir = home / "bench"
    log_dir.mkdir(parents=True, exist_ok=True)
    for scenario in ("monthly", "cold"):
        _reset(home)
        if scenario == "monthly":
            _arvo(["ingest", "--home", str(home), "--period", add_months(period, -1)], env,
                  log_dir)
        wall, rss, out = _arvo(["steer", "--home", str(home), "--period", period, "--json"],
                               env, log_dir)
        stages = json.loads(out.strip().splitlines()[-1])["seconds"]
        results.append(Measurement(scenario, round(wall, 1), round(rss), stages))
    return results
