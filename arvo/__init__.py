"""Arvo's library: the code that does the work, split by concern.

`flows/` only wires these together as Prefect flows and the `arvo` command line.

- `arvo.hetu`, `arvo.ytunnus`: personal identity codes (check, keyed pseudonym) and
  business IDs; `arvo.redact`: what of a provider's content may be shown.
- `arvo.periods`: the `YYYY-MM` rule and month arithmetic, once.
- `arvo.config`: where a run reads and writes, and the pseudonymisation key.
- `arvo.contract`: the provider submission contract; `arvo.definitions`: the
  commissioner's definitions, validated on load.
- `arvo.ingest`: provider files to lake and quarantine, every row accounted for.
- `arvo.quality`: Great Expectations, one runner for the submission suites (at ingest)
  and the PROM obligation suite (on the compliance mart, results into the warehouse).
- `arvo.transform`: the dbt runner; `arvo.report`: the steering report and provider
  feedback; `arvo.scoring`: a provider's own PROM file scored with the dbt scoring
  model; `arvo.bench`: the benchmark harness.
- `arvo.demo`: the synthetic region with its planted truth; `arvo.nhs`: the NHS PROMs
  data pack as provider submissions, and the check against NHS's published figures.
"""

import os as _os

# No outside network on the county's machines: keep Prefect and Great Expectations from
# trying to send usage statistics (each attempt costs a failed DNS look-up and a log line).
_os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
_os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
