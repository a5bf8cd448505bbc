"""Writing report files (arvo/report/files.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from arvo.report.files import write_csv, write_text


def test_csv_opens_in_finnish_excel(tmp_path: Path):
    path = write_csv(tmp_path / "a" / "x.csv", ("a", "b", "c"),
                     [(1.0, None, dt.date(2025, 1, 30)), ("x;y", 2.5, "ä")])
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.decode("utf-8-sig") == 'a;b;c\r\n1;;2025-01-30\r\n"x;y";2.5;ä\r\n'
    assert not list(tmp_path.rglob("*.tmp"))


def test_text_replaces_the_old_file(tmp_path: Path):
    write_text(tmp_path / "r.html", "old")
    assert write_text(tmp_path / "r.html", "new").read_text(encoding="utf-8") == "new"
