"""Work in processes forked from the fork server (arvo.forked): the answer comes back, the
worker's peak memory counts in the run's stage, and a worker that dies is named."""

from __future__ import annotations

import importlib.util
import os

import pytest

from arvo import forked, meter


def test_call_answers_from_another_process_and_counts_its_peak():
    meter._take_worker_peaks()
    pid = forked.call("answering with its pid", os.getpid)
    assert pid != os.getpid()
    assert meter._WORKER_PEAKS.get(pid, 0) > 0


def test_a_worker_that_dies_is_named():
    with pytest.raises(forked.WorkerDied, match="while ending on purpose"):
        forked.call("ending on purpose", os._exit, 3)


def test_the_server_preloads_modules_that_exist():
    assert all(importlib.util.find_spec(name) for name in forked.PRELOAD)
