"""Preview and freeze of a steering period (arvo/freeze.py, flows/freeze.py): the preview
banner, the freeze that makes the reports final and records who froze them, the refusal
of a rerun of a frozen period (nothing changes: the manifest), and the forced rerun that
is recorded and shown. On a copy of the loop region's home (tests must not change it)."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from arvo import freeze
from flows.cli import main
from flows.freeze import FreezeParams, freeze_period
from flows.steering import SteeringParams, report, steering

PERIOD = "2025-06"


@pytest.fixture(scope="module")
def home(loop_region, tmp_path_factory):
    """The loop region's home copied, its 2025-06 not yet frozen."""
    source, _ = loop_region
    copy = tmp_path_factory.mktemp("freeze") / "home"
    shutil.copytree(source, copy)
    return copy


def _html(home: Path, name: str = "steering_report.html") -> str:
    return (home / "reports" / PERIOD / name).read_text(encoding="utf-8")


def _feedbacks(home: Path) -> list[str]:
    return [p.read_text(encoding="utf-8")
            for p in sorted((home / "reports" / PERIOD / "providers").glob("*/feedback.html"))]


def test_a_period_run_is_in_preview(home):
    st = freeze.state(home / "warehouse" / "arvo.duckdb", PERIOD)
    assert (st.state, st.frozen) == ("preview", False)
    assert "Tulokset voivat vielä muuttua" in _html(home)  # the steering report, Finnish
    assert st.built_at is not None
    # providers.yml: corrections_due_day 20, so by the 20th of the month after the period
    assert str(st.corrections_by) == "2025-07-20"
    for html in [_html(home), *_feedbacks(home)]:
        assert 'data-state="preview"' in html and 'data-state="frozen"' not in html
        assert "20.7.2025" in html or "20 juli 2025" in html


def test_freeze_makes_the_reports_final_and_records_who(home):
    result = freeze_period(FreezeParams(home=home, period=PERIOD, by="Komissaari Testi",
                                        note="Hyväksytty lautakunnassa"))
    assert (result.period, result.frozen_by, result.already) == (PERIOD, "Komissaari Testi",
                                                                 False)
    for html in [_html(home), *_feedbacks(home)]:
        assert 'data-state="frozen"' in html and 'data-state="preview"' not in html
        assert "Komissaari Testi" in html and "Hyväksytty lautakunnassa" in html
    st = freeze.state(home / "warehouse" / "arvo.duckdb", PERIOD)
    assert st.frozen and st.frozen_by == "Komissaari Testi"
    # the manifest holds every report file of the period as now written
    assert st.manifest == freeze.manifest(home / "reports" / PERIOD)
    assert "steering_report.html" in st.manifest and len(st.manifest) > 10
    assert st.submissions  # the files the frozen results rest on
    # freezing again changes nothing
    again = freeze_period(FreezeParams(home=home, period=PERIOD, by="Someone Else"))
    assert again.already and again.frozen_by == "Komissaari Testi"
    assert freeze.manifest(home / "reports" / PERIOD) == st.manifest


def test_a_rerun_of_a_frozen_period_is_refused_and_changes_nothing(home):
    warehouse = home / "warehouse" / "arvo.duckdb"
    sealed = freeze.state(warehouse, PERIOD).manifest
    assert sealed
    for flow in (steering, report):
        with pytest.raises(freeze.PeriodFrozen, match=f"period {PERIOD} was frozen on .* "
                                                       "by Komissaari Testi: not rerun"):
            flow(SteeringParams(home=home, period=PERIOD))
    for command in ("steer", "report", "cycle"):
        out = CliRunner().invoke(main, [command, "--home", str(home), "--period", PERIOD])
        assert out.exit_code == 1, out.output
        lines = out.output.strip().splitlines()
        assert len(lines) == 1 and "frozen" in lines[0] and "--force-frozen" in lines[0]
    out = CliRunner().invoke(main, ["steer", "--home", str(home), "--period", PERIOD,
                                    "--force-frozen"])
    assert out.exit_code == 2 and "--reason" in out.output
    assert freeze.manifest(home / "reports" / PERIOD) == sealed
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from period_reruns").fetchone() == (0,)


def test_a_backfill_over_a_frozen_period_leaves_it_as_frozen(home):
    from flows.cycle import CycleParams, cycle

    warehouse = home / "warehouse" / "arvo.duckdb"
    sealed = freeze.state(warehouse, PERIOD).manifest
    result = cycle(CycleParams(home=home, periods=[PERIOD], follow_up=False,
                               definition=False))  # as the backfill deployment runs it
    assert result.steering == []
    assert freeze.manifest(home / "reports" / PERIOD) == sealed
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from period_reruns").fetchone() == (0,)


def test_a_forced_rerun_is_recorded_and_shown(home):
    warehouse = home / "warehouse" / "arvo.duckdb"
    report(SteeringParams(home=home, period=PERIOD, force_frozen=True,
                          reason="korjattu käännös", by="Ylläpitäjä"))
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute("select period, rerun_by, command, reason, changes_json "
                           "from period_reruns").fetchall()
    assert rows == [(PERIOD, "Ylläpitäjä", "report", "korjattu käännös", "[]")]
    for html in [_html(home), *_feedbacks(home)]:
        assert 'data-state="frozen"' in html and 'data-rerun="1"' in html
        assert "Ylläpitäjä" in html and "korjattu käännös" in html
    st = freeze.state(warehouse, PERIOD)
    assert st.frozen  # still frozen; the manifest is of the reports as now rendered
    assert st.manifest == freeze.manifest(home / "reports" / PERIOD)


def test_changes_since_the_freeze_name_new_changed_and_gone_files():
    frozen = [["P1", "2025-01", "events", "events.csv", "accepted", "a"],
              ["P1", "2025-02", "events", "events.csv", "accepted", "b"]]
    now = [["P1", "2025-01", "events", "events.csv", "accepted", "A"],
           ["P2", "2025-01", "proms", "proms.csv", "partial", "c"]]
    assert freeze.changes_since(frozen, now) == [
        "P1 2025-01 events.csv: changed", "P1 2025-02 events.csv: gone",
        "P2 2025-01 proms.csv: new"]
    assert freeze.changes_since(frozen, frozen) == []


def test_a_period_never_built_cannot_be_frozen(tmp_path):
    with pytest.raises(ValueError, match="has not been run"):
        freeze.mark_frozen(tmp_path / "arvo.duckdb", "2025-01", by="x", note=None)
    assert freeze.state(tmp_path / "arvo.duckdb", "2025-01").state == "preview"
