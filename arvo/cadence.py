"""The loop's cadence: which phase runs at which period of a cycle (docs/loop.md).

Steering runs every period; the follow-up at the end of each quarter, over the steered
periods of the 12 months up to it; the definition review once a year, in December (the
state of the year closed, the basis of next year's definitions). A cycle always ends with
a follow-up of its last period, which proposes the renewed definitions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from arvo.periods import add_months, check_month

Phase = Literal["steering", "follow_up", "definition"]

#: Months between follow-ups: quarterly, at the end of March, June, September, December.
FOLLOW_UP_EVERY = 3
#: How far back a follow-up looks: the steered periods of the 12 months up to it.
FOLLOW_UP_SPAN = 12
#: The month of the yearly definition review.
DEFINITION_MONTH = 12


@dataclass(frozen=True)
class Step:
    """One phase at one period; a follow-up covers the periods `start`..`period`."""

    phase: Phase
    period: str
    start: str | None = None

    def __str__(self) -> str:
        span = f"{self.start}..{self.period}" if self.start else self.period
        return f"{self.phase.replace('_', '-')} {span}"


def months_between(first: str, last: str) -> list[str]:
    """Every month from `first` to `last`, both included (empty when `last` is earlier)."""
    check_month(first)
    check_month(last)
    out, month = [], first
    while month <= last:
        out.append(month)
        month = add_months(month, 1)
    return out


def plan(periods: list[str], *, follow_up: bool = True, definition: bool = True,
         follow_up_every: int = FOLLOW_UP_EVERY, span: int = FOLLOW_UP_SPAN,
         definition_month: int = DEFINITION_MONTH) -> list[Step]:
    """The phases of a cycle over the steering `periods`, in the order they run.

    After each period is steered: a follow-up when the period ends a quarter (month
    divisible by `follow_up_every`) and at least two steered periods fall in the
    `span` months up to it; a definition review when its month is `definition_month`.
    The last period always gets a follow-up (when two periods are steered).
    """
    steered = sorted({check_month(p) for p in periods})
    steps: list[Step] = []

    def follow(at: str) -> None:
        within = [p for p in steered if add_months(at, 1 - span) <= p <= at]
        if follow_up and len(within) >= 2:
            steps.append(Step("follow_up", at, within[0]))

    for period in steered:
        steps.append(Step("steering", period))
        month = int(period[5:7])
        if month % follow_up_every == 0 or period == steered[-1]:
            follow(period)
        if definition and month == definition_month:
            steps.append(Step("definition", period))
    return steps
