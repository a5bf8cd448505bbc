"""Typing and pseudonymising a batch of rows (arvo/ingest/types.py)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from arvo import hetu
from arvo.contract import Column, Entity
from arvo.ingest.types import to_typed

KEY = b"test-key-of-the-region"
CLIENTS = [hetu.make(dt.date(1950, 3, 1), 11), hetu.make(dt.date(2001, 12, 24), 40)]
ENTITY = Entity("people", "row_id", (Column("row_id", "text", True),
                                     Column("hetu", "hetu", True)))


def _rows(codes: list[str | None]) -> pd.DataFrame:
    return pd.DataFrame({"row_id": [f"r{i}" for i in range(len(codes))], "hetu": codes,
                         "file_key": "f", "source_row": range(2, len(codes) + 2),
                         "shape_error": None}, dtype=object)


def test_every_row_of_a_client_gets_its_pseudonym_birth_date_and_sex():
    first, second = CLIENTS
    codes = [first, second, first, f" {first.lower()} ", second]
    typed, issues = to_typed(_rows(codes), ENTITY, KEY)
    assert issues == []
    assert typed["client_id"].tolist() == [hetu.pseudonymise(c, KEY) for c in codes]
    assert typed["client_id"].iloc[0] == typed["client_id"].iloc[3]  # normalised
    assert typed["birth_date"].dt.date.tolist() == [dt.date(1950, 3, 1), dt.date(2001, 12, 24),
                                                   dt.date(1950, 3, 1), dt.date(1950, 3, 1),
                                                   dt.date(2001, 12, 24)]
    assert typed["sex"].tolist() == ["M", "F", "M", "M", "F"]
    assert "hetu" not in typed.columns


def test_an_invalid_or_missing_code_is_an_issue_on_each_of_its_rows_and_never_shown():
    broken = CLIENTS[0][:-1] + ("X" if CLIENTS[0][-1] != "X" else "Y")
    codes = [broken, CLIENTS[1], None, broken, "13105"]
    typed, issues = to_typed(_rows(codes), ENTITY, KEY)
    found = sorted((i.source_row, i.rule, str(i.reason)) for i in issues)
    assert found == [
        (2, "hetu_valid", "identity code check character does not match"),
        (4, "required", "hetu is empty"),
        (5, "hetu_valid", "identity code check character does not match"),
        (6, "hetu_valid", "identity code is not of the form DDMMYYCZZZQ"),
    ]
    assert typed["client_id"].isna().tolist() == [True, False, True, True, True]
    assert typed["birth_date"].isna().tolist() == [True, False, True, True, True]
    assert not any(broken in repr(i) or "13105" in repr(i) for i in issues)
