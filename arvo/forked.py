"""Processes forked from one fork server that has imported Great Expectations.

Python's interpreter lock keeps a process's CPU work on one core whatever its threads, and
importing Great Expectations costs about 2 s of a core. So a run's CPU work in Great
Expectations goes to worker processes forked by multiprocessing's fork server: a clean
single-threaded process that imports the ingest's workers module, the obligations check
and Great Expectations once (`PRELOAD`), so that a worker forked from it starts in
milliseconds with them loaded. The ingest's groups of providers of a large wave
(arvo.ingest.workers) and a steering run's obligations check (flows.steering) run there,
so a steering run whose waves are all large never imports Great Expectations itself; a
small wave (a few rows) is validated in the run's own process.

- `start()` starts the server; `arvo steer` and `arvo ingest` do so before they import
  Prefect, so that its imports overlap the run's own start (docs/operations.md, "Ingest
  in waves"). `pool` and `call` start it otherwise.
- A worker inherits nothing of the run's threads, nor the run's environment as it is now
  rather than when the server started: what a worker needs goes with each call (the
  ingest passes the pseudonymisation key).
- A worker ends with the run: a thread of its own waits on the run's end of a pipe
  (multiprocessing's parent sentinel) and ends the worker when the run is gone, even in
  the middle of its work, so a killed run leaves no process writing behind it
  (docs/reruns.md). The fork server itself outlives the run until its last worker.
"""

from __future__ import annotations

import gc
import multiprocessing
import multiprocessing.connection
import multiprocessing.forkserver
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from arvo import meter

__all__ = ["WorkerDied", "call", "pool", "result", "start", "submit"]

CONTEXT = multiprocessing.get_context("forkserver")
PRELOAD = ["arvo.ingest.workers", "arvo.quality.obligations", "great_expectations"]
"""What the server imports once, so that a worker forked from it starts with them loaded."""


class WorkerDied(RuntimeError):
    """A worker process ended without an answer (killed, or out of memory)."""


def start() -> None:
    """Start the fork server with its imports, unless it runs already for this process."""
    CONTEXT.set_forkserver_preload(PRELOAD)
    multiprocessing.forkserver.ensure_running()


def pool(processes: int) -> ProcessPoolExecutor:
    """`processes` workers forked from the server, each with Great Expectations' context."""
    start()
    return ProcessPoolExecutor(processes, mp_context=CONTEXT, initializer=_start_worker)


def submit(workers: ProcessPoolExecutor, function: Callable[..., Any], *args: Any) -> Future:
    """`function(*args)` in one of `workers`; take its answer with `result`."""
    return workers.submit(_measured, function, *args)


def result(future: Future, what: str) -> Any:
    """The answer of `submit`'s work; the worker's peak memory counts in the run's stage
    (arvo.meter.add_worker_peak). `what` names the work if the worker ended without an
    answer (`WorkerDied`)."""
    try:
        answer, pid, peak_mb = future.result()
    except BrokenProcessPool as exc:
        raise WorkerDied(f"a worker process ended while {what} (killed, or out of "
                         "memory)") from exc
    meter.add_worker_peak(pid, peak_mb)
    return answer


def call(what: str, function: Callable[..., Any], *args: Any) -> Any:
    """`function(*args)` in one new worker and its answer, as `submit` and `result`."""
    with pool(1) as one:
        return result(submit(one, function, *args), what)


def _measured(function: Callable[..., Any], *args: Any) -> tuple[Any, int, float]:
    """In a worker: the answer, the worker's pid and its peak MB so far."""
    return function(*args), os.getpid(), meter.peak_rss_mb()


def _start_worker() -> None:
    """In a new worker: end it with the run, create Great Expectations' context, then
    leave what the worker holds so far out of the garbage collector's full collections."""
    run = multiprocessing.parent_process()
    if run is not None:
        threading.Thread(target=_end_with, args=(run.sentinel,), daemon=True,
                         name="end-with-run").start()
    from arvo.quality import gx

    gx.warm_up()
    # The imports and the context (about 290,000 objects) live as long as the worker. A
    # full collection walked them all, 0.17 s, in the middle of the worker's first suite
    # run at 50,000 residents (docs/performance-history.md, `1aa0a29`). Frozen, they are
    # still freed when their last reference goes; only cycles among them are no longer
    # looked for.
    gc.freeze()


def _end_with(sentinel: int) -> None:
    """Wait until the run is gone (its end of the pipe closed), then end this worker."""
    multiprocessing.connection.wait([sentinel])
    os._exit(1)
