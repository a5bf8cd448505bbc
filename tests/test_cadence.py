"""The loop's cadence (arvo/cadence.py): steering monthly, follow-up quarterly, the
definition review yearly, and a cycle that ends with a follow-up."""

from __future__ import annotations

from arvo import cadence


def test_the_demo_history_backfills_every_month_and_ends_with_a_follow_up():
    periods = cadence.months_between("2024-12", "2025-12")
    assert len(periods) == 13
    steps = [str(s) for s in cadence.plan(periods)]
    assert steps == [
        "steering 2024-12", "definition 2024-12",  # one period: nothing to follow up yet
        "steering 2025-01", "steering 2025-02",
        "steering 2025-03", "follow-up 2024-12..2025-03",
        "steering 2025-04", "steering 2025-05",
        "steering 2025-06", "follow-up 2024-12..2025-06",
        "steering 2025-07", "steering 2025-08",
        "steering 2025-09", "follow-up 2024-12..2025-09",
        "steering 2025-10", "steering 2025-11",
        # the last 12 months: 2025-01..2025-12
        "steering 2025-12", "follow-up 2025-01..2025-12", "definition 2025-12"]


def test_a_cycle_that_stops_mid_quarter_still_ends_with_a_follow_up():
    steps = cadence.plan(["2025-06", "2025-11", "2025-10"])
    assert [str(s) for s in steps] == [
        "steering 2025-06", "steering 2025-10", "steering 2025-11",
        "follow-up 2025-06..2025-11"]
    assert cadence.plan(["2025-11"]) == [cadence.Step("steering", "2025-11")]
    only = cadence.plan(["2025-06", "2025-12"], follow_up=False, definition=False)
    assert [s.phase for s in only] == ["steering", "steering"]
    assert cadence.months_between("2025-12", "2025-11") == []
