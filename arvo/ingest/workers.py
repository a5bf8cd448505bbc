"""Ingest a wave's providers side by side in worker processes, so that every core works.

Reading and typing a submission and validating it with Great Expectations are CPU work
under Python's global interpreter lock: in one process they use one core, whatever the
threads. `Workers` ingests each group of providers (`ingest_group`: read -> validate ->
write, arvo.ingest.submission) in a process of its own when the wave weighs at least
`Settings.ingest_process_bytes`, and in the calling thread otherwise: a few rows, where a
worker's start (its suites built anew) would cost more than it saves (docs/operations.md,
"Ingest in waves").

- The workers are forked by multiprocessing's fork server, a clean single-threaded
  process that `Workers` starts as the ingest begins and that imports this module and
  Great Expectations once, while the run plans: a worker then starts in milliseconds
  with them loaded (and imports the run's main module, as multiprocessing does: for
  `arvo`, the small `flows.cli`). It inherits nothing of the run's threads (so the run
  may import and parse meanwhile, flows.steering), nor the run's environment as it is
  now rather than when the server started: the pseudonymisation key goes with each
  group.
- A worker ends with the run: a thread of its own waits on the run's end of a pipe
  (multiprocessing's parent sentinel) and ends the worker when the run is gone, even in
  the middle of a group, so a killed run leaves no process writing the lake behind it
  (docs/reruns.md). The fork server itself outlives the run until its last worker.
- Only outcomes and each worker's peak memory come back; the rows stay in the worker.
  The peaks count in the ingest stage's (arvo.meter.add_worker_peak).
- Every check is per file and a group holds whole providers, so the lake, quarantine
  and logs are the same in one process or in several (tests/ingest/test_workers.py).
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import multiprocessing.connection
import multiprocessing.forkserver
import os
import threading
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from arvo import meter
from arvo.config import Settings
from arvo.definitions import Definitions
from arvo.ingest.submission import FileOutcome, read_submissions, validate_batches, write_batch
from arvo.ingest.waves import Wave, balanced_groups

__all__ = ["WorkerDied", "Workers", "ingest_group"]

WRITERS = 8  # providers written side by side: file I/O, which threads overlap
_FORKSERVER = multiprocessing.get_context("forkserver")


class WorkerDied(RuntimeError):
    """A worker process ended without an answer (killed, or out of memory)."""


def ingest_group(settings: Settings, defs: Definitions, plan: dict[str, list[str]],
                 key: bytes, today: dt.date) -> list[FileOutcome]:
    """Read, type, pseudonymise (with `key`), validate and write a group of providers'
    months."""
    batches = [read_submissions(settings, pid, months, key) for pid, months in plan.items()]
    validate_batches(settings, defs, batches, today)
    with ThreadPoolExecutor(min(WRITERS, max(1, len(batches)))) as writers:
        written = list(writers.map(lambda batch: write_batch(settings, batch), batches))
    return [o for outcomes in written for o in outcomes]


class Workers:
    """Worker processes for the waves of one ingest, started when a wave first needs them."""

    def __init__(self, settings: Settings) -> None:
        self.processes = settings.ingest_processes
        self.min_bytes = settings.ingest_process_bytes
        self._pool: ProcessPoolExecutor | None = None
        if self.processes > 1:  # the fork server imports while the run plans
            _FORKSERVER.set_forkserver_preload([__name__, "great_expectations"])
            multiprocessing.forkserver.ensure_running()

    def groups(self, wave: Wave) -> list[dict[str, list[str]]]:
        """The wave's providers in groups to ingest side by side: one group a worker for a
        large wave (starting the workers), else one group."""
        if self.processes < 2 or len(wave.plan) < 2 or wave.raw_bytes < self.min_bytes:
            return [wave.plan]
        if self._pool is None:
            self._pool = ProcessPoolExecutor(self.processes, mp_context=_FORKSERVER,
                                             initializer=_start_worker)
        return balanced_groups(wave, self.processes)

    def ingest(self, settings: Settings, defs: Definitions, plan: dict[str, list[str]],
               key: bytes, today: dt.date) -> list[FileOutcome]:
        """`ingest_group` in a worker if they are started, else in this thread."""
        if self._pool is None:
            return ingest_group(settings, defs, plan, key, today)
        future: Future = self._pool.submit(_in_worker, settings, defs, plan, key, today)
        try:
            outcomes, pid, peak_mb = future.result()
        except BrokenProcessPool as exc:
            raise WorkerDied(f"an ingest worker process ended while ingesting "
                             f"{', '.join(plan)} (killed, or out of memory: lower "
                             "ARVO_INGEST_WAVE_MB or ARVO_INGEST_PROCESSES)") from exc
        meter.add_worker_peak(pid, peak_mb)
        return outcomes

    def close(self) -> None:
        """Stop the workers: queued groups are cancelled, a running one is let finish (after
        a failure elsewhere in the wave; otherwise every group's answer has been taken)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _start_worker() -> None:
    """In a new worker: end it with the run, then create Great Expectations' context."""
    run = multiprocessing.parent_process()
    if run is not None:
        threading.Thread(target=_end_with, args=(run.sentinel,), daemon=True,
                         name="end-with-run").start()
    from arvo.quality import gx

    gx.warm_up()


def _end_with(sentinel: int) -> None:
    """Wait until the run is gone (its end of the pipe closed), then end this worker."""
    multiprocessing.connection.wait([sentinel])
    os._exit(1)


def _in_worker(settings: Settings, defs: Definitions, plan: dict[str, list[str]],
               key: bytes, today: dt.date) -> tuple[list[FileOutcome], int, float]:
    """`ingest_group` in a worker: its outcomes, the worker's pid and peak MB so far."""
    return ingest_group(settings, defs, plan, key, today), os.getpid(), meter.peak_rss_mb()
