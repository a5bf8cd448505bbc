"""The dbt stage's SQL replayed directly in DuckDB rebuilds the same warehouse
(arvo/bench/replay.py): the benchmark's comparison times the SQL dbt ran, not other SQL."""

from __future__ import annotations

import duckdb
import pytest

from arvo import transform
from arvo.bench.replay import replay
from tests.conftest import TEST_KEY, settings_at
from tests.dbt_project import tiny_lake


def _tables(path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(path), read_only=True) as con:
        names = [r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'main' "
            "and table_type = 'BASE TABLE' and table_name like 'mart_%'").fetchall()]
        return {n: sorted(con.execute(f'select * from "{n}"').fetchall(), key=repr)
                for n in names}


@pytest.mark.parametrize("builds", [1, 2], ids=["new marts", "marts built before"])
def test_replay_rebuilds_every_mart_as_dbt_built_it(tmp_path, monkeypatch, builds):
    """A first build creates the marts; a later one (the monthly run) takes the incremental
    path: dbt's temporary table of the period's rows, then delete and insert."""
    monkeypatch.setenv("ARVO_PSEUDONYM_KEY", TEST_KEY)
    settings = settings_at(tmp_path / "var")
    tiny_lake.write(settings.lake_dir)
    tiny_lake.write_quarantine(settings.quarantine_dir)
    for _ in range(builds):
        transform.build(settings, "2024-12")
    built = _tables(settings.warehouse)
    assert len(built) >= 20

    # the replay starts from the warehouse with the marts emptied: it must fill them again
    with duckdb.connect(str(settings.warehouse)) as con:
        for name in built:
            con.execute(f'delete from "{name}"')
    work = tmp_path / "replay"
    result = replay(transform.dbt_paths(settings)[0], settings.warehouse, work, keep=True)

    assert result.sql_nodes >= 150  # models and data tests
    assert result.dbt_only_nodes >= 3  # the seeds and the Python models
    assert result.sql_seconds > 0 and result.seconds >= result.sql_seconds
    replayed = _tables(work / settings.warehouse.name)
    for name, rows in built.items():  # the Python models' tables are kept, not replayed
        assert replayed[name] == rows, name


def test_replay_refuses_a_target_without_a_build(tmp_path):
    (tmp_path / "target").mkdir()
    with pytest.raises(FileNotFoundError):
        replay(tmp_path / "target", tmp_path / "arvo.duckdb", tmp_path / "work")
