"""The NHS PROMs 2016-17 pack imported with NHS's inclusion rule and run through the real
steering flow (ingest, dbt build; no reports), once for every test module of tests/nhs
that asks for it. Two to four minutes on 2 cores."""

from __future__ import annotations

from pathlib import Path

import pytest

from arvo.nhs.submission import IMPORT_PERIOD, import_pack
from flows.steering import SteeringParams, steering

PACK = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "nhs-proms-2016-17"


@pytest.fixture(scope="package")
def nhs_run(tmp_path_factory, prefect_server):
    """(import summary, steering result, warehouse path) of the pack's run."""
    if not PACK.is_dir():
        pytest.skip(f"NHS data pack not at {PACK}")
    out = tmp_path_factory.mktemp("nhs")
    mp = pytest.MonkeyPatch()
    mp.setenv("ARVO_PSEUDONYM_KEY", "module-key")
    summary = import_pack(PACK, out, modelled_only=True)
    result = steering(SteeringParams(home=out / "var", raw_dir=summary.raw_dir,
                                     definitions_dir=summary.definitions_dir,
                                     period=IMPORT_PERIOD, reports=False))
    yield summary, result, out / "var" / "warehouse" / "arvo.duckdb"
    mp.undo()
