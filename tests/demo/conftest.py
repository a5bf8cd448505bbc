"""The demo region the tests read: generated once per session (seed 42)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from arvo.demo import RegionSummary, generate_region
from tests.demo.submissions import MONTHS, RESIDENTS, read_all


@pytest.fixture(scope="session")
def region(tmp_path_factory) -> tuple[RegionSummary, dict[str, pd.DataFrame], dict]:
    """(what generate_region wrote, the submissions read back per entity, planted truth)."""
    out = tmp_path_factory.mktemp("region")
    summary = generate_region(out, seed=42, residents=RESIDENTS, months=MONTHS)
    truth = json.loads(summary.truth_path.read_text(encoding="utf-8"))
    return summary, read_all(summary.raw_root), truth
