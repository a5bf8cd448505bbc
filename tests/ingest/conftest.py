"""Small hand-written provider submissions in every accepted format."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from arvo import definitions
from arvo.config import REPO_ROOT, Settings
from arvo.ingest.submission import record_unrecognised
from arvo.ingest.workers import ingest_group
from tests.conftest import settings_at

PUBLIC = "2358253-3"   # sends csv_fi
PRIVATE = "3247652-1"  # sends csv_utf8
HOSPITAL = "1632707-5"  # sends parquet
CLIENTS = ["131052-308T", "010594Y9032", "020516C903K"]


def settings_for(tmp_path: Path) -> Settings:
    """A run under `tmp_path/var` whose providers' folders are in `tmp_path/raw`."""
    return settings_at(tmp_path / "var").model_copy(update={"raw_dir": tmp_path / "raw"})


def ingest(settings: Settings, defs, providers: list[str], months: list[str], key: bytes,
           today: dt.date) -> list:
    """The steering flow's ingest stages as library calls, one group of every provider
    (one validation over them all): an outcome per file, then what was not read."""
    unread = [o for p in providers for o in record_unrecognised(settings, p, max(months))]
    return ingest_group(settings, defs, {p: months for p in providers}, key, today) + unread


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture
def defs():
    return definitions.load(REPO_ROOT / "definitions")


@pytest.fixture
def today():
    return dt.date(2025, 6, 30)


@pytest.fixture
def submissions(tmp_path) -> Settings:
    """Three providers, one month each, formats csv_utf8, csv_fi (BOM) and parquet."""
    s = settings_for(tmp_path)
    a, b, c = CLIENTS
    write(s.raw_dir / PRIVATE / "2025-01" / "events.csv",
          "event_id,hetu,event_date,service_code,episode_id,diagnosis,cost_eur\n"
          f"E1,{a},2025-01-03,PC_VISIT,,E11.9,95.50\n"
          f"E2,{b},2025-01-04,MH_VISIT,EP1,F32,120\n"
          f"E3,131052-308U,2025-01-05,PC_VISIT,,,80\n"        # bad check character
          f"E4,{c},2025-01-05,BOGUS,,,80\n"                   # unknown service code
          f"E5,{a},2025-01-06,ER_VISIT,,,-5\n")               # negative cost
    write(s.raw_dir / PRIVATE / "2025-01" / "episodes.csv",
          "episode_id,hetu,package_code,start_date,end_date\n"
          f"EP1,{b},DEPRESSION,2025-01-04,\n")
    write(s.raw_dir / PRIVATE / "2025-01" / "proms.csv",
          "response_id,episode_id,hetu,instrument,timepoint,response_date,"
          + ",".join(f"q{i}" for i in range(1, 13)) + "\n"
          f"R1,EP1,{b},EQ5D5L,baseline,2025-01-04,2,1,3,2,4,55,,,,,,\n"
          f"R2,EP1,{b},PHQ9,baseline,2025-01-04,2,2,3,1,2,1,0,4,1,,,\n")  # q8 = 4 out of range
    write(s.raw_dir / PUBLIC / "2025-01" / "events.csv",
          "\ufeffevent_id;hetu;event_date;service_code;episode_id;diagnosis;cost_eur\n"
          f"1001;{a};3.1.2025;PC_NURSE;;I10;45,50\n"
          f"1002;{c};15.1.2025;HOME_CARE_VISIT;;;1 234,75\n")
    events = pd.DataFrame({
        "event_id": ["H-1", "H-2"], "hetu": [a, b],
        "event_date": [dt.date(2025, 1, 10), dt.date(2025, 1, 11)],
        "service_code": ["INPATIENT_DAY", "SURGERY"], "episode_id": [None, None],
        "diagnosis": ["I50.1", "M16"], "cost_eur": [950.0, 10400.0]})
    path = s.raw_dir / HOSPITAL / "2025-01" / "events.parquet"
    path.parent.mkdir(parents=True)
    events.to_parquet(path, index=False)
    return s
