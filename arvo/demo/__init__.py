"""Deterministic synthetic demo region: a Finnish wellbeing services county's residents,
providers and their monthly submissions, with a planted truth for tests.

`generate_region(out_dir, seed=42, residents=50_000, months=24)` writes
`out_dir/raw/<provider>/<YYYY-MM>/{events,episodes,proms}.{csv,parquet}` and
`out_dir/planted_truth.json`. `arvo.demo.region` assembles the model from its parts
(`population`, `providers`, `planted`, `casemix`, `events`, `episodes`, `proms`,
`defects`, `truth` and its counts `tally`) a block of residents at a time (`blocks`);
`arvo.demo.writer` writes the file formats, block after block (docs/demo.md).
"""

from arvo.demo.generate import RegionSummary, generate_region

__all__ = ["RegionSummary", "generate_region"]
