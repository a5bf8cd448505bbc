"""arvo.lake_schemas: which lake entities have one schema in every file, each file's
schema remembered by size and modification time."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest

from arvo import lake_schemas
from tests.dbt_project import tiny_lake

ALL = ("events", "episodes", "proms", "ingest_log", "check_results")


@pytest.fixture
def lake(tmp_path):
    return tiny_lake.write(tmp_path / "lake")


def _files(lake, entity):
    return sorted((lake / entity).glob("provider_id=*/month=*/data.parquet"))


def _without(path, column):
    """Write the file again as one written before the contract added `column`."""
    pq.write_table(pq.read_table(path).drop_columns([column]), path)


def test_a_lake_the_ingest_wrote_is_uniform_in_every_entity(lake, tmp_path):
    assert len(_files(lake, "events")) > 1
    assert lake_schemas.uniform_entities(lake, tmp_path / "record.json") == ALL


def test_a_file_without_a_later_column_makes_its_entity_mixed(lake, tmp_path):
    _without(_files(lake, "events")[0], "municipality")
    uniform = lake_schemas.uniform_entities(lake, tmp_path / "record.json")
    assert uniform == tuple(e for e in ALL if e != "events")


def test_a_column_of_another_type_makes_its_entity_mixed(lake, tmp_path):
    path = _files(lake, "proms")[0]
    table = pq.read_table(path)
    i = table.schema.get_field_index("q1")
    pq.write_table(table.set_column(i, "q1", table["q1"].cast("int64")), path)
    assert "proms" not in lake_schemas.uniform_entities(lake, tmp_path / "record.json")


def test_an_entity_without_files_counts_as_uniform(tmp_path):
    assert lake_schemas.uniform_entities(tmp_path / "none", tmp_path / "record.json") == ALL


def test_only_new_or_changed_files_are_read_again(lake, tmp_path, monkeypatch):
    record = tmp_path / "dbt" / "record.json"
    lake_schemas.uniform_entities(lake, record)
    read = []
    real = lake_schemas._schema_digest
    monkeypatch.setattr(lake_schemas, "_schema_digest", lambda p: read.append(p) or real(p))
    assert lake_schemas.uniform_entities(lake, record) == ALL
    assert read == []
    changed = _files(lake, "episodes")[0]
    _without(changed, "end_date")
    assert "episodes" not in lake_schemas.uniform_entities(lake, record)
    assert read == [str(changed)]


def test_a_damaged_record_is_made_again_from_the_files(lake, tmp_path):
    record = tmp_path / "record.json"
    _without(_files(lake, "events")[0], "municipality")
    lake_schemas.uniform_entities(lake, record)
    record.write_text("{not json", "utf-8")
    assert "events" not in lake_schemas.uniform_entities(lake, record)
    assert record.read_text("utf-8").startswith("{\"")


def test_a_file_whose_footer_cannot_be_read_is_read_by_name(lake, tmp_path):
    # dbt then reads the entity by name and names the broken file in its error
    _files(lake, "check_results")[0].write_bytes(b"not parquet")
    uniform = lake_schemas.uniform_entities(lake, tmp_path / "record.json")
    assert "check_results" not in uniform and "events" in uniform


def test_a_removed_file_leaves_the_record(lake, tmp_path):
    record = tmp_path / "record.json"
    odd = _files(lake, "events")[0]
    _without(odd, "municipality")
    assert "events" not in lake_schemas.uniform_entities(lake, record)
    odd.unlink()
    assert "events" in lake_schemas.uniform_entities(lake, record)
    assert str(odd) not in record.read_text("utf-8")
