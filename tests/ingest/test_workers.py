"""Ingest in worker processes (arvo.ingest.workers): providers grouped by rows, the same
lake, quarantine and outcomes as in one process, and no worker outliving its run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

from arvo.config import REPO_ROOT
from arvo.ingest.waves import Wave, balanced_groups

from .test_waves import MONTHS, _contents, _months_of_submissions


def _wave(sizes: dict[str, int]) -> Wave:
    return Wave(["2025-01"], {pid: ["2025-01"] for pid in sizes}, sum(sizes.values()), sizes)


def test_groups_balance_the_bytes_and_never_split_a_provider():
    wave = _wave({"A": 90, "B": 50, "C": 40, "D": 10})
    # largest first, each to the lightest group: A to the first; B, then C, to the second
    # (50, then 90); D to the first of two groups of 90: A + D 100, B + C 90
    assert balanced_groups(wave, 2) == [{"A": ["2025-01"], "D": ["2025-01"]},
                                        {"B": ["2025-01"], "C": ["2025-01"]}]
    assert balanced_groups(wave, 1) == [wave.plan]
    assert [list(g) for g in balanced_groups(wave, 8)] == [["A"], ["B"], ["C"], ["D"]]
    skewed = _wave({"big": 1000, "a": 1, "b": 1, "c": 1})
    assert balanced_groups(skewed, 2) == [{"big": ["2025-01"]},
                                          {p: ["2025-01"] for p in "abc"}]


def test_groups_balance_the_weights_given_instead_of_the_bytes():
    # by bytes, A alone; by rows (C's Parquet file holds more rows a byte), C alone
    wave = _wave({"A": 90, "B": 50, "C": 40})
    assert [list(g) for g in balanced_groups(wave, 2)] == [["A"], ["B", "C"]]
    rows = {"A": 1000, "B": 600, "C": 1200}
    assert [list(g) for g in balanced_groups(wave, 2, rows)] == [["C"], ["A", "B"]]


def test_the_plan_keeps_its_order_within_a_group():
    wave = _wave({"Z": 1, "Y": 5, "X": 3, "W": 4})
    groups = balanced_groups(wave, 2)
    for group in groups:
        assert list(group) == [p for p in wave.plan if p in group]
    assert sorted(p for g in groups for p in g) == sorted(wave.plan)


def test_a_wave_in_worker_processes_gives_what_one_process_gives(submissions, prefect_server,
                                                                   monkeypatch):
    from arvo import meter
    from flows import steering

    s = submissions
    _months_of_submissions(s.raw_dir)
    answered = []
    add_worker_peak = meter.add_worker_peak

    def peak(pid: int, mb: float) -> None:
        answered.append(pid)
        add_worker_peak(pid, mb)

    monkeypatch.setattr(meter, "add_worker_peak", peak)
    runs = {}
    for name, processes in (("one", "1"), ("workers", "2")):
        monkeypatch.setenv("ARVO_INGEST_PROCESSES", processes)
        monkeypatch.setenv("ARVO_INGEST_PROCESS_MB", "0.000001")  # every wave in workers
        runs[name] = steering.ingest(steering.SteeringParams(
            home=s.home.parent / name, raw_dir=s.raw_dir, period=MONTHS[-1]))
    assert answered and os.getpid() not in answered  # the second run's groups, in workers
    assert runs["workers"] == runs["one"]  # every outcome, in the same order
    assert {"accepted", "partial", "rejected", "unrecognised"} <= {o.status
                                                                  for o in runs["one"]}
    one, other = _contents(s.home.parent / "one"), _contents(s.home.parent / "workers")
    assert list(one) == list(other)
    assert any(p.startswith("quarantine/") for p in one)
    for path, frame in one.items():
        pd.testing.assert_frame_equal(frame, other[path], obj=path)


_RUN = """
import sys, time
from pathlib import Path
from arvo.config import Settings
from arvo.ingest.waves import Wave
from arvo.ingest.workers import Workers

settings = Settings.from_env(Path(sys.argv[1])).model_copy(
    update={"ingest_processes": 2, "ingest_process_bytes": 1})
for pid in "AB":  # empty month folders: the groups weigh the files they hold
    (settings.raw_dir / pid / "2025-01").mkdir(parents=True)
workers = Workers(settings)
workers.groups(Wave(["2025-01"], {"A": ["2025-01"], "B": ["2025-01"]}, 2, {}))
for _ in range(2):
    workers._pool.submit(time.sleep, 120)  # both workers busy
while len(workers._pool._processes) < 2:
    time.sleep(0.05)
print(*workers._pool._processes, flush=True)
time.sleep(120)
"""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_busy_worker_dies_with_its_run(tmp_path):
    """SIGKILL to the run alone (not its process group): its workers, each in the middle of
    a group, end within seconds instead of finishing and writing the lake."""
    run = subprocess.Popen([sys.executable, "-c", _RUN, str(tmp_path)], cwd=REPO_ROOT,
                           stdout=subprocess.PIPE, text=True)
    pids = []
    try:
        pids = [int(p) for p in run.stdout.readline().split()]
        assert len(pids) == 2 and all(map(_alive, pids))
        run.send_signal(signal.SIGKILL)
        run.wait(timeout=30)
        deadline = time.monotonic() + 15
        while any(map(_alive, pids)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(map(_alive, pids)), "a worker outlived its run"
    finally:
        run.kill()
        for pid in pids:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
