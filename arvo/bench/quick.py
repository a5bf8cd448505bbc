"""The quick commands timed as a provider runs them (`arvo bench --quick`).

`arvo check` on the largest provider-month folder of a month and `arvo score` on six
responses, each a child process without a Prefect server (docs/providers.md#speed).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from arvo.bench.runs import run_child

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
        runs = [run_child(args, env) for _ in range(repeats)]
        status = runs[-1].exit_status
        if status not in (0, 1):  # check: 1 when the month holds planted defects
            raise RuntimeError(f"{label} ended with exit status {status}")
        out.append(QuickMeasurement(label, [r.wall_seconds for r in runs],
                                    [r.cpu_seconds for r in runs], status))
    return out
