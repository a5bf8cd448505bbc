"""The whole loop: a follow-up's draft of renewed definitions, once accepted, changes the
next period's obligations, targets and payments, and leaves every earlier period's marts
and reports as they were (docs/loop.md, docs/definitions.md).

Runs on a copy of the small region of `loop_region` (tests/conftest.py), whose cycle
steered 2025-06 and 2025-12, followed up 2025-06..2025-12 and reviewed the definitions.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import yaml

from arvo import definition_changes, definitions
from arvo.config import REPO_ROOT
from flows.steering import SteeringParams, steering
from tests.conftest import LOOP_KEY, LOOP_PERIODS

NEXT = "2026-01"
#: Columns that say when a row was written, not what it says.
WHEN = {"checked_at", "ingested_at", "generated_at", "loaded_at"}


@pytest.fixture(scope="module")
def loop(loop_region, tmp_path_factory):
    """The region's home copied, the repository's definitions copied beside it."""
    home, result = loop_region
    base = tmp_path_factory.mktemp("loop")
    shutil.copytree(home, base / "home")
    shutil.copytree(REPO_ROOT / "definitions", base / "definitions")
    return base / "home", base / "definitions", result


def _marts(home: Path, periods: list[str]) -> dict[str, pd.DataFrame]:
    """Every mart's rows of the periods, sorted, exactly as stored (sums of money and
    scores are exact decimals, so a rerun gives the same last digits: docs/reruns.md)."""
    out = {}
    with duckdb.connect(str(home / "warehouse" / "arvo.duckdb"), read_only=True) as con:
        tables = [r[0] for r in con.execute(
            "select table_name from information_schema.tables "
            "where table_name like 'mart_%' or table_name = 'obligation_results'").fetchall()]
        for table in sorted(tables):
            df = con.execute(f'select * from "{table}" where cast(period as varchar) in '
                             f"({', '.join('?' for _ in periods)})", periods).df()
            df = df.drop(columns=[c for c in df.columns if c in WHEN])
            for c in df.columns:
                if pd.api.types.is_float_dtype(df[c]):
                    df[c] = df[c].map(lambda v: None if pd.isna(v) else repr(float(v)))
            df = df.astype(str)
            out[table] = df.sort_values(list(df.columns)).reset_index(drop=True)
    return out


def _reports(home: Path, period: str) -> dict[str, str]:
    folder = home / "reports" / period
    return {p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8-sig")
            for p in sorted(folder.rglob("*")) if p.suffix in (".html", ".csv")}


def _one(home: Path, sql: str, *params) -> pd.DataFrame:
    with duckdb.connect(str(home / "warehouse" / "arvo.duckdb"), read_only=True) as con:
        return con.execute(sql, list(params)).df()


def test_the_cycle_ran_every_phase_and_ends_with_a_draft(loop):
    home, _, result = loop
    assert [(r.period, r.definitions_version) for r in result.steering] == [
        (p, "v2") for p in LOOP_PERIODS]
    (follow,) = result.follow_ups
    assert (follow.periods, follow.version) == (LOOP_PERIODS, "v3")
    assert follow.proposals > 0 and follow.changes > 0
    assert any(p.name == "follow_up_report.html" for p in follow.reports)
    (review,) = result.definitions
    assert review.period == LOOP_PERIODS[-1]
    assert any(p.name == "definition_report.html" for p in review.reports)
    # the draft is a whole definitions folder whose new version is valid
    draft = definition_changes.check(follow.draft)
    assert not draft.errors and draft.valid[-1] == f"v3 (from {NEXT})"


def test_an_accepted_renewal_changes_the_next_period_and_no_earlier_one(loop, fixed_time,
                                                                         monkeypatch):
    monkeypatch.setenv("ARVO_PSEUDONYM_KEY", LOOP_KEY)  # the next month joins the region's
    home, defs, result = loop
    (follow,) = result.follow_ups
    earlier = _marts(home, LOOP_PERIODS)
    reports = {p: _reports(home, p) for p in LOOP_PERIODS}
    proposals = yaml.safe_load(follow.proposals_file.read_text(encoding="utf-8"))
    assert proposals

    # the next period under the definitions as they stand (v2) ...
    steering(SteeringParams(home=home, period=NEXT, definitions_dir=defs))
    before = _marts(home, [NEXT])
    assert set(before["mart_period_register"].definitions_version) == {"v2"}

    # ... the commissioner accepts the draft: its new version folder, copied as it is
    shutil.copytree(follow.draft / "versions" / "v3", defs / "versions" / "v3")
    assert definition_changes.check(defs).valid[-1] == f"v3 (from {NEXT})"
    changed = {c.file for c in definition_changes.change_log(defs) if c.version == "v3"}
    assert {"objectives.yml", "obligations.yml"} <= changed
    assert definitions.load(defs, LOOP_PERIODS[-1]).version == "v2"

    # ... and the next period is run again: its obligations, targets and payments change
    steering(SteeringParams(home=home, period=NEXT, definitions_dir=defs))
    after = _marts(home, [NEXT])
    assert set(after["mart_period_register"].definitions_version) == {"v3"}
    rules = ["scope", "scope_code", "obligation_sector", "instrument", "timepoint",
             "threshold"]
    assert not before["obligation_results"][rules].drop_duplicates().equals(
        after["obligation_results"][rules].drop_duplicates())
    targets = ["objective_code", "scope_type", "scope_id", "target"]
    assert not before["mart_objective_attainment"][targets].equals(
        after["mart_objective_attainment"][targets])
    # the payment lines are judged on the new obligations: their conditions' figures
    # record the raised minimum. Their amounts stay on this small region: its providers'
    # obligations rest on 1 to 4 eligible episodes, which no payment judges
    # (docs/payments.md), and the demo region's collect well above any new minimum
    # (docs/follow-up.md)
    paid = ["provider_id", "package_code", "line_order", "figures"]
    assert not before["mart_provider_payments"][paid].equals(
        after["mart_provider_payments"][paid])

    # every earlier period: rerun with the accepted definitions, its own version again
    for period in LOOP_PERIODS:
        steering(SteeringParams(home=home, period=period, definitions_dir=defs))
    again = _marts(home, LOOP_PERIODS)
    assert earlier.keys() == again.keys()
    for table, frame in earlier.items():
        pd.testing.assert_frame_equal(frame, again[table], obj=table)
    for period in LOOP_PERIODS:
        assert _reports(home, period) == reports[period], period


def test_a_scheduled_follow_up_spans_the_steered_periods_of_twelve_months(loop_region):
    from arvo.follow_up.evaluate import default_first

    warehouse = loop_region[0] / "warehouse" / "arvo.duckdb"
    assert default_first(warehouse, "2025-12", 12) == "2025-06"
    assert default_first(warehouse, "2026-06", 12) == "2025-12"
    assert default_first(warehouse, "2025-05", 12) == "2025-05"  # nothing steered: itself
