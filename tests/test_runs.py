"""What every run shares (flows/runs.py): how a command runs its flow, and how a flow
holds its warehouse for its work."""

from __future__ import annotations

from prefect import flow
from prefect.settings import get_current_settings

from arvo import runlock
from arvo.config import Settings
from flows.runs import guarded, in_this_process

from .conftest import settings_at


def _heartbeat() -> int | None:
    return get_current_settings().flows.heartbeat_frequency


def test_a_command_runs_its_flow_and_subflows_without_heartbeats(prefect_server):
    """Prefect joins a flow run's heartbeat thread as the run ends, which sleeps a second
    at a time; a command's flow and its subflows run without one."""
    seen = []

    @flow
    def inner() -> None:
        seen.append(("inner", _heartbeat()))

    @flow
    def outer(x: int) -> int:
        seen.append(("outer", _heartbeat()))
        inner()
        return x + 1

    default = _heartbeat()
    assert default is not None  # Prefect's default sends them
    assert in_this_process(outer, 1) == 2
    assert seen == [("outer", None), ("inner", None)]
    assert _heartbeat() == default  # as it was, after the command's flow


def test_a_flow_works_while_holding_its_warehouse(prefect_server, tmp_path):
    """`guarded` hands the work the params' settings and holds their warehouse's lock
    for it, and only for it."""
    settings = settings_at(tmp_path)
    settings.warehouse.parent.mkdir(parents=True)
    lock = runlock.warehouse_lock_path(settings.warehouse)

    class Params:
        def settings(self) -> Settings:
            return settings

    def work(params: Params, given: Settings) -> bool:
        assert given is settings
        return runlock.held(lock)

    @flow
    def a_flow() -> bool:
        return guarded(work, Params())

    assert in_this_process(a_flow) is True
    assert not runlock.held(lock)
