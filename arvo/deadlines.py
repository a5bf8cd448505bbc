"""When providers' submissions are due, and when a steering period's corrections are.

The commissioner sets both in `providers.yml` (key `submissions`, optional; versioned
like every definition: docs/definitions.md). A month M's files are due by day `due_day`
of month M+1 (Helsinki time): a file received (landed in the submissions folder) on a
later day is late. `corrections_due_day`, when set, is the day of the month after a
steering period until which providers may correct the period's data while it is in
preview (docs/preview-and-freeze.md). dbt applies the same rule to the ingest log
(`mart_provider_data_quality.is_late`, var `submission_due_day`).
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, model_validator

from arvo.periods import COUNTY_TIME, add_months

"""The county's clock: received times and deadlines are Helsinki wall-clock times."""


class Submissions(BaseModel):
    """When a month's submissions are due, and a period's corrections (providers.yml
    `submissions`). `due_day` 10: the files of 2025-11 are due by 10.12.2025."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    due_day: int = Field(10, ge=1, le=28)
    corrections_due_day: int | None = Field(None, ge=1, le=28)

    @model_validator(mode="after")
    def _corrections_after_due(self) -> Submissions:
        if self.corrections_due_day is not None and self.corrections_due_day < self.due_day:
            raise ValueError("corrections_due_day must not be before due_day")
        return self

    def due_by(self, month: str) -> dt.date:
        """The last day on which month `month`'s files are on time."""
        return dt.date.fromisoformat(f"{add_months(month, 1)}-{self.due_day:02d}")

    def corrections_by(self, period: str) -> dt.date | None:
        """The last day for corrections to steering period `period`, if one is set."""
        if self.corrections_due_day is None:
            return None
        return dt.date.fromisoformat(f"{add_months(period, 1)}-{self.corrections_due_day:02d}")


def received_at(mtime: float) -> dt.datetime:
    """A file's modification time (seconds since the epoch) as Helsinki wall-clock time,
    to the second, without a zone (as the ingest log stores it)."""
    return dt.datetime.fromtimestamp(mtime, COUNTY_TIME).replace(tzinfo=None, microsecond=0)


def epoch_seconds(when: dt.datetime) -> float:
    """A Helsinki wall-clock time as seconds since the epoch (for a file's mtime)."""
    return when.replace(tzinfo=COUNTY_TIME).timestamp()
