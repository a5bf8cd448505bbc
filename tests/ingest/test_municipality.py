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
    a, b, c = CLIENTS
    write(s.raw_dir / PRIVATE / "2025-01" / "events.csv",
          "event_id,hetu,event_date,service_code,episode_id,diagnosis,cost_eur,municipality\n"
          f"E1,{a},2025-01-03,PC_VISIT,,,95.50,837\n"
          f"E2,{b},2025-01-04,PC_VISIT,,,95.50,020\n"
          f"E3,{c},2025-01-05,PC_VISIT,,,95.50,\n"          # optional: may be empty
          f"E4,{a},2025-01-06,PC_VISIT,,,95.50,91\n"        # leading zero lost
          f"E5,{b},2025-01-07,PC_VISIT,,,95.50,Tampere\n")  # a name, not a code
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
