"""The commissioner's record of agreed actions: read whole, or stopped with file, row, column."""

from __future__ import annotations

import csv

import pytest

from arvo import meetings
from arvo.meetings import AgreementError

PROVIDERS = {"1394810-8", "2358253-3"}
HEADER = "meeting;provider_id;topic;action;responsible;due;status\n"


def _write(tmp_path, text: str):
    path = tmp_path / "agreements.csv"
    path.write_text(text, encoding="utf-8-sig")
    return path


def test_agreements_are_read_with_either_separator(tmp_path):
    path = _write(tmp_path, HEADER + "2025-06;1394810-8;PROM-keruu;Kysely ensikäynnille;"
                  "vastuulääkäri;2025-12;open\n\n2025-06;2358253-3;Tulokset;Läpikäynti;;;done\n")
    got = meetings.load(path, PROVIDERS)
    assert [(a.provider_id, a.status, a.due, a.row) for a in got] == [
        ("1394810-8", "open", "2025-12", 2), ("2358253-3", "done", "", 4)]
    comma = _write(tmp_path, HEADER.replace(";", ",") + "2025-06,1394810-8,A,B,,,open\n")
    assert meetings.load(comma, PROVIDERS)[0].action == "B"


@pytest.mark.parametrize("row, column, words", [
    ("2025-6;1394810-8;A;B;;;open", "meeting", "not a period YYYY-MM"),
    ("2025-06;1394810-8;A;B;;2025-01;open", "due", "before the meeting"),
    ("2025-06;1394810-8;A;B;;;pending", "status", "not one of open, done"),
    ("2025-06;9999999-9;A;B;;;open", "provider_id", "not a provider of the register"),
    ("2025-06;1394810-8;;B;;;open", "topic", "is empty"),
    ("2025-06;1394810-8;A;Soitetaan 010101-123N;;;open", "action", "identity code"),
])
def test_a_bad_row_names_file_row_and_column(tmp_path, row, column, words):
    path = _write(tmp_path, HEADER + "2025-06;1394810-8;A;B;;;open\n" + row + "\n")
    with pytest.raises(AgreementError, match=words) as err:
        meetings.load(path, PROVIDERS)
    assert (err.value.row, err.value.column) == (3, column)
    assert str(path) in str(err.value) and f"row 3, column '{column}'" in str(err.value)
    assert "010101-123N" not in str(err.value)


def test_a_header_without_the_columns_is_refused(tmp_path):
    path = _write(tmp_path, "meeting;provider;what\n2025-06;1394810-8;A\n")
    with pytest.raises(AgreementError, match="lacks provider_id, topic, action, status"):
        meetings.load(path, PROVIDERS)


def test_no_file_compiles_to_a_table_without_rows(tmp_path):
    out = meetings.compile_for_dbt(tmp_path / "none", tmp_path / "compiled", PROVIDERS)
    with out.open(encoding="utf-8") as fh:
        assert list(csv.reader(fh)) == [["agreement_row", *meetings.COLUMNS]]
