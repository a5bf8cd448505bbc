import pytest

from arvo.contract import ENTITIES
from arvo.ingest.read import BrokenFile, read_file

from .conftest import write

EVENTS = ENTITIES["events"]
HEADER = "event_id;hetu;event_date;service_code;episode_id;diagnosis;cost_eur\n"


def test_finnish_export_in_windows_1252(tmp_path):
    path = write(tmp_path / "p" / "2025-01" / "events.csv",
                 HEADER + "1;131052-308T;3.1.2025;PC_VISIT;;;12,50\n", encoding="cp1252")
    raw = read_file(path, EVENTS)
    assert raw.file_format == "csv_fi" or raw.file_format == "csv_fi_1252"
    assert raw.rows.loc[0, "cost_eur"] == "12,50"


def test_cp1252_text_is_detected(tmp_path):
    path = write(tmp_path / "p" / "2025-01" / "events.csv",
                 "Event_ID ; HETU;event_date;service_code;episode_id;diagnosis;cost_eur;huom\n"
                 "1;131052-308T;3.1.2025;PC_VISIT;;;12,50;Käynti peruttu\n", encoding="cp1252")
    raw = read_file(path, EVENTS)
    assert raw.file_format == "csv_fi_1252"
    assert raw.extra_columns == ["huom"]
    assert raw.rows.loc[0, "event_id"] == "1"


@pytest.mark.parametrize("content, where, what", [
    (b"event_id|hetu|event_date|service_code|cost_eur\n1|x|y|z|1\n", "row 0", "separated by"),
    (b"event_id,hetu,event_date,service_code\n1,x,2025-01-01,PC_VISIT\n",
     "row 0, column 'cost_eur'", "missing from the header"),
    ((HEADER + "1;131052-308T;3.1.2025;PC_VISIT;;;12\n2;x;y;z;;;\x81\n").encode("latin-1"),
     "row 2", "neither UTF-8 nor Windows-1252"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "row 2", "not text"),
    (b"", "row 0", "empty"),
])
def test_broken_files_name_file_row_and_column(tmp_path, content, where, what):
    path = tmp_path / "2358253-3" / "2025-01" / "events.csv"
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    with pytest.raises(BrokenFile) as err:
        read_file(path, EVENTS)
    assert str(err.value).startswith(f"2358253-3/2025-01/events.csv, {where}")
    assert what in str(err.value)


def test_corrupt_parquet_is_rejected(tmp_path):
    path = tmp_path / "1632707-5" / "2025-01" / "events.parquet"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(BrokenFile, match="1632707-5/2025-01/events.parquet: not a readable"):
        read_file(path, EVENTS)


def test_short_row_is_a_row_error_not_a_file_error(tmp_path):
    path = write(tmp_path / "p" / "2025-01" / "events.csv",
                 HEADER + "1;131052-308T;3.1.2025;PC_VISIT;;;12,50\n2;131052-308T\n")
    raw = read_file(path, EVENTS)
    assert len(raw.rows) == 2
    assert raw.shape_errors == {2: "row has 2 fields but the header has 7 (separator ';')"}
