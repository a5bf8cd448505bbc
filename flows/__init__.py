"""Arvo's orchestration: Prefect flows and the `arvo` command line.

The flows (`flows.steering`, `flows.scoring`, `flows.nhs.flows`) wire the stages
together; the `arvo` command line is `flows.cli`. The code that does the work is the
library package `arvo` (docs/architecture.md).
"""

import arvo  # noqa: F401  (sets the no-analytics environment defaults first)
