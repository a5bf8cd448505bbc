"""Periods and months: the `YYYY-MM` rule and month arithmetic, in one place.

A steering period is the last month of a 12-month window, written `YYYY-MM` with a
four-digit year and a two-digit month; submission folders use the same form.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from zoneinfo import ZoneInfo

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def is_month(value: object) -> bool:
    """True if `value` is a month written `YYYY-MM`."""
    return isinstance(value, str) and bool(MONTH.match(value))


def check_month(value: object, what: str = "period") -> str:
    """`value` if it is a month `YYYY-MM`, else ValueError naming it in one line."""
    if not is_month(value):
        raise ValueError(f"{what} {value!r} is not a month YYYY-MM (e.g. 2025-12)")
    return value


def add_months(month: str, n: int) -> str:
    """The month `n` months after `month` (before it for negative `n`)."""
    index = int(month[:4]) * 12 + int(month[5:7]) - 1 + n
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


COUNTY_TIME = ZoneInfo("Europe/Helsinki")
"""The county's time zone: the schedules' clock, and what "the month just closed" means."""


SOURCE_DATE_EPOCH = "SOURCE_DATE_EPOCH"
"""The reproducible-builds convention (reproducible-builds.org/specs/source-date-epoch):
when set (seconds since 1970-01-01 UTC), it is "now" for everything a run stamps into
its results and reports (when they were made, when the data stood), so that a rerun's
reports are byte for byte those of the first run (docs/reruns.md)."""


def county_now() -> dt.datetime:
    """Now on the county's clock (Helsinki, zone-aware), or $SOURCE_DATE_EPOCH's time."""
    epoch = os.environ.get(SOURCE_DATE_EPOCH, "").strip()
    return dt.datetime.fromtimestamp(int(epoch), COUNTY_TIME) if epoch \
        else dt.datetime.now(COUNTY_TIME)


def last_completed_month(now: dt.datetime | None = None) -> str:
    """The month before the current one in Helsinki: the period a scheduled run steers
    when it is given none (the run on 10 January steers December)."""
    today = (now or dt.datetime.now(COUNTY_TIME)).astimezone(COUNTY_TIME).date()
    return add_months(today.strftime("%Y-%m"), -1)


def window_months(period: str, length: int = 12) -> list[str]:
    """The `length` months ending with `period`, oldest first."""
    check_month(period)
    return [add_months(period, -back) for back in range(length - 1, -1, -1)]


def half_year_periods(start_month: str, months: int) -> list[str]:
    """Two half-year steering periods over `months` months from `start_month`: the last
    month, and the month six months before it."""
    last = add_months(check_month(start_month, "start month"), months - 1)
    return [add_months(last, -6), last]
