"""Which months changed since ingest (arvo.ingest.changes): the stat shortcut and its
fallback to hashing."""

import os

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from arvo.ingest import changes, lake
from arvo.ingest.changes import is_unchanged

from .conftest import PRIVATE, ingest

MONTH = "2025-01"


@pytest.fixture()
def ingested(submissions, defs, today):
    ingest(submissions, defs, [PRIVATE], [MONTH], b"k", today)
    return submissions


def _never_hash(path):
    raise AssertionError(f"{path} was hashed")


def test_the_log_keeps_size_and_mtime_of_each_file_read(ingested):
    log = lake.read_partition(ingested.lake_dir, "ingest_log", PRIVATE, MONTH)
    folder = ingested.raw_dir / PRIVATE / MONTH
    assert len(log) >= 3  # events, episodes and proms
    for row in log.to_dict("records"):
        stat = (folder / row["source_file"]).stat()
        assert (row["file_bytes"], row["file_mtime_ns"]) == (stat.st_size, stat.st_mtime_ns)


def test_unchanged_files_are_not_read_again(ingested, monkeypatch):
    monkeypatch.setattr(changes, "sha256_of", _never_hash)
    assert is_unchanged(ingested, PRIVATE, MONTH)


def test_a_touched_file_is_hashed_and_found_the_same(ingested, monkeypatch):
    path = ingested.raw_dir / PRIVATE / MONTH / "events.csv"
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    hashed = []
    real = changes.sha256_of
    monkeypatch.setattr(changes, "sha256_of", lambda p: hashed.append(p.name) or real(p))
    assert is_unchanged(ingested, PRIVATE, MONTH)
    assert hashed == ["events.csv"]


def test_a_rewritten_file_is_a_change(ingested):
    path = ingested.raw_dir / PRIVATE / MONTH / "events.csv"
    path.write_bytes(path.read_bytes().replace(b"PC_VISIT", b"PC_NURSE", 1))
    assert not is_unchanged(ingested, PRIVATE, MONTH)


def test_a_log_written_before_sizes_were_kept_falls_back_to_hashes(ingested):
    folder = lake.partition(ingested.lake_dir, "ingest_log", PRIVATE, MONTH)
    table = pq.read_table(folder / "data.parquet")
    pq.write_table(table.drop_columns(["file_bytes", "file_mtime_ns"]), folder / "data.parquet")
    assert is_unchanged(ingested, PRIVATE, MONTH)
    path = ingested.raw_dir / PRIVATE / MONTH / "events.csv"
    path.write_bytes(path.read_bytes() + b"\n")
    assert not is_unchanged(ingested, PRIVATE, MONTH)


def test_the_months_of_a_provider_are_compared_with_one_read_of_its_log(ingested, defs, today,
                                                                       monkeypatch):
    later = ingested.raw_dir / PRIVATE / "2025-02"
    later.mkdir()
    for path in (ingested.raw_dir / PRIVATE / MONTH).iterdir():
        (later / path.name).write_bytes(path.read_bytes().replace(b"2025-01-", b"2025-02-"))
    ingest(ingested, defs, [PRIVATE], ["2025-02"], b"k", today)
    monkeypatch.setattr(lake, "read_partition", lambda *a: pytest.fail("read per month"))
    assert changes.changed_months(ingested, PRIVATE, [MONTH, "2025-02", "2025-03"]) \
        == ["2025-03"]  # never ingested
    (later / "proms.csv").unlink()  # a file fewer than the log records
    assert changes.changed_months(ingested, PRIVATE, [MONTH, "2025-02"]) == ["2025-02"]


# The index of the log (changes.INDEX): the rows planning reads, kept per provider with the
# size and mtime of the partition each came from.

def _settle(settings, *months):
    """Date the log partitions of `months` an hour back: well before any index written
    now (an entry of the index's own clock tick is read again, as it should)."""
    for month in months:
        path = lake.partition(settings.lake_dir, "ingest_log", PRIVATE, month) / "data.parquet"
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns - 3600 * 10**9))


def _index(settings):
    return settings.lake_dir / "ingest_log" / f"provider_id={PRIVATE}" / changes.INDEX


def _reads(monkeypatch) -> list[list[str]]:
    """The months each read of the log's partitions asked for."""
    reads, real = [], lake.read_provider_partitions

    def counted(root, entity, provider_id, months=None):
        reads.append(sorted(months) if months is not None else ["all"])
        return real(root, entity, provider_id, months)
    monkeypatch.setattr(lake, "read_provider_partitions", counted)
    return reads


def _second_month(settings, defs, today):
    later = settings.raw_dir / PRIVATE / "2025-02"
    later.mkdir()
    for path in (settings.raw_dir / PRIVATE / MONTH).iterdir():
        (later / path.name).write_bytes(path.read_bytes().replace(b"2025-01-", b"2025-02-"))
    ingest(settings, defs, [PRIVATE], ["2025-02"], b"k", today)
    return later


def test_planning_reads_only_the_partitions_written_since_the_index(ingested, defs, today,
                                                                     monkeypatch):
    _settle(ingested, MONTH)
    months = [MONTH, "2025-02"]
    assert changes.changed_months(ingested, PRIVATE, months) == ["2025-02"]
    assert {r["month"] for r in pq.read_table(_index(ingested)).to_pylist()} == {MONTH}
    reads = _reads(monkeypatch)
    assert changes.changed_months(ingested, PRIVATE, months) == ["2025-02"]
    assert reads == []  # every partition from the index
    _second_month(ingested, defs, today)  # a new partition
    _settle(ingested, "2025-02")
    assert changes.changed_months(ingested, PRIVATE, months) == []
    assert reads == [["2025-02"]]
    assert {r["month"] for r in pq.read_table(_index(ingested)).to_pylist()} == {MONTH, "2025-02"}
    assert changes.changed_months(ingested, PRIVATE, months) == []
    assert reads == [["2025-02"]]


def test_a_partition_rewritten_since_the_index_is_read_again(ingested, defs, today,
                                                            monkeypatch):
    _settle(ingested, MONTH)
    assert changes.changed_months(ingested, PRIVATE, [MONTH]) == []  # indexed
    path = ingested.raw_dir / PRIVATE / MONTH / "events.csv"
    path.write_bytes(path.read_bytes().replace(b"PC_VISIT", b"PC_NURSE", 1))
    assert changes.changed_months(ingested, PRIVATE, [MONTH]) == [MONTH]
    ingest(ingested, defs, [PRIVATE], [MONTH], b"k", today)  # the log's partition replaced
    reads = _reads(monkeypatch)
    assert changes.changed_months(ingested, PRIVATE, [MONTH]) == []  # not the old hash
    assert reads == [[MONTH]]


def test_a_partition_of_the_index_own_clock_tick_is_read_again(ingested, monkeypatch):
    """Written in the tick the index was, then rewritten in that tick to the same size:
    its size and mtime are those indexed, yet it must be read again."""
    part = lake.partition(ingested.lake_dir, "ingest_log", PRIVATE, MONTH) / "data.parquet"
    table = pq.read_table(part)
    pq.write_table(table, part, compression="none")  # as rewritten below, but for the names
    _settle(ingested, MONTH)
    tick = part.stat().st_mtime_ns
    assert changes.changed_months(ingested, PRIVATE, [MONTH]) == []
    os.utime(_index(ingested), ns=(tick, tick))  # the index written in the same tick
    names = [n.replace("events", "eventz") for n in table.column("source_file").to_pylist()]
    size = part.stat().st_size
    pq.write_table(table.set_column(table.schema.get_field_index("source_file"),
                                    "source_file", pa.array(names)), part, compression="none")
    os.utime(part, ns=(tick, tick))
    assert part.stat().st_size == size  # the same size and mtime as indexed
    reads = _reads(monkeypatch)
    assert changes.changed_months(ingested, PRIVATE, [MONTH]) == [MONTH]  # names differ now
    assert reads == [[MONTH]]


def test_a_lost_or_broken_index_is_rebuilt_from_the_partitions(ingested, monkeypatch):
    _settle(ingested, MONTH)
    assert changes.changed_months(ingested, PRIVATE, [MONTH]) == []
    index = _index(ingested)
    rows = pq.read_table(index).to_pylist()
    reads = _reads(monkeypatch)
    index.write_bytes(b"not parquet")
    assert changes.changed_months(ingested, PRIVATE, [MONTH]) == []
    assert pq.read_table(index).to_pylist() == rows
    index.unlink()
    assert changes.changed_months(ingested, PRIVATE, [MONTH, "2025-02"]) == ["2025-02"]
    assert pq.read_table(index).to_pylist() == rows
    assert reads == [[MONTH], [MONTH]]


def test_a_withdrawn_month_leaves_the_index(ingested):
    _settle(ingested, MONTH)
    assert changes.changed_months(ingested, PRIVATE, [MONTH]) == []
    lake.drop_partition(ingested.lake_dir, "ingest_log", PRIVATE, MONTH)
    assert changes.changed_months(ingested, PRIVATE, [MONTH]) == [MONTH]
    assert pq.read_table(_index(ingested)).num_rows == 0


def test_after_an_ingest_the_logs_are_indexed_for_the_next_plan(ingested, defs, today,
                                                               monkeypatch):
    _settle(ingested, MONTH)
    assert not _index(ingested).exists()
    changes.index_logs(ingested.lake_dir, [PRIVATE])  # what the ingest flow does last
    assert {r["month"] for r in pq.read_table(_index(ingested)).to_pylist()} == {MONTH}
    _second_month(ingested, defs, today)
    _settle(ingested, "2025-02")
    changes.index_logs(ingested.lake_dir, [PRIVATE])
    reads = _reads(monkeypatch)
    assert changes.changed_months(ingested, PRIVATE, [MONTH, "2025-02"]) == []
    assert reads == []
