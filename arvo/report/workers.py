"""The providers' feedback of a period rendered by two processes side by side, for a
register of hundreds of providers (the NHS pack's 284: docs/operations.md).

The providers are cut into chunks of a few. A worker process takes chunks from the first
on; the calling process, once it has rendered the steering report, takes them from the
last back, each one the worker has not started (a chunk is rendered by exactly one of
them), until they meet. The worker is a fresh interpreter (multiprocessing's spawn: the
calling process may run Prefect's threads, which a fork would copy mid-step; so a script
that renders a period must guard its entry with `if __name__ == "__main__":`) that opens
the warehouse read-only and batched once, and writes into the same staging folder
(arvo.report.files.staged). A provider's files depend on nothing but the warehouse and the
provider, never on which process rendered it or when, so the reports are the same byte
for byte as those rendered in one process (tests/report/test_render.py). Below
FROM_PROVIDERS providers the calling process renders them all.
"""

from __future__ import annotations

import atexit
import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path

from arvo.config import Settings
from arvo.report.feedback import ProviderFeedback, render_provider_feedback
from arvo.report.warehouse import Warehouse, open_warehouse

WORKERS = 2
"""Processes rendering feedback: the calling process and WORKERS - 1 workers (the machine
has 2 cores)."""

FROM_PROVIDERS = 50
"""Fewer providers than this are rendered in the calling process alone: starting a worker
(an interpreter importing arvo.report, about a second of CPU, then reading the marts)
would cost more than it saves."""

CHUNK = 8
"""Providers per chunk: few enough that the two processes finish together, and that a
worker whose calling process was killed stops after a few reports (its queue is gone)."""

Job = tuple[str, str]
"""A provider's id and the language of its feedback."""

_worker: dict[str, Warehouse] = {}
"""A worker process's warehouse, opened once by `_start`."""


@contextmanager
def feedback(settings: Settings, period: str, jobs: list[Job],
             wh: Warehouse) -> Iterator[Callable[[], list[ProviderFeedback]]]:
    """Start rendering the feedback of `jobs` (in a worker too when they are many) and
    yield the function that renders the rest from `wh` in the calling process and returns
    all of it, in the order of `jobs`. Leaving the block early cancels what the worker has
    not started."""
    def mine(chunk: list[Job]) -> list[ProviderFeedback]:
        return [render_provider_feedback(settings, period, pid, lang, wh)
                for pid, lang in chunk]

    if len(jobs) < FROM_PROVIDERS or WORKERS < 2:
        yield lambda: mine(jobs)
        return
    chunks = [jobs[i:i + CHUNK] for i in range(0, len(jobs), CHUNK)]
    with ProcessPoolExecutor(WORKERS - 1, mp_context=multiprocessing.get_context("spawn"),
                             initializer=_start, initargs=(settings.warehouse,)) as pool:
        futures: list[Future] = [pool.submit(_render, settings, period, c) for c in chunks]

        def gather() -> list[ProviderFeedback]:
            done: dict[int, list[ProviderFeedback]] = {}
            for i in reversed(range(len(chunks))):
                if not futures[i].cancel():  # the worker has it, and every chunk before
                    break
                done[i] = mine(chunks[i])
            return [fb for i in range(len(chunks))
                    for fb in (done[i] if i in done else futures[i].result())]

        try:
            yield gather
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise


def _start(warehouse: Path) -> None:
    """A worker's start: open the warehouse read-only, batched, for all its tasks."""
    stack = ExitStack()
    _worker["wh"] = stack.enter_context(open_warehouse(warehouse, batched=True))
    atexit.register(stack.close)


def _render(settings: Settings, period: str, jobs: list[Job]) -> list[ProviderFeedback]:
    """A worker's task: the feedback of a few providers."""
    return [render_provider_feedback(settings, period, pid, lang, _worker["wh"])
            for pid, lang in jobs]
