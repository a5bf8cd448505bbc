"""Work in processes forked from the fork server (arvo.forked): the answer comes back, the
worker's peak memory counts in the run's stage, what a worker starts with is left out of
its garbage collections, and a worker that dies is named."""

from __future__ import annotations

import gc
import importlib.util
import os

import pytest

from arvo import forked, meter


def test_call_answers_from_another_process_and_counts_its_peak():
    meter._take_worker_peaks()
    pid = forked.call("answering with its pid", os.getpid)
    assert pid != os.getpid()
    assert meter._WORKER_PEAKS.get(pid, 0) > 0


def test_a_worker_leaves_what_it_starts_with_out_of_full_collections():
    """A new worker freezes its imports and Great Expectations' context, so that its first
    full collection does not walk them (it did, in the middle of the first suite run)."""
    assert forked.call("counting its frozen objects", gc.get_freeze_count) > 100_000


def test_a_worker_that_dies_is_named():
    with pytest.raises(forked.WorkerDied, match="while ending on purpose"):
        forked.call("ending on purpose", os._exit, 3)


def test_the_server_preloads_modules_that_exist():
    assert all(importlib.util.find_spec(name) for name in forked.PRELOAD)
