"""The reference layer of the warehouse: what a monthly steering build need not redo.

The seeds (EQ-5D value sets and crosswalk, `prom_measures`, score bands, PROMIS
T-scores: reference data shipped with the project) and the definitions' staging views
(`stg_definitions__*`, over the CSVs compiled from the commissioner's definitions) with
the data tests that read only them give the same tables and the same verdicts as long
as the project, the compiled definitions, the vars and dbt are the same; the period's
data never reaches them. A whole steering build (arvo.transform.build) therefore builds
and tests them once, records a fingerprint of all of that in the warehouse table
`arvo_reference_layer` (only when the build passed), and leaves them out of the next
builds while the fingerprint is unchanged and every relation it built is still there.
dbt's `--indirect-selection cautious` then keeps each test that also reads a model of
the period (e.g. `assert_prom_scores_within_measure_ranges`, relationships from the lake
to the definitions); docs/architecture.md, "Production builds".
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import duckdb

from arvo.config import Settings
from arvo.periods import county_now

SELECTOR = "resource_type:seed stg_definitions__*"
"""dbt's selection of the layer (what a build leaves out while it is current)."""
TABLE = "arvo_reference_layer"
"""The warehouse table of the fingerprint the layer was last built under."""

_PROJECT_FILES = {".sql", ".yml", ".yaml", ".csv", ".py"}
_NOT_PROJECT = {"target", "logs", "dbt_packages"}


def in_layer(resource_type: str, name: str) -> bool:
    """Whether a dbt node is of the layer (as SELECTOR selects it)."""
    return resource_type == "seed" or (resource_type == "model"
                                       and name.startswith("stg_definitions__"))


@dataclass(frozen=True)
class ReferenceLayer:
    """The layer a build would make under one fingerprint, and its record in a warehouse."""

    warehouse: Path
    fingerprint: str

    def current(self) -> bool:
        """True when the warehouse's layer was built under this fingerprint and every
        relation of it is still there."""
        if not self.warehouse.is_file():
            return False
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            present = {r[0] for r in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'main'").fetchall()}
            if TABLE not in present:
                return False
            row = con.execute(f"select fingerprint, relations from {TABLE}").fetchone()
        return (row is not None and row[0] == self.fingerprint
                and set(json.loads(row[1])) <= present)

    def record(self, built: tuple[tuple[str, str], ...]) -> None:
        """Record that a build which passed made the layer's nodes among `built`
        ((resource type, name)) under this fingerprint."""
        relations = sorted(name for kind, name in built if in_layer(kind, name))
        with duckdb.connect(str(self.warehouse)) as con:
            con.execute(f"create table if not exists {TABLE} (fingerprint varchar not null, "
                        "relations varchar not null, built_at timestamp not null)")
            con.begin()
            con.execute(f"delete from {TABLE}")
            con.execute(f"insert into {TABLE} values (?, ?, ?)",
                        [self.fingerprint, json.dumps(relations),
                         county_now().replace(tzinfo=None, microsecond=0)])
            con.commit()


def forget(warehouse: Path) -> None:
    """Drop the warehouse's record of the layer: a build that makes the layer's relations
    anew (any build that does not leave them out) may leave them other than recorded,
    until it passes and records them."""
    if Path(warehouse).is_file():
        with duckdb.connect(str(warehouse)) as con:
            con.execute(f"drop table if exists {TABLE}")


def of(settings: Settings, dbt_vars: dict[str, object]) -> ReferenceLayer:
    """The layer of `settings`' project and compiled definitions under these vars (pass
    every var of the build but the period: the definitions version and the folders)."""
    digest = hashlib.sha256()
    project = Path(settings.dbt_project_dir)
    for path in sorted(project.rglob("*")):
        relative = path.relative_to(project)
        if (path.is_file() and path.suffix in _PROJECT_FILES
                and relative.parts[0] not in _NOT_PROJECT):
            _add(digest, f"project/{relative.as_posix()}", path.read_bytes())
    compiled = Path(settings.compiled_definitions_dir)
    for path in sorted(compiled.rglob("*")) if compiled.is_dir() else []:
        if path.is_file():
            _add(digest, f"definitions/{path.relative_to(compiled).as_posix()}",
                 path.read_bytes())
    _add(digest, "vars", json.dumps(dbt_vars, sort_keys=True, default=str).encode())
    _add(digest, "dbt", f"{version('dbt-core')} {version('dbt-duckdb')}".encode())
    return ReferenceLayer(Path(settings.warehouse), digest.hexdigest())


def _add(digest, name: str, data: bytes) -> None:
    digest.update(f"{name}\0{len(data)}\0".encode())
    digest.update(data)
