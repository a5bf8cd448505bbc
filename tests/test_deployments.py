"""prefect.yaml: every deployment loads, its schedule is the county's, and its parameters
default to the period just closed (flows/deployments.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from prefect.flows import load_flow_from_entrypoint

from arvo.periods import COUNTY_TIME, last_completed_month
from flows.deployments import declared


def _by_name() -> dict[str, dict]:
    return {d["name"]: d for d in declared()}


def test_each_deployment_loads_and_takes_its_parameters_as_one_model():
    for d in declared():
        flow = load_flow_from_entrypoint(d["entrypoint"])
        assert list(flow.parameters.properties) == ["params"], d["name"]
        assert set(d["parameters"]) == {"params"}
        assert d["work_pool"]["name"] == "arvo"
        for schedule in d.get("schedules") or []:
            assert schedule["timezone"] == "Europe/Helsinki"


@pytest.mark.parametrize(("name", "cron"), [
    ("monthly-steering", "0 3 10 * *"),
    ("quarterly-follow-up", "0 4 15 1,4,7,10 *"),
    ("yearly-definition", "0 5 20 1 *"),
    ("backfill", None),
])
def test_the_schedules(name, cron):
    schedules = _by_name()[name].get("schedules") or []
    assert [s["cron"] for s in schedules] == ([cron] if cron else [])


def test_the_watch_scans_every_quarter_hour():
    assert _by_name()["submissions-watch"]["schedules"] == [
        {"interval": 900, "timezone": "Europe/Helsinki"}]


def test_scheduled_parameters_default_to_the_period_just_closed():
    from flows.cycle import CycleParams
    from flows.definition import DefinitionParams
    from flows.follow_up import FollowUpParams
    from flows.steering import SteeringParams

    closed = last_completed_month()
    by_name = _by_name()
    assert SteeringParams(**by_name["monthly-steering"]["parameters"]["params"]).period == closed
    follow = FollowUpParams(**by_name["quarterly-follow-up"]["parameters"]["params"])
    assert (follow.first, follow.last) == (None, closed)  # first: from the warehouse
    assert DefinitionParams(**by_name["yearly-definition"]["parameters"]["params"]
                            ).period == closed
    backfill = CycleParams(**by_name["backfill"]["parameters"]["params"])
    assert backfill.periods == [closed]


def test_the_month_just_closed_is_the_countys():
    # 1 February 00:30 in Helsinki is still 31 January in UTC
    late = dt.datetime(2026, 1, 31, 22, 30, tzinfo=dt.UTC)
    assert last_completed_month(late) == "2026-01"
    assert last_completed_month(dt.datetime(2026, 1, 10, 3, tzinfo=COUNTY_TIME)) == "2025-12"
