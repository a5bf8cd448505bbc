"""Ingest a wave's providers side by side in worker processes, so that every core works.

Reading and typing a submission and validating it with Great Expectations are CPU work
under Python's global interpreter lock: in one process they use one core, whatever the
threads. `Workers` ingests each group of providers (`ingest_group`: read -> validate ->
write, arvo.ingest.submission) in a process of its own when the wave weighs at least
`Settings.ingest_process_bytes`, and in the calling thread otherwise: a few rows, where a
worker's start (its suites built anew) would cost more than it saves (docs/operations.md,
"Ingest in waves").

- The workers are forked from arvo.forked's fork server, which imported this module and
  Great Expectations while the run started and planned; the pseudonymisation key goes
  with each group, and a worker ends with the run (arvo.forked).
- Only outcomes and each worker's peak memory come back; the rows stay in the worker.
  The peaks count in the ingest stage's (arvo.meter.add_worker_peak).
- Every check is per file and a group holds whole providers, so the lake, quarantine
  and logs are the same in one process or in several (tests/ingest/test_workers.py).
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

from arvo import forked
from arvo.config import Settings
from arvo.definitions import Definitions
from arvo.forked import WorkerDied
from arvo.ingest.submission import FileOutcome, read_submissions, validate_batches, write_batch
from arvo.ingest.waves import Wave, balanced_groups, plan_rows

__all__ = ["WorkerDied", "Workers", "ingest_group"]

WRITERS = 8  # providers written side by side: file I/O, which threads overlap


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
        self.settings = settings
        self.processes = settings.ingest_processes
        self.min_bytes = settings.ingest_process_bytes
        self._pool: ProcessPoolExecutor | None = None
        if self.processes > 1:  # the fork server imports while the run plans (unless
            forked.start()  # the command line started it already)

    def groups(self, wave: Wave) -> list[dict[str, list[str]]]:
        """The wave's providers in groups to ingest side by side: one group a worker for a
        large wave (starting the workers), of about equal rows; else one group."""
        if self.processes < 2 or len(wave.plan) < 2 or wave.raw_bytes < self.min_bytes:
            return [wave.plan]
        if self._pool is None:
            self._pool = forked.pool(self.processes)
        s = self.settings
        return balanced_groups(wave, self.processes, plan_rows(
            s.raw_dir, wave.plan, s.max_file_bytes, s.max_file_rows))

    def ingest(self, settings: Settings, defs: Definitions, plan: dict[str, list[str]],
               key: bytes, today: dt.date) -> list[FileOutcome]:
        """`ingest_group` in a worker if they are started, else in this thread."""
        if self._pool is None:
            return ingest_group(settings, defs, plan, key, today)
        future = forked.submit(self._pool, ingest_group, settings, defs, plan, key, today)
        return forked.result(future, f"ingesting {', '.join(plan)} (if out of memory, "
                                     "lower ARVO_INGEST_WAVE_MB or ARVO_INGEST_PROCESSES)")

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
