"""The demo region's horizon: days counted from the first day of the start month."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from arvo import periods


@dataclass(frozen=True)
class Calendar:
    """Days 0..n_days-1 from the first day of `start_month`, covering `months` months."""

    start: np.datetime64
    months: int

    @property
    def month_starts(self) -> np.ndarray:
        first = self.start.astype("datetime64[M]")
        return (first + np.arange(self.months + 1)).astype("datetime64[D]")

    @property
    def month_offsets(self) -> np.ndarray:
        return (self.month_starts - self.start).astype(np.int64)

    @property
    def n_days(self) -> int:
        return int(self.month_offsets[-1])

    @property
    def labels(self) -> list[str]:
        return [str(m) for m in self.month_starts[:-1].astype("datetime64[M]")]

    def month_of(self, day: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.month_offsets, day, side="right") - 1

    def dates(self, day: np.ndarray) -> np.ndarray:
        return self.start + np.asarray(day, dtype=np.int64).astype("timedelta64[D]")


def make_calendar(start_month: str, months: int) -> Calendar:
    """The calendar of `months` months from `start_month` (`YYYY-MM`)."""
    if months < 1:
        raise ValueError("months must be at least 1")
    month = periods.check_month(start_month, "start month")
    start = np.datetime64(dt.datetime.strptime(month, "%Y-%m").date(), "D")
    return Calendar(start, months)

