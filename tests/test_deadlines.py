"""When submissions are due (arvo/deadlines.py, providers.yml `submissions`)."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from arvo import definitions
from arvo.deadlines import Submissions, epoch_seconds, received_at
from tests.conftest import first_version_copy


def test_a_months_files_are_due_by_the_day_of_the_next_month():
    rules = Submissions(due_day=10, corrections_due_day=20)
    assert rules.due_by("2025-11") == dt.date(2025, 12, 10)
    assert rules.due_by("2025-12") == dt.date(2026, 1, 10)
    assert rules.corrections_by("2025-12") == dt.date(2026, 1, 20)
    assert Submissions().corrections_by("2025-12") is None
    assert Submissions().due_day == 10


def test_received_at_is_helsinki_wall_clock_time():
    # 1.7.2025 09:00 UTC is 12:00 in Helsinki (summer time)
    when = dt.datetime(2025, 7, 1, 9, 0, tzinfo=dt.UTC).timestamp()
    assert received_at(when) == dt.datetime(2025, 7, 1, 12, 0)
    assert received_at(epoch_seconds(dt.datetime(2025, 1, 10, 23, 59))) == dt.datetime(
        2025, 1, 10, 23, 59)


def _with_submissions(tmp_path, value):
    folder = first_version_copy(tmp_path / "defs")
    path = folder / "providers.yml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    if value is None:
        doc.pop("submissions", None)
    else:
        doc["submissions"] = value
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return folder


def test_the_key_is_optional_and_validated(tmp_path):
    assert definitions.load(_with_submissions(tmp_path / "a", None)).submissions == Submissions()
    loaded = definitions.load(_with_submissions(tmp_path / "b", {"due_day": 5}))
    assert loaded.submissions.due_day == 5
    with pytest.raises(definitions.DefinitionError, match=r"submissions\.due_day"):
        definitions.load(_with_submissions(tmp_path / "c", {"due_day": 31}))
    with pytest.raises(definitions.DefinitionError, match="corrections_due_day must not be"):
        definitions.load(_with_submissions(tmp_path / "d", {"due_day": 10,
                                                            "corrections_due_day": 5}))
