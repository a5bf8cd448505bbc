"""When the demo's submissions arrived: each file's modification time, set deterministically.

The ingest records a file's modification time as the time it was received
(`received_at`, arvo/deadlines.py), and a file received after the month's deadline is
late. A provider sends a month's files together: on a day before the deadline
(`submissions.due_day` of the following month, Helsinki time), except about one
provider-month in 25, planted late, which arrives 1 to 12 days after it. Which ones is
a hash of the provider and the month, not a draw of the region's random generator, so
the rest of the demo is the same as without arrival times (docs/demo.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from pathlib import Path

from arvo.deadlines import Submissions, epoch_seconds

LATE_ONE_IN = 25
"""About one provider-month in this many is planted late."""


def _hash(*parts: str) -> int:
    return int.from_bytes(hashlib.sha256("/".join(parts).encode()).digest()[:8], "big")


def is_planted_late(provider_id: str, month: str) -> bool:
    """Whether the demo's files of this provider-month arrive after the deadline."""
    return _hash(provider_id, month) % LATE_ONE_IN == 0


def arrival(provider_id: str, month: str, entity: str, rules: Submissions) -> dt.datetime:
    """When a demo file arrived (Helsinki wall-clock time)."""
    h = _hash(provider_id, month)
    due = rules.due_by(month)
    if is_planted_late(provider_id, month):
        day = due + dt.timedelta(days=1 + (h >> 8) % 12)
    elif rules.due_day > 1:  # on one of the days 1 .. due_day - 1
        day = due - dt.timedelta(days=1 + (h >> 8) % (rules.due_day - 1))
    else:
        day = due
    minute = {"events": 0, "episodes": 2, "proms": 4}.get(entity, 6)
    return dt.datetime.combine(day, dt.time(8 + (h >> 16) % 9, 10 + minute))


def stamp(paths: list[Path], raw_root: Path, rules: Submissions) -> int:
    """Set each file's modification time (`<raw_root>/<provider>/<month>/<entity>.*`) to
    its arrival; return how many files are late."""
    late = 0
    for path in paths:
        provider_id, month = path.relative_to(raw_root).parts[:2]
        when = arrival(provider_id, month, path.stem, rules)
        os.utime(path, (epoch_seconds(when), epoch_seconds(when)))
        late += is_planted_late(provider_id, month)
    return late
