"""Each stage's own wall time and peak memory (arvo/meter.py)."""

from __future__ import annotations

import sys

import pytest

from arvo.meter import StageMeter


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc/self is Linux's")
def test_each_stage_gets_its_own_peak():
    meter = StageMeter()
    assert meter.per_stage  # Linux lets a process reset its own high-water mark
    big = bytearray(400 * 2**20)
    big[:: 4096] = b"x" * len(big[:: 4096])  # touch every page: resident
    del big
    meter.lap("big")
    small = bytearray(20 * 2**20)
    small[:: 4096] = b"x" * len(small[:: 4096])
    meter.lap("small")
    meter.total()
    assert meter.peak_mb["big"] >= meter.peak_mb["small"] + 300
    assert meter.peak_mb["total"] == meter.peak_mb["big"]
    assert set(meter.seconds) == {"big", "small", "total"}
    assert meter.seconds["total"] >= meter.seconds["big"] + meter.seconds["small"] - 0.02


def test_worker_peaks_add_to_the_stage_in_which_they_are_reported():
    from arvo.meter import add_worker_peak

    meter = StageMeter()
    add_worker_peak(101, 300.0)
    add_worker_peak(101, 200.0)  # a worker's largest report counts
    add_worker_peak(102, 150.0)
    meter.lap("ingest")
    meter.lap("after")
    # the run's own peak is about the same in both stages; the workers' 450 MB count once
    assert 440 <= meter.peak_mb["ingest"] - meter.peak_mb["after"] <= 460
