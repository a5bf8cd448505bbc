"""Ingest in waves (arvo.ingest.waves): the planner's rule, and waves through the ingest flow
giving exactly what one wave gives: the same lake partitions, quarantine, ingest logs,
check results and outcomes."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pandas as pd
import pytest

from arvo.ingest.changes import INDEX
from arvo.ingest.waves import in_plan_order, plan_rows, plan_sizes, plan_waves, wave_months

from .conftest import CLIENTS, HOSPITAL, PRIVATE, PUBLIC, write

MONTHS = ["2025-01", "2025-02", "2025-03"]


def test_waves_are_consecutive_months_oldest_first_within_the_budget():
    sizes = {"2024-03": 80, "2024-01": 50, "2024-02": 30, "2024-05": 200, "2024-04": 10,
             "2024-06": 0}
    assert wave_months(sizes, 100) == [["2024-01", "2024-02"], ["2024-03", "2024-04"],
                                       ["2024-05"], ["2024-06"]]
    assert wave_months(sizes, 10**9) == [sorted(sizes)]
    assert wave_months(sizes, 1) == [[m] for m in sorted(sizes)]
    assert wave_months({}, 100) == []


@pytest.mark.parametrize("seed", range(20))
def test_the_rule_holds_for_any_sizes(seed):
    rng = random.Random(seed)
    months = [f"{2020 + i // 12}-{i % 12 + 1:02d}" for i in range(rng.randint(1, 40))]
    sizes = {m: rng.choice([0, rng.randint(1, 50), rng.randint(50, 300)]) for m in months}
    budget = rng.randint(1, 200)
    waves = wave_months(sizes, budget)
    assert [m for w in waves for m in w] == sorted(months)  # oldest first, each month once
    for i, wave in enumerate(waves):
        assert wave, "every wave holds at least one month"
        total = sum(sizes[m] for m in wave)
        assert total <= budget or len(wave) == 1, (wave, total, budget)
        if i + 1 < len(waves):  # a wave ends only where the next month would not fit
            assert total + sizes[waves[i + 1][0]] > budget


def test_sizes_are_the_files_read_per_provider_and_month(submissions):
    s = submissions
    for month in MONTHS[1:]:
        for pid in (PRIVATE, PUBLIC):
            shutil.copytree(s.raw_dir / pid / MONTHS[0], s.raw_dir / pid / month)
    write(s.raw_dir / PUBLIC / MONTHS[1] / "saate.txt", "not read" * 100)
    plan = {PRIVATE: MONTHS, PUBLIC: MONTHS[1:], HOSPITAL: MONTHS[:1]}

    def size(pid: str, month: str) -> int:
        return sum(p.stat().st_size for p in (s.raw_dir / pid / month).iterdir()
                   if p.name != "saate.txt")

    sizes = plan_sizes(s.raw_dir, plan, 1 << 30)
    assert sizes == {(pid, m): size(pid, m) for pid, months in plan.items() for m in months}
    parquet = (s.raw_dir / HOSPITAL / MONTHS[0] / "events.parquet").stat().st_size
    limit = parquet - 1  # over the limit: rejected unread, so it weighs nothing
    assert max(p.stat().st_size for p in s.raw_dir.rglob("*.csv")) <= limit
    assert plan_sizes(s.raw_dir, plan, limit)[HOSPITAL, MONTHS[0]] == \
        size(HOSPITAL, MONTHS[0]) - parquet
    month = {m: sum(v for (_, mm), v in sizes.items() if mm == m) for m in MONTHS}
    waves = plan_waves(s.raw_dir, plan, month[MONTHS[0]] + month[MONTHS[1]], 1 << 30)
    assert [w.months for w in waves] == [MONTHS[:2], MONTHS[2:]]
    assert [w.plan for w in waves] == [{PRIVATE: MONTHS[:2], PUBLIC: MONTHS[1:2],
                                        HOSPITAL: MONTHS[:1]},
                                       {PRIVATE: MONTHS[2:], PUBLIC: MONTHS[2:]}]
    assert list(waves[0].plan) == [PRIVATE, PUBLIC, HOSPITAL]  # the plan's provider order
    assert [w.raw_bytes for w in waves] == [month[MONTHS[0]] + month[MONTHS[1]],
                                            month[MONTHS[2]]]
    assert waves[0].provider_bytes == {  # what the wave's groups are balanced by
        PRIVATE: sizes[PRIVATE, MONTHS[0]] + sizes[PRIVATE, MONTHS[1]],
        PUBLIC: sizes[PUBLIC, MONTHS[1]], HOSPITAL: sizes[HOSPITAL, MONTHS[0]]}


def test_rows_weigh_each_providers_files_by_footer_or_lines(submissions):
    s = submissions
    shutil.copytree(s.raw_dir / PRIVATE / MONTHS[0], s.raw_dir / PRIVATE / MONTHS[1])
    write(s.raw_dir / PRIVATE / MONTHS[1] / "saate.txt", "not read\n" * 100)
    plan = {PRIVATE: MONTHS[:2], PUBLIC: MONTHS[:1], HOSPITAL: MONTHS[:1]}
    # PRIVATE: events 6 lines, episodes 2, proms 3, in each of two months; PUBLIC: events
    # 3 lines (its header included); HOSPITAL: the 2 rows its Parquet footer counts
    assert plan_rows(s.raw_dir, plan, 1 << 30) == {PRIVATE: 22, PUBLIC: 3, HOSPITAL: 2}
    parquet = (s.raw_dir / HOSPITAL / MONTHS[0] / "events.parquet").stat().st_size
    # a file rejected unread weighs nothing: over the size limit, or over the row limit
    assert plan_rows(s.raw_dir, plan, parquet - 1)[HOSPITAL] == 0
    assert plan_rows(s.raw_dir, plan, 1 << 30, max_file_rows=1)[HOSPITAL] == 0
    # past its first 64 KiB, a text file's lines are estimated from their mean length
    # (here the head's event IDs are shorter: within a few per cent)
    lines = "".join(f"E{i},{CLIENTS[i % 3]},2025-01-03,PC_VISIT,,,{i % 977}.5\n"
                    for i in range(20_000))
    write(s.raw_dir / PUBLIC / MONTHS[0] / "events.csv", "event_id,hetu\n" + lines)
    assert len(lines) > 4 * (1 << 16)
    assert plan_rows(s.raw_dir, plan, 1 << 30)[PUBLIC] == pytest.approx(20_001, rel=0.05)


def test_outcomes_of_several_waves_are_put_in_one_wave_order():
    from arvo.ingest.submission import FileOutcome

    def outcome(pid: str, month: str, entity: str) -> FileOutcome:
        return FileOutcome(pid, month, entity, f"{entity}.csv", "", "", 0, 0, 0, "empty", "")

    plan = {"B": MONTHS, "A": MONTHS}
    waves = [[outcome(p, m, e) for p in plan for e in ("events", "proms")]
             for m in MONTHS]
    got = in_plan_order([o for w in waves for o in w], plan)
    assert [(o.provider_id, o.month, o.entity) for o in got] == [
        (p, m, e) for p in plan for m in MONTHS for e in ("events", "proms")]


# ---------------------------------------------------------- through the ingest flow

def _months_of_submissions(raw: Path) -> None:
    """The `submissions` month copied to three months, with what makes months differ: a
    rejected file, a duplicate record ID, a month without a provider, a file not read, a
    month whose PROMs hold one instrument only (its other rules not applicable)."""
    a, b, c = CLIENTS
    for month in MONTHS[1:]:
        for pid in (PRIVATE, PUBLIC):
            shutil.copytree(raw / pid / MONTHS[0], raw / pid / month)
    shutil.copytree(raw / HOSPITAL / MONTHS[0], raw / HOSPITAL / MONTHS[1])
    write(raw / PRIVATE / MONTHS[1] / "episodes.csv",
          f"episode_id|hetu|package_code|start_date\nEP1|{b}|DEPRESSION|2025-02-04\n")
    write(raw / PUBLIC / MONTHS[1] / "events.csv",
          "\ufeffevent_id;hetu;event_date;service_code;episode_id;diagnosis;cost_eur\n"
          f"2001;{a};3.2.2025;PC_NURSE;;I10;45,50\n"
          f"2001;{c};15.2.2025;HOME_CARE_VISIT;;;1 234,75\n", "utf-8")
    write(raw / PRIVATE / MONTHS[2] / "proms.csv",
          "response_id,episode_id,hetu,instrument,timepoint,response_date,"
          + ",".join(f"q{i}" for i in range(1, 13)) + "\n"
          f"R9,EP1,{b},EQ5D5L,baseline,2025-03-04,2,1,3,2,9,55,,,,,,\n")
    write(raw / PUBLIC / MONTHS[2] / "saate.txt", "hei")


def _contents(home: Path) -> dict[str, pd.DataFrame]:
    """Every Parquet file under the lake and the quarantine, by its path, without the time
    of the ingest (and without the index of the ingest log, arvo.ingest.changes)."""
    out = {}
    for root in ("lake", "quarantine"):
        for path in sorted((home / root).rglob("*.parquet")):
            if path.name == INDEX:  # planning's cache of the log, with the files' times
                continue
            frame = pd.read_parquet(path).drop(columns=["ingested_at", "found_at"],
                                               errors="ignore")
            out[path.relative_to(home).as_posix()] = frame
    return out


def test_several_waves_give_exactly_what_one_wave_gives(submissions, prefect_server,
                                                        monkeypatch):
    from arvo.ingest import workers
    from flows import steering

    s = submissions
    _months_of_submissions(s.raw_dir)
    planned, validated = [], []
    plan_waves_of, validate_of = steering.plan_waves, workers.validate_batches

    def plan_waves(*args):
        planned.append(plan_waves_of(*args))
        return planned[-1]

    def validate_batches(settings, defs, batches, today):
        validated.append(sorted({m for b in batches for m in b.months}))
        return validate_of(settings, defs, batches, today)

    monkeypatch.setattr(steering, "plan_waves", plan_waves)
    monkeypatch.setattr(workers, "validate_batches", validate_batches)
    monkeypatch.setenv("ARVO_INGEST_PROCESSES", "1")  # validated here, where it is seen
    runs = {}
    for name, megabytes in (("one", "1024"), ("several", "0.000001")):
        monkeypatch.setenv("ARVO_INGEST_WAVE_MB", megabytes)
        runs[name] = steering.ingest(steering.SteeringParams(
            home=s.home.parent / name, raw_dir=s.raw_dir, period=MONTHS[-1]))
    assert [[w.months for w in p] for p in planned] == [[MONTHS], [[m] for m in MONTHS]]
    assert validated == [MONTHS, *([m] for m in MONTHS)]  # one suite run per wave
    one, several = runs["one"], runs["several"]
    assert several == one  # every outcome, in the same order
    statuses = {o.status for o in one}
    assert {"accepted", "partial", "rejected", "unrecognised"} <= statuses, statuses
    a, b = _contents(s.home.parent / "one"), _contents(s.home.parent / "several")
    assert list(a) == list(b)
    for entity in ("events", "episodes", "proms", "check_results", "ingest_log"):
        assert {f"lake/{entity}/provider_id={PRIVATE}/month={m}/data.parquet"
                for m in MONTHS} <= set(a), entity
    assert any(p.startswith("quarantine/episodes/") for p in a)  # the rejected file's lines
    for path, frame in a.items():
        pd.testing.assert_frame_equal(frame, b[path], obj=path)
    checks = pd.concat([a[p] for p in a if "/check_results/" in p])
    assert {"passed", "failed", "not_applicable"} <= set(checks.status)
