"""Entry point of the demo region: generate, write the submissions and the planted truth."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from arvo import definitions
from arvo.demo import arrivals
from arvo.demo.blocks import BLOCK_SIZE
from arvo.demo.meetings import write_agreements
from arvo.demo.region import generate_blocks, plan_region, region_truth
from arvo.demo.writer import SubmissionWriter
from arvo.periods import half_year_periods

DEFAULT_DEFINITIONS = Path(__file__).resolve().parents[2] / "definitions"


class RegionSummary(BaseModel):
    """What `generate_region` wrote."""

    model_config = ConfigDict(frozen=True)

    seed: int
    start_month: str
    end_month: str
    months: int
    residents: int
    blocks: int  # blocks of residents generated and written in turn
    clients: int  # distinct residents with at least one service event
    events: int  # event rows written (incl. planted defects)
    episodes: int  # distinct episodes
    episode_rows: int  # episode rows written (an ended episode is sent twice)
    responses: int  # PROM responses written
    providers: int
    files: int
    defects: int
    raw_root: Path
    truth_path: Path


def generate_region(out_dir: Path, *, seed: int = 42, residents: int = 50_000,
                    months: int = 24, start_month: str = "2024-01",
                    definitions_dir: Path = DEFAULT_DEFINITIONS,
                    meetings_dir: Path | None = None,
                    block_size: int = BLOCK_SIZE) -> RegionSummary:
    """Generate the synthetic region into `out_dir`.

    Writes `out_dir/raw/<provider_id>/<YYYY-MM>/{events,episodes,proms}.{csv|parquet}` and
    `out_dir/planted_truth.json` (beside `raw/`, never read by the pipeline). The same seed
    and sizes give byte-identical files. The residents are generated and written a block
    of at most `block_size` at a time (arvo.demo.region), so memory stays bounded; a
    region of one block is the region as it always was. With `meetings_dir`, also the
    commissioner's record of the first demo period's steering meeting (arvo.demo.meetings).
    """
    out_dir = Path(out_dir)
    defs = definitions.load(Path(definitions_dir))
    rp = plan_region(defs, seed=seed, residents=residents, months=months,
                     start_month=start_month, block_size=block_size)
    raw_root = out_dir / "raw"
    formats = {p.id: p.submission_format for p in defs.providers}
    tallies, defects, counts = [], [], Counter()
    with SubmissionWriter(formats, raw_root) as writer:
        for block in generate_blocks(rp):
            writer.add({"events": block.events, "episodes": block.episodes,
                        "proms": block.proms})
            tallies.append(block.tally)
            defects.extend(block.defects)
            counts.update(clients=block.events["person"].nunique(), events=len(block.events),
                          episodes=block.episodes["episode"].nunique(),
                          episode_rows=len(block.episodes), responses=len(block.proms))
            del block  # before the next block is generated
        files = writer.close()
    arrivals.stamp(files, raw_root, defs.submissions)  # received times (docs/demo.md)
    truth = region_truth(rp, tallies, defects)
    truth["files"] = len(files)
    truth_path = out_dir / "planted_truth.json"
    truth_path.write_text(json.dumps(truth, indent=2, ensure_ascii=False, default=str) + "\n",
                          encoding="utf-8")
    labels = rp.calendar.labels
    if meetings_dir is not None:
        write_agreements(meetings_dir, truth, half_year_periods(start_month, months))
    return RegionSummary(
        seed=seed, start_month=labels[0], end_month=labels[-1], months=months,
        residents=residents, blocks=len(tallies), providers=len(defs.providers),
        files=len(files), defects=len(defects), raw_root=raw_root, truth_path=truth_path,
        **{k: int(v) for k, v in counts.items()})
