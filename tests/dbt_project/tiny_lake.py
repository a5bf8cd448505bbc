"""A tiny hand-made lake with a known answer, for the dbt project's tests.

Written exactly as docs/architecture.md lays the lake out:
`<lake>/<entity>/provider_id=<id>/month=<YYYY-MM>/data.parquet`, with provider_id and
month only in the path. Every value the marts should produce for period 2024-12 is
worked out by hand in tests/dbt_project/test_build.py.

Clients (birth date and sex from a valid HETU, client_id its keyed pseudonym):

| client | born       | window costs (2024)               | expected segment 2024-12          |
| ------ | ---------- | --------------------------------- | --------------------------------- |
| A      | 1964-05-10 | 15,200, social + health, top cost | HNHC                              |
| H      | 1958-08-20 | 12,000, health only, 2nd cost     | SINGLE_CHRONIC (HNHC not all met) |
| B      | 1940-03-15 | 1,100, home care, 2 conditions    | FRAIL_ELDERLY (also MULTIMORBID)  |
| C      | 1970-11-30 | 700, F32 + F41                    | MULTIMORBID                       |
| D      | 1985-07-04 | 190 (an event re-sent: 120->130)  | SINGLE_CHRONIC (E11 twice)        |
| J      | 1990-12-31 | 500, F33                          | SINGLE_CHRONIC                    |
| E      | 2000-01-01 | 50 (+70 sent late in 2025-01)     | MOSTLY_HEALTHY                    |
| I      | 1950-01-10 | 400, home care, turns 75 in 2025  | MOSTLY_HEALTHY (2025-01: FRAIL)   |
| K      | 1995-06-15 | 80                                | MOSTLY_HEALTHY                    |
| L      | 1980-02-29 | 200                               | MOSTLY_HEALTHY                    |
| N      | 1960-04-04 | 400                               | MOSTLY_HEALTHY                    |
| M      | 1975-10-10 | only an event of 2023             | (not a client)                    |
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from arvo import contract, hetu
from arvo.ingest.lake import LAKE_SCHEMAS, QUARANTINE_SCHEMA, UNRECOGNISED_SCHEMA

KEY = b"arvo-dbt-test-key"

P1 = "2358253-3"  # Pohjolan hyvinvointialue, perusterveydenhuolto (public)
P2 = "1394810-8"  # Mielenterveyspalvelut Tyyni Oy (private)
P3 = "1202527-2"  # Pohjolan kotihoito (public)

PROM_ITEMS = list(contract.PROM_ITEMS)

# The lake's file schemas are the ingest's own (provider_id and month are in the path).
SCHEMAS: dict[str, pa.Schema] = {entity: LAKE_SCHEMAS[entity]
                                 for entity in ("events", "episodes", "proms", "ingest_log",
                                                "check_results")}

D = dt.date

BIRTH: dict[str, tuple[dt.date, int]] = {  # client -> (birth date, individual number)
    "A": (D(1964, 5, 10), 101), "H": (D(1958, 8, 20), 202), "B": (D(1940, 3, 15), 302),
    "C": (D(1970, 11, 30), 401), "D": (D(1985, 7, 4), 502), "J": (D(1990, 12, 31), 601),
    "E": (D(2000, 1, 1), 701), "I": (D(1950, 1, 10), 802), "K": (D(1995, 6, 15), 902),
    "L": (D(1980, 2, 29), 111), "N": (D(1960, 4, 4), 211), "M": (D(1975, 10, 10), 312),
}
HETU = {c: hetu.make(born, number) for c, (born, number) in BIRTH.items()}
CLIENT_ID = {c: hetu.pseudonymise(code, KEY) for c, code in HETU.items()}

# (provider, submission month, event_id, client, date, service, episode, diagnosis, cost)
EVENTS = [
    (P1, "2024-02", "E-A1", "A", D(2024, 2, 1), "PC_VISIT", None, "I10", 200.0),
    (P3, "2024-03", "E-A2", "A", D(2024, 3, 1), "HOME_CARE_VISIT", "EP-A1", None, 5000.0),
    (P1, "2024-04", "E-A3", "A", D(2024, 4, 1), "INPATIENT_DAY", None, "I10", 10000.0),
    (P1, "2024-05", "E-H1", "H", D(2024, 5, 5), "SURGERY", "EP-H1", "I21.4", 12000.0),
    (P3, "2024-06", "E-B1", "B", D(2024, 6, 1), "HOME_CARE_VISIT", "EP-B1", None, 800.0),
    (P1, "2024-06", "E-B2", "B", D(2024, 6, 10), "PC_VISIT", None, "I50.9", 150.0),
    (P1, "2024-07", "E-B3", "B", D(2024, 7, 10), "PC_VISIT", None, "E11", 150.0),
    (P2, "2024-01", "E-C1", "C", D(2024, 1, 15), "MH_VISIT", "EP-C1", "F32.1", 300.0),
    (P2, "2024-02", "E-C2", "C", D(2024, 2, 15), "MH_VISIT", "EP-C1", "F41.1", 300.0),
    (P1, "2024-03", "E-C3", "C", D(2024, 3, 1), "PC_VISIT", None, None, 100.0),
    # D's visit is sent in April and re-sent corrected in May: the May row wins
    (P1, "2024-04", "E-D1", "D", D(2024, 4, 4), "PC_VISIT", "EP-D1", "E11.9", 120.0),
    (P1, "2024-05", "E-D1", "D", D(2024, 4, 4), "PC_VISIT", "EP-D1", "E11.9", 130.0),
    (P1, "2024-05", "E-D2", "D", D(2024, 5, 4), "PC_NURSE", "EP-D1", "E11", 60.0),
    (P2, "2024-03", "E-J1", "J", D(2024, 3, 1), "MH_VISIT", "EP-J1", "F33.1", 250.0),
    (P2, "2024-09", "E-J2", "J", D(2024, 9, 1), "MH_VISIT", "EP-J1", "F33.1", 250.0),
    (P1, "2024-09", "E-E1", "E", D(2024, 9, 9), "PC_NURSE", None, "J06.9", 50.0),
    # sent late, in the 2025-01 folder: not in period 2024-12, in period 2025-01
    (P1, "2025-01", "E-E2", "E", D(2024, 12, 30), "PC_VISIT", None, None, 70.0),
    (P3, "2024-10", "E-I1", "I", D(2024, 10, 1), "HOME_CARE_VISIT", "EP-I1", None, 400.0),
    (P3, "2025-01", "E-I2", "I", D(2025, 1, 5), "HOME_CARE_VISIT", "EP-I1", None, 400.0),
    (P1, "2024-08", "E-K1", "K", D(2024, 8, 8), "PC_VISIT", "EP-K1", None, 80.0),
    (P2, "2024-06", "E-L1", "L", D(2024, 6, 6), "MH_VISIT", "EP-L1", None, 200.0),
    (P1, "2024-12", "E-N1", "N", D(2024, 12, 1), "ER_VISIT", None, None, 400.0),
    (P1, "2023-12", "E-M1", "M", D(2023, 12, 15), "PC_VISIT", None, "E11", 999.0),
]

# Home municipality sent on each client's events (Statistics Finland codes; E, K, L and N
# send none: 'unknown'). D's first event says 536 and its later one 837: the latest wins.
MUNICIPALITY = {"A": "837", "H": "837", "C": "837", "D": "837", "J": "837",
                "B": "536", "I": "536"}
MUNICIPALITY_BY_EVENT = {"E-D1": "536"}

# (provider, submission month, episode_id, client, package, start, end)
EPISODES = [
    (P2, "2024-01", "EP-C1", "C", "DEPRESSION", D(2024, 1, 15), None),
    (P2, "2024-08", "EP-C1", "C", "DEPRESSION", D(2024, 1, 15), D(2024, 7, 31)),  # re-sent
    (P2, "2024-03", "EP-J1", "J", "DEPRESSION", D(2024, 3, 1), None),
    (P2, "2024-06", "EP-L1", "L", "DEPRESSION", D(2024, 6, 6), None),
    (P1, "2024-02", "EP-K1", "K", "DEPRESSION", D(2024, 2, 1), None),
    (P1, "2024-05", "EP-H1", "H", "HIP_KNEE", D(2024, 5, 5), None),
    (P1, "2024-04", "EP-D1", "D", "T2_DIABETES", D(2024, 4, 4), None),
    (P3, "2024-03", "EP-A1", "A", "HOME_CARE", D(2024, 3, 1), None),
    (P3, "2024-06", "EP-B1", "B", "HOME_CARE", D(2024, 6, 1), None),
    (P3, "2024-10", "EP-I1", "I", "HOME_CARE", D(2024, 10, 1), None),
    # started in a later submission month: not in period 2024-12
    (P1, "2025-01", "EP-K2", "K", "T2_DIABETES", D(2025, 1, 10), None),
]

EQ, PHQ = "EQ5D5L", "PHQ9"


def _eq(state: str | None) -> list[int | None]:
    """q1-q12 of an EQ-5D-5L response from a state like '11224' ('.' = missing)."""
    dims = [None if ch == "." else int(ch) for ch in state]
    return [*dims, 70, *([None] * 6)]


def _phq(items: list[int | None]) -> list[int | None]:
    return [*items, None, None, None]


# (provider, month, response_id, episode, client, instrument, timepoint, date, q1..q12)
PROMS = [
    (P2, "2024-01", "R-C1-EQB", "EP-C1", "C", EQ, "baseline", D(2024, 1, 15), _eq("11224")),
    (P2, "2024-01", "R-C1-PHB", "EP-C1", "C", PHQ, "baseline", D(2024, 1, 16), _phq([2] * 9)),
    (P2, "2024-07", "R-C1-EQF", "EP-C1", "C", EQ, "followup_6m", D(2024, 7, 15),
     _eq("11112")),
    (P2, "2024-07", "R-C1-PHF", "EP-C1", "C", PHQ, "followup_6m", D(2024, 7, 15),
     _phq([1, 1, 1, 1, 1, 0, 0, 0, 0])),
    (P2, "2024-03", "R-J1-EQB", "EP-J1", "J", EQ, "baseline", D(2024, 3, 1), _eq("21323")),
    (P2, "2024-03", "R-J1-PHB", "EP-J1", "J", PHQ, "baseline", D(2024, 3, 1),
     _phq([3, 3, 2, 2, 2, 2, 1, 1, 1])),
    # two follow-ups in the window: the one nearest day 182 (2024-08-30) counts
    (P2, "2024-08", "R-J1-EQF0", "EP-J1", "J", EQ, "followup_6m", D(2024, 8, 1),
     _eq("55555")),
    (P2, "2024-09", "R-J1-EQF", "EP-J1", "J", EQ, "followup_6m", D(2024, 9, 1), _eq("11111")),
    # sent in September, re-sent corrected in October (one item missing): October wins
    (P2, "2024-09", "R-J1-PHF", "EP-J1", "J", PHQ, "followup_6m", D(2024, 9, 1),
     _phq([3] * 9)),
    (P2, "2024-10", "R-J1-PHF", "EP-J1", "J", PHQ, "followup_6m", D(2024, 9, 1),
     _phq([1, 1, 1, 1, 0, 0, 0, 1, None])),
    # L: EQ-5D only at baseline (PHQ-9 baseline missed); follow-up window still open
    (P2, "2024-06", "R-L1-EQB", "EP-L1", "L", EQ, "baseline", D(2024, 6, 6), _eq("11133")),
    (P2, "2024-12", "R-L1-EQF", "EP-L1", "L", EQ, "followup_6m", D(2024, 12, 10),
     _eq("11122")),
    (P2, "2024-12", "R-L1-PHF", "EP-L1", "L", PHQ, "followup_6m", D(2024, 12, 10),
     _phq([0] * 9)),
    (P1, "2024-02", "R-K1-EQB", "EP-K1", "K", EQ, "baseline", D(2024, 2, 1), _eq("22222")),
    (P1, "2024-02", "R-K1-PHB", "EP-K1", "K", PHQ, "baseline", D(2024, 2, 1),
     _phq([2, 1, 2, 1, 2, 1, 2, 1, None])),
    (P1, "2024-08", "R-K1-EQF", "EP-K1", "K", EQ, "followup_6m", D(2024, 8, 8), _eq("11121")),
    # two items missing: collected, but no score
    (P1, "2024-08", "R-K1-PHF", "EP-K1", "K", PHQ, "followup_6m", D(2024, 8, 8),
     _phq([1, 0, 1, 0, 1, 0, None, None, 0])),
    # two baselines: the one nearest the operation (day 0) counts
    (P1, "2024-04", "R-H1-EQB0", "EP-H1", "H", EQ, "baseline", D(2024, 4, 1), _eq("44444")),
    (P1, "2024-05", "R-H1-EQB", "EP-H1", "H", EQ, "baseline", D(2024, 5, 1), _eq("33433")),
    (P1, "2024-11", "R-H1-EQF", "EP-H1", "H", EQ, "followup_6m", D(2024, 11, 5),
     _eq("11111")),
    (P1, "2024-04", "R-D1-EQB", "EP-D1", "D", EQ, "baseline", D(2024, 4, 10), _eq("21111")),
    (P1, "2024-10", "R-D1-EQF", "EP-D1", "D", EQ, "followup_6m", D(2024, 10, 5),
     _eq("11111")),
    (P3, "2024-03", "R-A1-EQB", "EP-A1", "A", EQ, "baseline", D(2024, 3, 5), _eq("55555")),
    (P3, "2024-09", "R-A1-EQF", "EP-A1", "A", EQ, "followup_6m", D(2024, 9, 1),
     _eq("43242")),
    # a dimension missing: collected, but no index
    (P3, "2024-10", "R-I1-EQB", "EP-I1", "I", EQ, "baseline", D(2024, 10, 2), _eq("12.45")),
    (P1, "2025-01", "R-K2-EQB", "EP-K2", "K", EQ, "baseline", D(2025, 1, 12), _eq("11111")),
]

# Extra ingest-log rows beyond one "accepted" row per lake partition:
# (provider, month, entity, status, rows_in, rows_accepted, rows_quarantined, message)
LOG_OVERRIDES = {
    (P1, "2024-04", "events"): ("partial", 3, 2, 1,
                                "1 row quarantined: cost_eur -5 is below 0"),
}
LOG_EXTRA = [
    (P2, "2024-05", "proms", "rejected", 4, 0, 4, "file is not readable: no header row"),
]


def _client(c: str) -> dict[str, object]:
    born, number = BIRTH[c]
    return {"client_id": CLIENT_ID[c], "birth_date": born,
            "sex": "M" if number % 2 else "F"}


def _rows() -> dict[tuple[str, str, str], list[dict[str, object]]]:
    parts: dict[tuple[str, str, str], list[dict[str, object]]] = {}

    def add(entity: str, provider: str, month: str, row: dict[str, object]) -> None:
        rows = parts.setdefault((entity, provider, month), [])
        row.update(source_file=f"{entity}.csv", source_row=len(rows) + 1)
        rows.append(row)

    for p, m, eid, c, day, service, episode, diagnosis, cost in EVENTS:
        add("events", p, m, {"event_id": eid, **_client(c), "event_date": day,
                             "service_code": service, "episode_id": episode,
                             "diagnosis": diagnosis, "cost_eur": cost,
                             "municipality": MUNICIPALITY_BY_EVENT.get(
                                 eid, MUNICIPALITY.get(c))})
    for p, m, eid, c, package, start, end in EPISODES:
        add("episodes", p, m, {"episode_id": eid, **_client(c), "package_code": package,
                               "start_date": start, "end_date": end})
    for p, m, rid, eid, c, instrument, timepoint, day, items in PROMS:
        add("proms", p, m, {"response_id": rid, "episode_id": eid, **_client(c),
                            "instrument": instrument, "timepoint": timepoint,
                            "response_date": day, **dict(zip(PROM_ITEMS, items, strict=True))})
    return parts


def ingest_log_rows() -> list[tuple[str, str, str, str, int, int, int, str]]:
    """(provider, month, entity, status, rows_in, rows_accepted, rows_quarantined, message)."""
    out = []
    for (entity, p, m), rows in sorted(_rows().items()):
        n = len(rows)
        status, rows_in, accepted, quarantined, message = LOG_OVERRIDES.get(
            (p, m, entity), ("accepted", n, n, 0, ""))
        out.append((p, m, entity, status, rows_in, accepted, quarantined, message))
    return out + LOG_EXTRA


CHECK_RULE = {"events": "cost_in_range", "episodes": "episode_dates_ordered",
              "proms": "items_in_range"}


def check_result_rows() -> list[tuple[str, str, str, str, int, int, str]]:
    """(provider, month, entity, rule, rows_checked, rows_failed, status): one rule per
    file the ingest read, failed where it quarantined rows."""
    out = []
    for p, m, entity, status, rows_in, _, quarantined, _ in ingest_log_rows():
        if status in ("accepted", "partial"):
            out.append((p, m, entity, CHECK_RULE[entity], rows_in, quarantined,
                        "failed" if quarantined else "passed"))
    return out


# What the providers' folders hold that the ingest does not read (path, kind, message).
UNRECOGNISED = {
    P1: [("2024-13", "folder", "not a month: there is no month 13; month folders are named "
                               "YYYY-MM")],
    P2: [],
    P3: [],
}


# The rows the ingest log above says were quarantined, as the quarantine holds them:
# (provider, month, entity, source_file, source_row, record_id, rule, column_name, reason)
QUARANTINE = [
    (P1, "2024-04", "events", "events.csv", 3, "E-D0", "cost_in_range", "cost_eur",
     "events.csv row 3: cost_eur -5 is below 0"),
    *[(P2, "2024-05", "proms", "proms.csv", n, None, "file_readable", None,
       f"proms.csv row {n}: file is not readable: no header row") for n in range(1, 5)],
]


# Later, P1 re-sends 2024-04 correctly (its partition is replaced, the row is no longer
# quarantined) and one event of its 2025-01 file is quarantined.
QUARANTINE_LATER = [
    (P1, "2025-01", "events", "events.csv", 2, "E-X1", "hetu_valid", "hetu",
     "events.csv row 2: the check character of the identity code is wrong"),
]


def write_quarantine(quarantine: Path, rows: list[tuple] | None = None) -> Path:
    """Write the tiny quarantine (`rows`, default QUARANTINE) under `quarantine` (beside
    the lake) and return it."""
    parts: dict[tuple[str, str, str], list[dict[str, object]]] = {}
    for p, m, entity, source_file, row, record_id, rule, column, reason in (
            QUARANTINE if rows is None else rows):
        parts.setdefault((entity, p, m), []).append({
            "record_id": record_id, "source_file": source_file, "source_row": row,
            "rule": rule, "column_name": column, "reason": reason, "issues": reason,
            "row_values": '{"cost_eur": "-5"}', "file_sha256": "0" * 64})
    for (entity, p, m), rows in parts.items():
        folder = quarantine / entity / f"provider_id={p}" / f"month={m}"
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.Table.from_pylist(rows, schema=QUARANTINE_SCHEMA),
                       folder / "data.parquet")
    return quarantine


def write(lake: Path) -> Path:
    """Write the tiny lake under `lake` and return it."""
    def put(entity: str, provider: str, month: str, rows: list[dict[str, object]]) -> None:
        folder = lake / entity / f"provider_id={provider}" / f"month={month}"
        folder.mkdir(parents=True, exist_ok=True)
        schema = SCHEMAS[entity]
        money = {f.name for f in schema if pa.types.is_decimal(f.type)}  # exact euros
        table = pa.Table.from_pylist(
            [{k: Decimal(repr(r[k])) if k in money and r.get(k) is not None else r.get(k)
              for k in schema.names} for r in rows], schema=schema)
        pq.write_table(table, folder / "data.parquet")

    for (entity, p, m), rows in _rows().items():
        put(entity, p, m, rows)
    logs: dict[tuple[str, str], list[dict[str, object]]] = {}
    for p, m, entity, status, rows_in, accepted, quarantined, message in ingest_log_rows():
        logs.setdefault((p, m), []).append({
            "entity": entity, "source_file": f"{entity}.csv", "file_sha256": "0" * 64,
            "file_format": "csv", "rows_in": rows_in, "rows_accepted": accepted,
            "rows_quarantined": quarantined, "status": status, "message": message or None,
            "ingested_at": dt.datetime(2025, 2, 1, 12, 0)})
    for (p, m), rows in logs.items():
        put("ingest_log", p, m, rows)
    checks: dict[tuple[str, str], list[dict[str, object]]] = {}
    for p, m, entity, rule, rows_checked, rows_failed, status in check_result_rows():
        checks.setdefault((p, m), []).append({
            "entity": entity, "source_file": f"{entity}.csv", "rule": rule,
            "category": "plausibility", "subcategory": "value", "severity": "error",
            "threshold": 0.0, "rationale": "tiny lake", "rows_checked": rows_checked,
            "rows_failed": rows_failed, "status": status, "message": None})
    for (p, m), rows in checks.items():
        put("check_results", p, m, rows)
    for p, items in UNRECOGNISED.items():  # one table per provider, empty when all is read
        folder = lake / "unrecognised" / f"provider_id={p}"
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.Table.from_pylist(
            [{"path": path, "kind": kind, "message": message,
              "found_at": dt.datetime(2025, 2, 1, 12, 0)} for path, kind, message in items],
            schema=UNRECOGNISED_SCHEMA), folder / "data.parquet")
    return lake


# ------------------------------------------- folders written one at a time, as ingest does

FOLDERS_INGESTED = dt.datetime(2025, 4, 1, 12, 0)


def put_table(lake: Path, entity: str, provider: str, month: str,
              rows: list[dict] | None) -> None:
    """Write the file of one folder of `entity`; rows None removes it."""
    folder = lake / entity / f"provider_id={provider}" / f"month={month}"
    folder.mkdir(parents=True, exist_ok=True)
    if rows is None:
        (folder / "data.parquet").unlink(missing_ok=True)
    else:
        pq.write_table(pa.Table.from_pylist(rows, schema=LAKE_SCHEMAS[entity]),
                       folder / "data.parquet")


def put_folder(lake: Path, entity: str, provider: str, month: str, rows: list[dict] | None,
               version: str | None) -> None:
    """Write one folder of `entity` as ingest would, with its ingest log row (`version` as
    the file's sha256; None: no log row); rows None withdraws the folder."""
    put_table(lake, entity, provider, month, rows)
    log_folder = lake / "ingest_log" / f"provider_id={provider}" / f"month={month}"
    log_folder.mkdir(parents=True, exist_ok=True)
    log_path = log_folder / "data.parquet"
    others = [r for r in pq.read_table(log_path).to_pylist()
              if r["entity"] != entity] if log_path.is_file() else []
    n = len(rows or [])
    log = {"entity": entity, "source_file": f"{entity}.csv", "file_sha256": version,
           "file_format": "csv", "rows_in": n, "rows_accepted": n, "rows_quarantined": 0,
           "status": "withdrawn" if rows is None else "accepted", "message": None,
           "ingested_at": FOLDERS_INGESTED}
    logs = [*others, log] if version is not None else others
    pq.write_table(pa.Table.from_pylist(logs, schema=LAKE_SCHEMAS["ingest_log"]), log_path)


def reset_entity(lake: Path, entity: str) -> None:
    """Remove every folder of `entity` and its ingest log rows."""
    for path in (lake / entity).glob("*/*/data.parquet"):
        path.unlink()
    for path in (lake / "ingest_log").glob("*/*/data.parquet"):
        rows = [r for r in pq.read_table(path).to_pylist() if r["entity"] != entity]
        pq.write_table(pa.Table.from_pylist(rows, schema=LAKE_SCHEMAS["ingest_log"]), path)
