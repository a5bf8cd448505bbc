"""The demo commissioner's record of its earlier steering meeting (arvo.meetings).

At the meeting of the first demo period the commissioner agreed two actions: with the
planted under-collecting provider, to make the baseline questionnaire part of the first
visit by the next period (left open: it is carried to the next agenda, now due), and
with the planted worse provider, to go through its care pathway (marked done).
"""

from __future__ import annotations

import csv
from pathlib import Path

from arvo.meetings import COLUMNS, FILE_NAME


def write_agreements(meetings_dir: Path, truth: dict, periods: list[str]) -> Path | None:
    """Write `<meetings_dir>/agreements.csv` for the demo; None when there is no earlier
    period to have met in."""
    if len(periods) < 2:
        return None
    first, due = periods[0], periods[1]
    roles = {f["kind"]: f["provider_id"] for f in truth["findings"]}
    rows = []
    if "prom_under_collection" in roles:
        rows.append([first, roles["prom_under_collection"], "PROM-keruu",
                     "Lähtötason kysely täytetään ensikäynnillä; seurantakyselyt lähetetään "
                     "tekstiviestillä", "palveluntuottajan vastuulääkäri", due, "open"])
    if "worse_outcomes" in roles:
        rows.append([first, roles["worse_outcomes"], "Hoitotulokset",
                     "Hoitoketju käydään läpi tilaajan asiantuntijan kanssa",
                     "tilaajan palvelupäällikkö", due, "done"])
    path = Path(meetings_dir) / FILE_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, delimiter=";")
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    return path
