"""The lake staging tables kept folder by folder equal full builds of the same lake.

stg_lake__episodes, stg_lake__events, stg_lake__proms, stg_lake__ingest_logs and
stg_lake__check_results are tables that a build brings up to date by reading only the
lake's folders that are new or changed (macros/lake_folders.sql), found in the build's
one listing of the lake (stg_lake__files). Here a lake of random events, episodes, PROM
responses and check results goes through new months, a re-sent folder, a withdrawn one,
a file put in a folder by hand, a build with nothing changed, a view an earlier Arvo
left and a table of the folders' versions lost; after each step each table equals a full
build of the same lake, over several seeds, and the SQL read only the folders it had to.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from decimal import Decimal

import duckdb
import pytest

from arvo import transform
from arvo.config import REPO_ROOT
from arvo.periods import add_months
from tests.dbt_project import tiny_lake

DATA = ("episodes", "events", "proms")  # the entities whose folders the test writes
#: each kept table's lake entity: the ingest log's folders are written with the data's,
#: the check results' beside them
ENTITIES = {**{f"stg_lake__{e}": e for e in DATA},
            "stg_lake__ingest_logs": "ingest_log", "stg_lake__check_results": "check_results"}
MODELS = tuple(ENTITIES)
SELECT = " ".join(f"+{m}" for m in MODELS)
MONTHS = [add_months("2024-01", i) for i in range(6)]
PROVIDERS = (tiny_lake.P1, tiny_lake.P2, tiny_lake.P3)


def random_rows(entity: str, provider: str, month: str, rng: random.Random) -> list[dict]:
    """A folder's rows: a few events, episodes, responses or check results, some re-sent
    from earlier."""
    year, mon = map(int, month.split("-"))
    rows = []
    for n in range(1, rng.randint(2, 6) + 1):
        ident = f"{provider[:4]}-{rng.choice(MONTHS[:MONTHS.index(month) + 1])}-{n}"
        day = dt.date(year, mon, rng.randint(1, 28))
        client = tiny_lake._client(rng.choice("ABCDE"))
        if entity == "check_results":
            rows.append({"entity": rng.choice(DATA), "source_file": "events.csv",
                         "rule": f"rule_{n}", "category": "conformance",
                         "subcategory": "value", "severity": "error", "threshold": None,
                         "rationale": None, "rows_checked": rng.randint(1, 9),
                         "rows_failed": rng.randint(0, 1), "status": "passed",
                         "message": ident})
            continue
        if entity == "events":
            rows.append({**client, "event_id": ident, "event_date": day,
                         "service_code": "PC_VISIT", "diagnosis": "I10",
                         "cost_eur": Decimal(rng.randint(100, 99999)) / 100})
        elif entity == "episodes":
            rows.append({**client, "episode_id": ident, "package_code": "DEPRESSION",
                         "start_date": day, "end_date": day if rng.random() < 0.3 else None})
        else:
            rows.append({**client, "response_id": ident, "episode_id": ident,
                         "instrument": "PHQ9", "timepoint": "baseline", "response_date": day,
                         **{f"q{i}": rng.randint(0, 3) for i in range(1, 10)}})
        rows[-1].update(source_file=f"{entity}.csv", source_row=n)
    return rows


def table(settings, model: str) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        return sorted(con.execute(f"select * from {model}").fetchall(),
                      key=lambda r: tuple(str(v) for v in r))


def build(settings, period: str = "2024-12") -> None:
    transform.build(settings, period, select=SELECT, indirect_selection="buildable")


def drop_tables(settings) -> None:
    if settings.warehouse.is_file():
        with duckdb.connect(str(settings.warehouse)) as con:
            for model in MODELS:
                con.execute(f"drop table if exists {model}")


def full_build(settings) -> dict[str, list[tuple]]:
    drop_tables(settings)
    build(settings)
    return {model: table(settings, model) for model in MODELS}


def folders_read(settings, model: str) -> int | None:
    """How many folders the last build's SQL of `model` read (None: all of them)."""
    target = transform.dbt_paths(settings)[0]
    compiled = (target / "compiled" / "arvo" / "models" / "staging" / f"{model}.sql")
    sql = compiled.read_text("utf-8")
    # on DuckDB the folders' files alone are read, not the lake's every file
    files = re.search(r"read_parquet\(\[([^]]*)\]", sql)
    read = None if files is None else sorted(
        re.sub(r".*/provider_id=([^/]+)/month=([^/]+)/\*\.parquet'", r"\1/\2", f.strip())
        for f in files.group(1).split(","))
    if "1 = 0" in sql:
        # nothing to read: one folder's file gives the columns, not the lake's every one
        assert read is not None and len(read) == 1, sql
        return 0
    listed = re.search(r"\|\| cast\(source\.month as varchar\)\)? in \(([^)]*)\)", sql)
    if listed is None:
        assert files is None, sql
        return None
    pairs = sorted(p.strip().strip("'") for p in listed.group(1).split(","))
    assert read == pairs, sql
    return len(pairs)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_tables_kept_folder_by_folder_equal_full_builds(homes, seed):
    kept, full = homes
    lake = kept.lake_dir
    rng = random.Random(seed)
    for entity in ENTITIES.values():
        tiny_lake.reset_entity(lake, entity)
    drop_tables(kept)

    def put(month: str, version: str | None = f"v1-{seed}") -> None:
        for p in PROVIDERS:
            for entity in DATA:
                rows = random_rows(entity, p, month, rng)
                tiny_lake.put_folder(lake, entity, p, month, rows, version)
            put_checks(p, month)

    def put_checks(provider: str, month: str, rows: bool = True) -> None:
        tiny_lake.put_table(lake, "check_results", provider, month, random_rows(
            "check_results", provider, month, rng) if rows else None)

    def step(read: int | None, **other: int) -> None:
        """Build; each kept table read `read` folders, or as `other` says (by entity)."""
        build(kept)
        for model, entity in ENTITIES.items():
            assert folders_read(kept, model) == other.get(entity, read), (seed, model)
        expected = full_build(full)
        for model in MODELS:
            assert table(kept, model) == expected[model], (seed, model)

    for month in MONTHS[:4]:
        put(month)
    step(read=None)  # a first build reads every folder
    step(read=0)  # nothing changed: no row is read
    put(MONTHS[4])
    step(read=len(PROVIDERS))  # a new month: its folders only

    # a provider re-sends a folder, another withdraws one
    for entity in DATA:
        tiny_lake.put_folder(lake, entity, PROVIDERS[0], MONTHS[1],
                             random_rows(entity, PROVIDERS[0], MONTHS[1], rng), f"v2-{seed}")
        tiny_lake.put_folder(lake, entity, PROVIDERS[1], MONTHS[2], None, f"v1-{seed}")
    put_checks(PROVIDERS[0], MONTHS[1])
    put_checks(PROVIDERS[1], MONTHS[2], rows=False)
    # the re-sent folder is read; the withdrawn one's rows are deleted (its ingest log,
    # which says it was withdrawn, is read too)
    step(read=1, ingest_log=2)

    # a new month, and a file put in a folder by hand (no ingest log row, no check
    # results) is read too
    put(MONTHS[5])
    for entity in DATA:
        tiny_lake.put_folder(lake, entity, PROVIDERS[2], MONTHS[0],
                             random_rows(entity, PROVIDERS[2], MONTHS[0], rng), None)
    step(read=len(PROVIDERS) + 1, check_results=len(PROVIDERS))

    # a view an earlier Arvo left is replaced
    with duckdb.connect(str(kept.warehouse)) as con:
        for model in MODELS:
            con.execute(f"drop table {model}")
            con.execute(f"create view {model} as select 1 as provider_id")
    step(read=None)
    # the folders' versions lost (a table of an earlier Arvo, or dropped by hand): all
    # is read again
    with duckdb.connect(str(kept.warehouse)) as con:
        for model in MODELS:
            con.execute(f"drop table {model}__folders")
    step(read=None)


def test_every_kept_table_is_listed_by_the_builds_listing():
    # an entity kept as a table but not listed by stg_lake__files would find none of its
    # folders in the listing: arvo_lake_files refuses it; here the list is checked whole
    project = REPO_ROOT / "dbt_project"
    macros = (project / "macros" / "lake_folders.sql").read_text("utf-8")
    listed = re.search(r"macro arvo_kept_lake_entities\(\) %}\s*{{- return\(\[([^]]*)\]", macros)
    assert listed is not None
    kept = {m.group(1) for path in (project / "models").rglob("*.sql")
            for m in re.finditer(r"arvo_lake_rows_to_read\('([^']+)'", path.read_text("utf-8"))}
    assert kept == set(ENTITIES.values())
    assert {e.strip().strip("'") for e in listed.group(1).split(",")} == kept
