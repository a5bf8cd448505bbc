"""Wall time and peak memory of each stage of a run, measured inside the process.

`StageMeter.lap(name)` closes a stage: it records the seconds since the previous lap
and the process's peak resident memory during the stage. On Linux the peak is the
kernel's high-water mark (`VmHWM` in /proc/self/status), which the meter resets at each
lap by writing `5` to /proc/self/clear_refs (proc(5)), so each stage gets its own peak,
not the run's. Where that is not possible the peak is the process's peak so far
(`ru_maxrss`), which only grows: `StageMeter.per_stage` says which one was measured.

A steering run's stages run in one process (Prefect tasks are threads), so the process's
peak during a stage is that stage's peak. `arvo bench` reads the figures from
`arvo steer --json` (docs/operations.md#benchmark).
"""

from __future__ import annotations

import resource
import time
from pathlib import Path

_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


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


class StageMeter:
    """Seconds and peak MB of consecutive stages, from construction to each `lap`."""

    def __init__(self) -> None:
        self.per_stage = reset_peak()
        self.seconds: dict[str, float] = {}
        self.peak_mb: dict[str, float] = {}
        self._start = self._last = time.perf_counter()

    def lap(self, name: str) -> float:
        """Close stage `name`; return its wall seconds."""
        now = time.perf_counter()
        self.seconds[name] = round(now - self._last, 2)
        self.peak_mb[name] = round(peak_rss_mb())
        self._last = now
        if self.per_stage:
            reset_peak()
        return self.seconds[name]

    def total(self) -> float:
        """Wall seconds from construction to the last lap, recorded as `total`."""
        self.seconds["total"] = round(self._last - self._start, 2)
        self.peak_mb["total"] = max(self.peak_mb.values(), default=round(peak_rss_mb()))
        return self.seconds["total"]
