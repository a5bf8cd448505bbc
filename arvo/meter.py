"""Wall time and peak memory of each stage of a run, measured inside the process.

`StageMeter.lap(name)` closes a stage: it records the seconds since the previous lap
and the process's peak resident memory during the stage. On Linux the peak is the
kernel's high-water mark (`VmHWM` in /proc/self/status), which the meter resets at each
lap by writing `5` to /proc/self/clear_refs (proc(5)), so each stage gets its own peak,
not the run's. Where that is not possible the peak is the process's peak so far
(`ru_maxrss`), which only grows: `StageMeter.per_stage` says which one was measured.

A steering run's stages run in one process (Prefect tasks are threads), except that a
large ingest wave is read and validated in worker processes (arvo.ingest.workers). Each
worker reports its own peak (`add_worker_peak`), and a stage's peak is the process's
plus the sum of its workers': they need not have peaked at the same moment, so the sum
is an upper bound. `arvo bench` reads the figures from `arvo steer --json`
(docs/operations.md#benchmark).
"""

from __future__ import annotations

import resource
import threading
import time
from pathlib import Path

_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")
_WORKER_PEAKS: dict[int, float] = {}  # worker pid -> its peak MB, since the last lap
_WORKERS_LOCK = threading.Lock()


def peak_rss_mb() -> float:
    """The process's peak resident memory in MB since the last reset (or since it began)."""
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def reset_peak() -> bool:
    """Reset the peak to the current resident memory; False where the OS does not allow it."""
    try:
        _CLEAR_REFS.write_text("5")
        return True
    except OSError:
        return False


def add_worker_peak(pid: int, mb: float) -> None:
    """Record the peak MB a worker process reported (kept: the largest per worker); the
    next `StageMeter.lap` adds the workers' peaks to its stage's and forgets them."""
    with _WORKERS_LOCK:
        _WORKER_PEAKS[pid] = max(mb, _WORKER_PEAKS.get(pid, 0.0))


def _take_worker_peaks() -> float:
    with _WORKERS_LOCK:
        total = sum(_WORKER_PEAKS.values())
        _WORKER_PEAKS.clear()
    return total


class StageMeter:
    """Seconds and peak MB of consecutive stages, from construction to each `lap`."""

    def __init__(self) -> None:
        _take_worker_peaks()  # those of an earlier run in this process
        self.per_stage = reset_peak()
        self.seconds: dict[str, float] = {}
        self.peak_mb: dict[str, float] = {}
        self._start = self._last = time.perf_counter()

    def lap(self, name: str) -> float:
        """Close stage `name`; return its wall seconds."""
        now = time.perf_counter()
        self.seconds[name] = round(now - self._last, 2)
        self.peak_mb[name] = round(peak_rss_mb() + _take_worker_peaks())
        self._last = now
        if self.per_stage:
            reset_peak()
        return self.seconds[name]

    def total(self) -> float:
        """Wall seconds from construction to the last lap, recorded as `total`."""
        self.seconds["total"] = round(self._last - self._start, 2)
        self.peak_mb["total"] = max(self.peak_mb.values(), default=round(peak_rss_mb()))
        return self.seconds["total"]
