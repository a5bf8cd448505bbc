"""Which months changed since ingest (arvo.ingest.changes): the stat shortcut and its
fallback to hashing."""

import os

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
    """Date the log partitions of `months` an hour back: older than RACY_NS, so indexed."""
    for month in months:
        path = lake.partition(settings.lake_dir, "ingest_log", PRIVATE, month) / "data.parquet"
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns - 3600 * 10**9))


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
    index = ingested.lake_dir / "ingest_log" / f"provider_id={PRIVATE}" / changes.INDEX
    assert {r["month"] for r in pq.read_table(index).to_pylist()} == {MONTH}
    reads = _reads(monkeypatch)
    assert changes.changed_months(ingested, PRIVATE, months) == ["2025-02"]
    assert reads == []  # every partition from the index
    _second_month(ingested, defs, today)  # a new partition, too fresh to be indexed
    assert changes.changed_months(ingested, PRIVATE, months) == []
    assert {r["month"] for r in pq.read_table(index).to_pylist()} == {MONTH}
    _settle(ingested, "2025-02")
    assert changes.changed_months(ingested, PRIVATE, months) == []
    assert reads == [["2025-02"], ["2025-02"]]
    assert {r["month"] for r in pq.read_table(index).to_pylist()} == {MONTH, "2025-02"}
    assert changes.changed_months(ingested, PRIVATE, months) == []
    assert len(reads) == 2


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


def test_a_lost_or_broken_index_is_rebuilt_from_the_partitions(ingested, monkeypatch):
    _settle(ingested, MONTH)
    assert changes.changed_months(ingested, PRIVATE, [MONTH]) == []
    index = ingested.lake_dir / "ingest_log" / f"provider_id={PRIVATE}" / changes.INDEX
    rows = pq.read_table(index).to_pylist()
    reads = _reads(monkeypatch)
    index.write_bytes(b"not parquet")
    assert changes.changed_months(ingested, PRIVATE, [MONTH]) == []
    assert pq.read_table(index).to_pylist() == rows
    index.unlink()
    assert changes.changed_months(ingested, PRIVATE, [MONTH, "2025-02"]) == ["2025-02"]
    assert pq.read_table(index).to_pylist() == rows
    assert reads == [[MONTH], [MONTH]]


def test_a_withdrawn_month_leaves_the_index(ingested, monkeypatch):
    _settle(ingested, MONTH)
    assert changes.changed_months(ingested, PRIVATE, [MONTH]) == []
    lake.drop_partition(ingested.lake_dir, "ingest_log", PRIVATE, MONTH)
    assert changes.changed_months(ingested, PRIVATE, [MONTH]) == [MONTH]
    index = ingested.lake_dir / "ingest_log" / f"provider_id={PRIVATE}" / changes.INDEX
    assert pq.read_table(index).num_rows == 0


def test_after_an_ingest_the_logs_are_indexed_for_the_next_plan(ingested, monkeypatch):
    _settle(ingested, MONTH)
    index = ingested.lake_dir / "ingest_log" / f"provider_id={PRIVATE}" / changes.INDEX
    assert not index.exists()
    changes.index_logs(ingested.lake_dir, [PRIVATE])  # what the ingest flow does last
    assert {r["month"] for r in pq.read_table(index).to_pylist()} == {MONTH}
    reads = _reads(monkeypatch)
    assert changes.changed_months(ingested, PRIVATE, [MONTH]) == []
    assert reads == []


def test_indexing_after_an_ingest_leaves_the_fresh_partitions_to_the_next_plan(
        ingested, defs, today, monkeypatch):
    _settle(ingested, MONTH)
    _second_month(ingested, defs, today)  # written just now: the index may not keep it
    reads = _reads(monkeypatch)
    changes.index_logs(ingested.lake_dir, [PRIVATE])
    assert reads == [[MONTH]]  # the fresh month is not read for nothing
    assert changes.changed_months(ingested, PRIVATE, [MONTH, "2025-02"]) == []
    assert reads == [[MONTH], ["2025-02"]]
