"""The optional home municipality of an event: kept as sent when it is a 3-digit
Statistics Finland code, the row quarantined when it is not, and files without the
column read as before (docs/submission-contract.md)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .conftest import CLIENTS, PRIVATE, ingest, settings_for, write


def _lake(root: Path, entity: str) -> pd.DataFrame:
    return pd.read_parquet(root / entity / f"provider_id={PRIVATE}")


def test_municipality_is_kept_or_quarantined(tmp_path, defs, today):
    s = settings_for(tmp_path)
    sent = {"E1": "837", "E2": "020",
            "E3": "",          # optional: may be empty
            "E4": "91",        # leading zero lost
            "E5": "Tampere"}   # a name, not a code
    write(s.raw_dir / PRIVATE / "2025-01" / "events.csv",
          "event_id,hetu,event_date,service_code,episode_id,diagnosis,cost_eur,municipality\n"
          + "".join(f"{event},{CLIENTS[i % 3]},2025-01-0{i + 3},PC_VISIT,,,95.50,{code}\n"
                    for i, (event, code) in enumerate(sent.items())))
    ingest(s, defs, [PRIVATE], ["2025-01"], b"k", today)
    lake = _lake(s.lake_dir, "events").set_index("event_id")
    assert sorted(lake.index) == ["E1", "E2", "E3"]
    assert (lake.loc["E1", "municipality"], lake.loc["E2", "municipality"]) == ("837", "020")
    assert pd.isna(lake.loc["E3", "municipality"])
    quarantine = _lake(s.quarantine_dir, "events").set_index("record_id")
    assert sorted(quarantine.index) == ["E4", "E5"]
    assert set(quarantine["rule"]) == {"municipality_code"}
    assert "is not a 3-digit municipality code" in quarantine.loc["E4", "reason"]


def test_a_file_without_municipality_reads_as_before(tmp_path, defs, today):
    s = settings_for(tmp_path)
    write(s.raw_dir / PRIVATE / "2025-01" / "events.csv",
          "event_id,hetu,event_date,service_code,episode_id,diagnosis,cost_eur\n"
          f"E1,{CLIENTS[0]},2025-01-03,PC_VISIT,,,95.50\n")
    ingest(s, defs, [PRIVATE], ["2025-01"], b"k", today)
    lake = _lake(s.lake_dir, "events")
    assert lake["event_id"].tolist() == ["E1"] and lake["municipality"].isna().all()
