"""dbt's cost over its own SQL: replay a build's compiled SQL directly in DuckDB.

After `arvo steer`, dbt has left the SQL it ran under `<home>/dbt/target/run/`, what it
ran, in order, with each node's time, in `run_results.json` (written by arvo.transform)
and the parsed project in `manifest.json`. `replay` copies the
warehouse and runs the same statements on the copy in one DuckDB connection, one after
the other, in the order dbt started them:

- a model: its `create table|view <name>__dbt_tmp as (...)` (or a contract's create
  and insert), then the swap dbt makes (drop the old relation, rename the new one); an
  incremental model that exists already: its compiled SQL into the temporary table dbt
  names in the run file, then the run file's delete and insert;
- a data test: its `select count(*) as failures ...`;
- a seed, a Python model and an operation have no SQL to replay: their time is dbt's
  own execution time of the node, counted the same on both sides;
- opening the copy and closing it (DuckDB's checkpoint), as the dbt stage opens the
  warehouse and closes it.

The ratio `dbt stage / replay` is dbt's overhead: parsing the project, compiling each
node (Jinja), its bookkeeping, and the adapter's round trips
(docs/operations.md#benchmark).
"""

from __future__ import annotations

import json
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from arvo.transform import RUN_RESULTS

_CREATE = re.compile(r'create\s+(?:or\s+replace\s+)?(?:temporary\s+)?(table|view)\s+'
                     r'((?:"[^"]+"\.)*"([^"]+)")', re.IGNORECASE)
_TMP = "__dbt_tmp"
_INCREMENT = re.compile(r'"([^"]+__dbt_tmp\d+)"')


@dataclass(frozen=True)
class Replay:
    """Seconds of the direct replay, split by what was replayed and what was not."""

    sql_seconds: float  # models and data tests run as SQL here
    sql_nodes: int
    dbt_only_seconds: float  # seeds, Python models, operations: dbt's own node time
    dbt_only_nodes: int

    @property
    def seconds(self) -> float:
        return round(self.sql_seconds + self.dbt_only_seconds, 2)


def _run_files(target: Path, manifest: dict) -> dict[str, tuple[Path, Path]]:
    """unique_id -> its SQL under target/run and under target/compiled, for the nodes that
    have one."""
    out = {}
    for uid, node in manifest["nodes"].items():
        if node["resource_type"] not in ("model", "test") or node.get("language") == "python":
            continue
        rel = Path(node["package_name"]) / node["original_file_path"]
        if node["resource_type"] == "test":
            rel = rel / node["path"]
        if (target / "run" / rel).is_file():
            out[uid] = (target / "run" / rel, target / "compiled" / rel)
    return out


def _drop(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Drop the table or view `name` of the main schema if it exists."""
    found = con.execute("select table_type from information_schema.tables "
                        "where table_schema = 'main' and table_name = ?", [name]).fetchone()
    if found:
        con.execute(f'drop {"view" if found[0] == "VIEW" else "table"} "{name}"')


def _run_model(con: duckdb.DuckDBPyConnection, sql: str, compiled: Path) -> None:
    """Run a model's SQL as dbt does: into `<name>__dbt_tmp`, then swapped in; a model with
    an enforced contract creates and fills `<name>` itself, after the old one is dropped;
    an increment is built into dbt's temporary table, then deleted and inserted."""
    found = _CREATE.search(sql)
    if found is None:
        increment = _INCREMENT.search(sql)
        if increment is not None:
            con.execute(f'create or replace temporary table "{increment.group(1)}" as '
                        f"({compiled.read_text()})")
        con.execute(sql)
        return
    kind, relation, name = found.group(1).lower(), found.group(2), found.group(3)
    if not name.endswith(_TMP):
        _drop(con, name)
        con.execute(sql)
        return
    con.execute(sql)
    _drop(con, name.removesuffix(_TMP))
    con.execute(f'alter {kind} {relation} rename to "{name.removesuffix(_TMP)}"')


def replay(target: Path, warehouse: Path, work: Path, keep: bool = False) -> Replay:
    """Replay the last dbt invocation under `target` on a copy of `warehouse` in `work`
    (the copy is deleted afterwards unless `keep`)."""
    results = json.loads((target / RUN_RESULTS).read_text())["results"]
    manifest = json.loads((target / "manifest.json").read_text())
    files = _run_files(target, manifest)
    work.mkdir(parents=True, exist_ok=True)
    copy = work / warehouse.name  # same file name: the SQL names the catalog after it
    shutil.copyfile(warehouse, copy)

    def started(r: dict) -> str:
        return next((t["started_at"] for t in r["timing"] if t["name"] == "execute"), "")

    sql_seconds = dbt_only = 0.0
    sql_nodes = dbt_nodes = 0
    try:
        # opening the file and closing it count, as they do in the dbt stage: DuckDB
        # writes its checkpoint when the last connection closes
        begin = time.perf_counter()
        con = duckdb.connect(str(copy))
        # as the build's on-run-start sets it (macro arvo_file_metadata_cached)
        con.execute("set global parquet_metadata_cache = true")
        sql_seconds += time.perf_counter() - begin
        try:
            for r in sorted(results, key=started):
                paths = files.get(r["unique_id"])
                if paths is None:
                    dbt_only += r["execution_time"]
                    dbt_nodes += 1
                    continue
                sql = paths[0].read_text()
                begin = time.perf_counter()
                if r["unique_id"].startswith("test."):
                    con.execute(sql).fetchall()
                else:
                    _run_model(con, sql, paths[1])
                sql_seconds += time.perf_counter() - begin
                sql_nodes += 1
        finally:
            begin = time.perf_counter()
            con.close()
            sql_seconds += time.perf_counter() - begin
    finally:
        if not keep:
            copy.unlink(missing_ok=True)
    return Replay(round(sql_seconds, 2), sql_nodes, round(dbt_only, 2), dbt_nodes)
