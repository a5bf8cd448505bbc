"""The submission files: one folder per provider and month, each in its format."""

from __future__ import annotations

import re

import pandas as pd
import pyarrow.parquet as pq
import pytest

from arvo import ytunnus
from tests.demo.submissions import BOM, COLUMNS, CSV, DATES, FORMATS, files_of, read_submission


def test_folders_are_providers_and_months(region):
    summary, _, _ = region
    dirs = sorted(p.name for p in summary.raw_root.iterdir())
    assert dirs == sorted(FORMATS)
    assert all(ytunnus.is_valid(d) for d in dirs)
    months = {p.parent.name for p in files_of(summary.raw_root)}
    assert months == {f"{y}-{m:02d}" for y in (2024, 2025) for m in range(1, 13)}


@pytest.mark.parametrize("fmt", sorted(CSV))
def test_csv_files_follow_their_format(region, fmt):
    summary, _, _ = region
    sep, dec, enc, bom, date_re = CSV[fmt]
    paths = [p for p in files_of(summary.raw_root) if FORMATS[p.parent.parent.name] == fmt]
    assert paths and all(p.suffix == ".csv" for p in paths)
    non_ascii = False
    for path in paths:
        raw = path.read_bytes()
        assert raw.startswith(BOM) == bom, path
        text = raw[len(BOM):].decode(enc) if bom else raw.decode(enc)
        non_ascii |= any(ord(ch) > 127 for ch in text)
        lines = text.splitlines()
        assert lines[0] == sep.join(COLUMNS[path.stem]), path
        assert all(line.count(sep) == len(COLUMNS[path.stem]) - 1 for line in lines), path
    if fmt == "csv_fi_1252":
        assert non_ascii  # e.g. "KÄY-" record IDs, so the encoding matters
        with pytest.raises(UnicodeDecodeError):
            for path in paths:
                path.read_bytes().decode("utf-8")
    events = [p for p in paths if p.stem == "events"][0]
    df = read_submission(events, fmt)
    raw = pd.read_csv(events, sep=sep, encoding="utf-8-sig" if bom else enc, dtype=str,
                      keep_default_na=False)
    assert list(raw.columns) == COLUMNS["events"]
    assert raw["event_date"].str.match(date_re).all()
    assert raw["cost_eur"].str.match(r"^-?\d+" + re.escape(dec) + r"\d{2}$").all()
    assert df["cost_eur"].notna().all()


def test_parquet_files_have_contract_types(region):
    summary, _, _ = region
    paths = [p for p in files_of(summary.raw_root)
             if FORMATS[p.parent.parent.name] == "parquet"]
    assert paths and all(p.suffix == ".parquet" for p in paths)
    for path in paths:
        schema = pq.read_schema(path)
        assert schema.names == COLUMNS[path.stem]
        for c in DATES[path.stem]:
            assert str(schema.field(c).type) == "date32[day]"
        if path.stem == "events":
            assert str(schema.field("cost_eur").type) == "double"
        if path.stem == "proms":
            assert all(str(schema.field(f"q{i}").type) == "int32" for i in range(1, 13))
