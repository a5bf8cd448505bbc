"""Benchmark of one steering period on the demo region: wall time and peak memory.

Each scenario runs `arvo steer` in a child process against one Prefect server started for
the benchmark (as a scheduled deployment would run), and reads the child's own peak RSS
with `os.wait4`. Scenarios:

- monthly: the lake already holds every month before the period; the run ingests the
  period's month from all providers, builds the marts and renders the reports;
- cold: an empty lake; the run ingests every month up to the period.

`quick` times the quick commands instead (`arvo bench --quick`): `arvo check` on one
provider-month folder and `arvo score` on a small file, each a child process without a
Prefect server (docs/providers.md).
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


# ------------------------------------------------------------------ the quick commands

QUICK_RESPONSES = ("response_id,q1,q2,q3,q4,q5,q6\nR1,1,2,3,4,5,80\nR2,2,2,2,2,2,70\n"
                   "R3,1,1,1,1,1,90\nR4,3,3,3,3,3,50\nR5,5,4,3,2,1,40\nR6,1,2,1,2,1,85\n")


@dataclass(frozen=True)
class QuickMeasurement:
    """One quick command timed as a provider runs it: a child process, no Prefect server."""

    command: str
    wall_seconds: list[float]  # the first run, then the repeats
    cpu_seconds: list[float]  # user + system time of each run: what a quiet machine waits
    exit_status: int


def largest_month(raw_dir: Path, month: str) -> Path:
    """The provider's month folder with the most bytes in `month` (the slowest to check)."""
    folders = [p for p in raw_dir.glob(f"*/{month}") if p.is_dir()]
    if not folders:
        raise RuntimeError(f"no provider has a month folder {month} under {raw_dir}")
    return max(folders, key=lambda p: sum(f.stat().st_size for f in p.iterdir()))


def quick(home: Path, month: str, env: dict, repeats: int = 2) -> list[QuickMeasurement]:
    """Time `arvo check` on the largest provider-month folder of `month` in the region
    under `home`, and `arvo score EQ5D5L` on six responses, each `repeats` times.

    `env` must not hold PREFECT_API_URL: the quick commands start no Prefect server.
    """
    folder = largest_month(home / "demo" / "raw", month)
    work = home / "bench" / "quick"
    work.mkdir(parents=True, exist_ok=True)
    responses = work / "responses.csv"
    responses.write_text(QUICK_RESPONSES, encoding="utf-8")
    commands = {
        f"arvo check {folder.parent.name}/{folder.name}": ["check", str(folder)],
        "arvo score EQ5D5L responses.csv (6 rows)": [
            "score", "EQ5D5L", str(responses), "--out", str(work / "scored.csv"),
            "--home", str(home)],
    }
    out = []
    for label, args in commands.items():
        walls, cpus, status = [], [], 0
        for _ in range(repeats):
            start = time.perf_counter()
            proc = subprocess.Popen([sys.executable, "-m", "flows.cli", *args], env=env,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            _, raw_status, usage = os.wait4(proc.pid, 0)  # the child's own CPU time
            walls.append(round(time.perf_counter() - start, 2))
            cpus.append(round(usage.ru_utime + usage.ru_stime, 2))
            status = os.waitstatus_to_exitcode(raw_status)
        if status not in (0, 1):  # check: 1 when the month holds planted defects
            raise RuntimeError(f"{label} ended with exit status {status}")
        out.append(QuickMeasurement(label, walls, cpus, status))
    return out
