"""Arvo: the value-based steering cycle of health and social care services.

The package holds the Prefect flows (`flows.steering`), the stages they wire
together (`flows.ingest`, `flows.transform`, `flows.report`), the demo region
generator (`flows.demo`) and the `arvo` command line (`flows.cli`).
"""

import os as _os

# No outside network on the county's machines: keep Prefect and Great Expectations from
# trying to send usage statistics (each attempt costs a failed DNS look-up and a log line).
_os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
_os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
