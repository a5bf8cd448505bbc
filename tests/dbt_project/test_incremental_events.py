"""int_events_windowed, built incrementally, equals a full build of the same lake.

The table a run leaves is brought to the next period by re-reading only the events of
the folders changed since (models/intermediate/segmentation/int_events_windowed.sql).
Here a lake of random events with random corrections (re-sent events with new costs
and dates, some dated before the window) goes through new months, a re-sent folder, a
withdrawn folder and an earlier period; after each step the incrementally kept table is
compared with a full build of the same lake, over several seeds.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from arvo import transform
from arvo.periods import add_months
from tests.dbt_project import tiny_lake

MODEL = "int_events_windowed"
SELECT = f"+{MODEL}"
MONTHS = [add_months("2024-01", i) for i in range(15)]  # 2024-01 .. 2025-03
PROVIDERS = (tiny_lake.P1, tiny_lake.P2, tiny_lake.P3)
SERVICES = ("PC_VISIT", "MH_VISIT", "HOME_CARE_VISIT")
CLIENTS = ("A", "B", "C", "D")


def _day(month: str, rng: random.Random) -> dt.date:
    year, mon = map(int, month.split("-"))
    return dt.date(year, mon, rng.randint(1, 28))


def random_folders(seed: int) -> dict[tuple[str, str], list[dict]]:
    """Per (provider, month) folder its events: new ones, and re-sent versions of earlier
    ones with a new cost and, now and then, a new date (up to the folder's month, some
    before it and before the window)."""
    rng = random.Random(seed)
    folders: dict[tuple[str, str], list[dict]] = {}
    first_sent: dict[str, dict[str, str]] = {p: {} for p in PROVIDERS}  # event -> month
    for month in MONTHS:
        for p in PROVIDERS:
            earlier = list(first_sent[p])
            rows = []
            for i in range(rng.randint(3, 8)):
                event_id = f"{p[:4]}-{month}-{i}"
                rows.append({"event_id": event_id, "event_date": _day(month, rng)})
                first_sent[p][event_id] = month
            for event_id in rng.sample(earlier, k=min(2, len(earlier))):
                moved = rng.choice([m for m in MONTHS if m <= month]) \
                    if rng.random() < 0.3 else first_sent[p][event_id]
                rows.append({"event_id": event_id, "event_date": _day(moved, rng)})
            folders[(p, month)] = [_event(row, rng, n) for n, row in enumerate(rows, start=1)]
    return folders


def _event(row: dict, rng: random.Random, source_row: int) -> dict:
    return {**row, **tiny_lake._client(rng.choice(CLIENTS)),
            "service_code": rng.choice(SERVICES), "episode_id": None, "diagnosis": "I10",
            "cost_eur": Decimal(rng.randint(100, 99999)) / 100, "municipality": None,
            "source_file": "events.csv", "source_row": source_row}


def drop_table(settings) -> None:
    if settings.warehouse.is_file():
        with duckdb.connect(str(settings.warehouse)) as con:
            con.execute(f"drop table if exists {MODEL}")


def table(settings, with_mark: bool = False) -> list[tuple]:
    """The model's rows, sorted; `with_mark`: the municipality column last (see mark)."""
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        columns = "*, municipality" if with_mark else "*"
        return sorted(con.execute(f"select {columns} from {MODEL}").fetchall(),
                      key=lambda r: tuple(str(v) for v in r))


def mark(settings, on: str) -> None:
    """Write 'mark' into the municipality of every row (none is sent here), or clear it."""
    with duckdb.connect(str(settings.warehouse)) as con:
        con.execute(f"update {MODEL} set municipality = case when {on} then 'mark' end")


def full_build(settings, period: str) -> list[tuple]:
    """The table as a first build of `period` makes it (the previous one dropped)."""
    drop_table(settings)
    transform.build(settings, period, select=SELECT, indirect_selection="buildable")
    return table(settings)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_incremental_builds_equal_full_builds(homes, seed):
    incremental, full = homes
    lake = incremental.lake_dir
    tiny_lake.reset_entity(lake, "events")
    drop_table(incremental)
    folders = random_folders(seed)
    for (p, month), rows in folders.items():
        if month <= "2024-12":
            tiny_lake.put_folder(lake, "events", p, month, rows, f"v1-{seed}")

    def step(period: str) -> None:
        transform.build(incremental, period, select=SELECT, indirect_selection="buildable")
        assert table(incremental) == full_build(full, period), (seed, period)

    step("2024-12")  # a first build: the full SQL
    for p in PROVIDERS:
        tiny_lake.put_folder(lake, "events", p, "2025-01", folders[(p, "2025-01")], f"v1-{seed}")
    step("2025-01")  # the window moves by a month and a new month arrives
    target = transform.dbt_paths(incremental)[0]
    model = Path("arvo", "models", "intermediate", "segmentation", f"{MODEL}.sql")
    compiled = (target / "compiled" / model).read_text("utf-8")
    assert "changed_events" in compiled and "as planned (provider_id" in compiled
    assert "where event_date is not null" in (target / "run" / model).read_text("utf-8")

    # a run with nothing changed rewrites only the events of folders that hold no row
    # of the table (all their events superseded, or dated before the window), which it
    # cannot tell from changed ones: a mark put on every row survives on the others
    mark(incremental, "true")
    held = {(r[0], r[11]) for r in table(incremental)}  # provider_id, submission_month
    unheld = {(p, r["event_id"]) for (p, month), rows in folders.items()
              if "2024-02" <= month <= "2025-01" and (p, month) not in held for r in rows}
    transform.build(incremental, "2025-01", select=SELECT, indirect_selection="buildable")
    rows = table(incremental, with_mark=True)
    rewritten = {r[:2] for r in rows if r[-1] is None}
    assert rewritten <= unheld and len(rewritten) < len(rows) / 4
    mark(incremental, "false")

    # a provider re-sends a folder (a row dropped, costs changed), another withdraws one
    p, month = PROVIDERS[0], "2024-06"
    resent = [{**r, "cost_eur": r["cost_eur"] + 1} for r in folders[(p, month)][1:]]
    tiny_lake.put_folder(lake, "events", p, month, resent, f"v2-{seed}")
    tiny_lake.put_folder(lake, "events", PROVIDERS[1], "2024-09", None, f"v1-{seed}")
    step("2025-01")
    for p in PROVIDERS:
        tiny_lake.put_folder(lake, "events", p, "2025-02", folders[(p, "2025-02")], f"v1-{seed}")
    step("2025-02")
    step("2024-11")  # an earlier period: the window reaches back, all is looked at again
    step("2025-02")
    # a table an earlier Arvo built, without lake_version: its first run reads it all
    with duckdb.connect(str(incremental.warehouse)) as con:
        con.execute(f"alter table {MODEL} drop column lake_version")
    step("2025-02")
