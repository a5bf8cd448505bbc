"""What every run of the loop shares: one writer per warehouse, a notification on failure,
and a summary the data engineer reads in the Prefect UI.

- `warehouse_guard(settings)`: a run waits while another writes the same warehouse. Two
  gates, taken in this order: the lock file beside the warehouse (`arvo.runlock`), which
  also holds for runs started from a shell and is released by the operating system when
  its holder dies, then the Prefect global concurrency limit
  `arvo-warehouse-<hash of the warehouse path>` (limit 1, created on first use; a waiting
  run shows its wait in the UI). Both log who waits for whom. Re-entrant: the loop holds
  the warehouse and its phases take it again. `guarded(work, params)` runs a flow's
  work in it.
- `notify_failure`: the flows' `on_failure` and `on_crashed` hook. It sends the run's
  name, state and message through the Prefect notification block named by
  `ARVO_NOTIFY_BLOCK` (default `custom-webhook/arvo-failure`, which `arvo serve
  --notify-url` creates); without such a block it only logs (docs/operations.md).
- `publish(key, markdown)`: a Prefect markdown artifact with the run's key figures.
- `in_this_process(flow, params)`: how an `arvo` command runs its flow, without the flow
  run heartbeats that would cost a second at the end of each flow run.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Protocol, TypeVar

from prefect import get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.concurrency.sync import concurrency
from prefect.runtime import flow_run
from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

from arvo import runlock
from arvo.config import Settings

NOTIFY_BLOCK = "custom-webhook/arvo-failure"
R = TypeVar("R")


class _Params(Protocol):
    def settings(self) -> Settings: ...


P = TypeVar("P", bound=_Params)


def in_this_process(flow: Callable[..., R], *args: object) -> R:
    """Run `flow` (with its subflows) in this command's process, without flow run
    heartbeats.

    Prefect (since 3.x, default every 180 s) sends a flow run's heartbeats from a thread
    that sleeps a second at a time, and a synchronous flow run joins that thread as it
    ends: a second at the end of every flow run and subflow run (measured with an empty
    flow: 1.08 s with heartbeats, 0.09 s without). Heartbeats let a server's automation
    mark a run whose process died as crashed; Arvo configures no such automation, and
    the person or scheduler that started a command sees its process end and its exit
    code. A deployment run by a worker, and `arvo watch`, keep Prefect's default.
    """
    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        return flow(*args)


def limit_name(settings: Settings) -> str:
    """The Prefect global concurrency limit of a warehouse."""
    digest = hashlib.sha256(str(settings.warehouse.resolve()).encode()).hexdigest()[:10]
    return f"arvo-warehouse-{digest}"


def _ensure_limit(name: str) -> int:
    """Create the limit (1 slot) if absent; the slots now taken."""
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound

    with get_client(sync_client=True) as client:
        try:
            return client.read_global_concurrency_limit_by_name(name).active_slots
        except ObjectNotFound:
            pass
        try:
            client.upsert_global_concurrency_limit_by_name(name, 1)
        except ObjectAlreadyExists:  # created by a run starting at the same moment
            pass
        return client.read_global_concurrency_limit_by_name(name).active_slots


LEASE_SECONDS = 60
"""How long a run's Prefect slot outlives it when it is killed outright: the slot is a
lease the run renews every 45 s, and Prefect's repossessor frees an expired one within
15 s (docs/operations.md)."""


@contextmanager
def warehouse_guard(settings: Settings) -> Iterator[None]:
    """Hold the warehouse of `settings` for the block; wait while another run holds it."""
    lock = runlock.warehouse_lock_path(settings.warehouse)
    if runlock.held(lock):  # the loop holds it for its phases
        yield
        return
    logger = get_run_logger()
    name = flow_run.name or "run"
    slot = limit_name(settings)
    # the lock file first, then the Prefect slot: one order everywhere, so no two runs
    # each hold one and wait for the other
    with runlock.hold(lock, runlock.holder_text(name),
                      lambda who: logger.warning("waiting for the warehouse %s: in use by %s",
                                                 settings.warehouse, who)):
        if _ensure_limit(slot):
            logger.warning("waiting for the warehouse %s: its Prefect concurrency limit %s "
                           "is held by another run (one killed outright holds it until its "
                           "lease ends, within %d s)", settings.warehouse, slot,
                           LEASE_SECONDS + 15)
        with concurrency(slot, occupy=1, strict=True, lease_duration=LEASE_SECONDS,
                         raise_on_lease_renewal_failure=False):
            logger.info("holding the warehouse %s", settings.warehouse)
            try:
                yield
            finally:
                logger.info("released the warehouse %s", settings.warehouse)


def guarded(work: Callable[[P, Settings], R], params: P) -> R:
    """`work(params, settings)` while holding the warehouse of the params' settings."""
    settings = params.settings()
    with warehouse_guard(settings):
        return work(params, settings)


def publish(key: str, markdown: str, description: str) -> None:
    """Publish the run's summary as a Prefect markdown artifact (a new version per run)."""
    create_markdown_artifact(markdown=markdown, key=key, description=description)


def notify_failure(flow, run, state) -> None:
    """Send a failed or crashed run's name, state and message to the notification block."""
    from prefect.blocks.core import Block
    from prefect.logging import get_logger
    from prefect.settings import PREFECT_UI_URL

    slug = os.environ.get("ARVO_NOTIFY_BLOCK", NOTIFY_BLOCK)
    ui = PREFECT_UI_URL.value()
    link = f"{ui}/runs/flow-run/{run.id}" if ui else f"flow run {run.id}"
    subject = f"Arvo: {run.name} {state.name}"
    body = f"{flow.name} run {run.name} ended {state.name}: {state.message or ''}\n{link}"
    try:
        block = Block.load(slug)
    except (ValueError, KeyError) as exc:
        get_logger("arvo").warning("no failure notification sent (no block %s: %s); %s",
                                 slug, exc, subject)
        return
    block.notify(body=body, subject=subject)
