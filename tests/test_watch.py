"""Late or corrected submissions trigger reruns (arvo/watch.py, flows/watch.py): a
corrected file makes `arvo watch --once` rerun exactly the unfrozen periods whose window
holds its month, and leave a frozen one as it was. On a copy of the loop region's home."""

from __future__ import annotations

import shutil

import duckdb
import pytest
from click.testing import CliRunner

from arvo import freeze, watch
from flows.cli import main
from flows.freeze import FreezeParams, freeze_period
from tests.conftest import LOOP_KEY, LOOP_PERIODS, settings_at

EARLY, LATE = LOOP_PERIODS  # 2025-06 (window 2024-07..2025-06) and 2025-12
MONTH = "2025-03"  # in both windows
NEW_MONTH = "2026-01"  # in no period run so far


def test_covers_is_the_periods_twelve_month_window():
    assert watch.covers("2025-12", "2025-01") and watch.covers("2025-12", "2025-12")
    assert not watch.covers("2025-12", "2024-12") and not watch.covers("2025-06", "2025-07")


@pytest.fixture(scope="module")
def home(loop_region, tmp_path_factory):
    """The loop region's home copied, 2025-06 frozen, one provider's 2025-03 events
    corrected (one more row) and a first file of 2026-01 sent."""
    source, _ = loop_region
    copy = tmp_path_factory.mktemp("watch") / "home"
    shutil.copytree(source, copy)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ARVO_PSEUDONYM_KEY", LOOP_KEY)  # the key the region was run with
        freeze_period(FreezeParams(home=copy, period=EARLY, by="Komissaari Testi"))
    return copy


def _raw(home):
    return home / "demo" / "raw"


def _correct_a_file(home) -> tuple[str, str]:
    """Append a copy of a CSV events file's last row of MONTH (a resubmission)."""
    for path in sorted(_raw(home).glob(f"*/{MONTH}/events.csv")):
        data = path.read_bytes()
        last = data.rstrip(b"\r\n").splitlines()[-1]
        newline = b"\r\n" if b"\r\n" in data else b"\n"
        path.write_bytes(data.rstrip(b"\r\n") + newline + last + newline)
        return path.parts[-3], path.name
    raise AssertionError("no CSV events file in the region")


def test_nothing_changed_nothing_rerun(home):
    found = watch.plan(_settings(home))
    assert (found.changed, found.rerun, found.frozen) == ([], [], {})


def _settings(home):
    return settings_at(home).model_copy(update={"raw_dir": _raw(home)})


def test_a_corrected_file_reruns_the_unfrozen_periods_it_touches(home, monkeypatch):
    monkeypatch.setenv("ARVO_PSEUDONYM_KEY", LOOP_KEY)
    provider, name = _correct_a_file(home)
    warehouse = home / "warehouse" / "arvo.duckdb"
    sealed = freeze.state(warehouse, EARLY).manifest
    built = freeze.state(warehouse, LATE).built_at

    found = watch.plan(_settings(home))
    assert found.changed == [(provider, MONTH)]
    assert found.rerun == [LATE] and found.frozen == {EARLY: [(provider, MONTH)]}

    out = CliRunner().invoke(main, ["watch", "--once", "--home", str(home)])
    assert out.exit_code == 0, out.output
    assert f"rerun: {LATE}" in out.output and f"frozen, not rerun: {EARLY}" in out.output
    # the frozen period is as it was; the other was rebuilt with the corrected file
    assert freeze.manifest(home / "reports" / EARLY) == sealed
    assert freeze.state(warehouse, LATE).built_at >= built
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = dict(con.execute(
            "select period, rows_in from mart_provider_data_quality where provider_id = ? "
            "and month = ? and entity = 'events' and source_file = ? and status <> 'standing'",
            [provider, MONTH, name]).fetchall())
    assert rows[LATE] == rows[EARLY] + 1
    # the corrected file arrived now: after its month's deadline, so it is late
    feedback = (home / "reports" / LATE / "providers" / provider / "feedback.html")
    assert 'data-late="1"' in feedback.read_text(encoding="utf-8")
    # ingested: the next scan finds nothing new
    found = watch.plan(_settings(home))
    assert found.changed == [] and found.rerun == []


def test_a_month_no_period_covers_waits_for_its_period(home):
    provider = sorted(p.name for p in _raw(home).iterdir())[0]
    folder = _raw(home) / provider / NEW_MONTH
    folder.mkdir()
    shutil.copy(next((_raw(home) / provider).glob("2025-12/events.*")), folder)
    found = watch.plan(_settings(home))
    assert found.uncovered == [(provider, NEW_MONTH)] and found.rerun == []
    assert found.frozen == {}
