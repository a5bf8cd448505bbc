"""Arvo's orchestration: Prefect flows and the `arvo` command line.

The flows (`flows.steering`, `flows.scoring`, `flows.nhs.flows`) wire the stages
together; the `arvo` command line is `flows.cli`. The code that does the work is the
library package `arvo` (identity codes, periods, contract, definitions, ingest); the
stages not yet moved there (`flows.transform`, `flows.obligations`, `flows.report`,
`flows.demo`, `flows.nhs`) still live here until they are (docs/architecture.md).
"""

import arvo  # noqa: F401  (sets the no-analytics environment defaults first)
