"""One writer at a time: the warehouse's lock file (arvo/runlock.py)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from arvo import runlock

HOLD = """
import sys, time
from arvo import runlock
with runlock.hold(sys.argv[1], runlock.holder_text("steering-2025-12")):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def test_a_second_process_waits_and_is_told_who_holds_the_lock(tmp_path):
    lock = runlock.warehouse_lock_path(tmp_path / "warehouse" / "arvo.duckdb")
    assert lock.name == "arvo.duckdb.lock"
    other = subprocess.Popen([sys.executable, "-c", HOLD, str(lock), "2"],
                             stdout=subprocess.PIPE, text=True)
    assert other.stdout.readline().strip() == "held"
    told = []
    started = time.monotonic()
    with runlock.hold(lock, runlock.holder_text("steering-2025-11"), told.append):
        waited = time.monotonic() - started
        assert lock.read_text().startswith("steering-2025-11 (process ")
    assert waited > 1
    assert len(told) == 1 and told[0].startswith("steering-2025-12 (process ")
    assert f"process {other.pid}," in told[0]
    assert lock.read_text() == ""  # nobody holds it now


def test_a_killed_holder_releases_the_lock(tmp_path):
    lock = tmp_path / "arvo.duckdb.lock"
    other = subprocess.Popen([sys.executable, "-c", HOLD, str(lock), "600"],
                             stdout=subprocess.PIPE, text=True)
    assert other.stdout.readline().strip() == "held"
    other.kill()
    other.wait()
    told = []
    with runlock.hold(lock, runlock.holder_text("steering-2025-12"), told.append):
        assert lock.read_text().startswith("steering-2025-12 (process ")
    assert told == []  # the operating system released it when the holder died


def test_the_lock_is_reentrant_within_a_process(tmp_path: Path):
    lock = tmp_path / "w.lock"
    with runlock.hold(lock, "cycle-2025-01-2025-12"):
        assert runlock.held(lock)
        with runlock.hold(lock, "steering-2025-06"):  # a phase of the loop
            assert lock.read_text().startswith("cycle-2025-01-2025-12")
        assert runlock.held(lock)
    assert not runlock.held(lock)
