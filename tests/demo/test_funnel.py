"""The planted truth tests a case-mix adjusted funnel method: the sketch of funnel_check.py
finds exactly what the truth promises on the default-size region, for two seeds (the
default and one more; `python -m tests.demo.funnel_check` runs six)."""

from __future__ import annotations

import pytest

from tests.demo.funnel_check import check_seed, report


@pytest.mark.slow
@pytest.mark.parametrize("seed", [42, 7])
def test_planted_truth_holds_on_a_funnel(seed):
    result = check_seed(seed)
    assert not result["problems"], report(result)
    assert len(result["null_alarms"]) <= 1
