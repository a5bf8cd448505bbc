"""Prefect flows behind `arvo import nhs-proms`, `arvo compare nhs-provcomm` and
`arvo compare nhs-adjusted`."""

from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NONE
from pydantic import BaseModel, ConfigDict, Field

from arvo.nhs import adjusted, provcomm, submission


class ImportParams(BaseModel):
    """Where the NHS pack is, where its submissions go, and which records to keep."""

    model_config = ConfigDict(extra="forbid")

    pack_dir: Path = Field(description="folder of the NHS PROMs data pack (zips or CSVs)")
    out_dir: Path = Field(description="writes <out>/raw/, <out>/definitions/")
    modelled_only: bool = Field(False, description="keep only records NHS's case-mix "
                                                   "model used (NHS's inclusion rule)")


class CompareParams(BaseModel):
    """The pack with NHS's published figures, and the warehouse of the run on its import."""

    model_config = ConfigDict(extra="forbid")

    pack_dir: Path
    warehouse: Path
    period: str = submission.IMPORT_PERIOD
    out: Path


@task(cache_policy=NONE)  # no retries: a pack that cannot be read fails the same way again
def convert_pack(params: ImportParams) -> submission.ImportSummary:
    """Write the pack's records as provider submissions and a definitions register."""
    return submission.import_pack(params.pack_dir, params.out_dir,
                                  modelled_only=params.modelled_only)


@task(cache_policy=NONE)
def compare_provcomm(params: CompareParams) -> provcomm.Comparison:
    """Compare mart_provider_measure_outcomes with NHS's ProvComm table, row by row."""
    comparison = provcomm.compare(params.pack_dir, params.warehouse, params.period)
    provcomm.write(comparison, params.out)
    return comparison


@task(cache_policy=NONE)
def compare_adjusted(params: CompareParams) -> adjusted.Comparison:
    """Compare mart_provider_funnel's adjusted results with NHS's published ones."""
    comparison = adjusted.compare(params.pack_dir, params.warehouse, params.period)
    adjusted.write(comparison, params.out)
    return comparison


def _logged(outcome):
    """Log what an outcome says of itself, line by line, and pass it on."""
    for line in outcome.lines():
        get_run_logger().info(line)
    return outcome


@flow(name="import-nhs-proms", log_prints=True)
def import_nhs_proms(params: ImportParams) -> submission.ImportSummary:
    """Turn an NHS PROMs record-level pack into submissions in Arvo's contract."""
    return _logged(convert_pack(params))


@flow(name="compare-nhs-provcomm", log_prints=True)
def compare_nhs_provcomm(params: CompareParams) -> provcomm.Comparison:
    """Check Arvo's per-provider outcomes against NHS's published ProvComm figures."""
    return _logged(compare_provcomm(params))


@flow(name="compare-nhs-adjusted", log_prints=True)
def compare_nhs_adjusted(params: CompareParams) -> adjusted.Comparison:
    """Check Arvo's case-mix adjusted results against NHS's published ones."""
    return _logged(compare_adjusted(params))
