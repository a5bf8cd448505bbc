"""What every run shares (flows/runs.py): how a command runs its flow."""

from __future__ import annotations

from prefect import flow
from prefect.settings import get_current_settings

from flows.runs import in_this_process


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
