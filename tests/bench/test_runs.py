"""The benchmark's runs (arvo/bench/runs.py): a measured child's leftover processes end
before the next run starts; Great Expectations runs in a worker forked as ingest's are,
and finds the same failing rows as the SQL yardstick."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from arvo import definitions, forked
from arvo.bench import checks_sql, runs
from arvo.config import REPO_ROOT, Settings
from arvo.contract import ENTITIES
from arvo.demo import generate_region
from arvo.ingest.submission import entity_rows, read_submissions, suite_parameters
from arvo.quality import suites
from tests.conftest import TEST_KEY

PERIOD = "2024-12"


@pytest.fixture(scope="module")
def region(tmp_path_factory):
    home = tmp_path_factory.mktemp("bench-validation")
    generate_region(home / "demo", residents=2000, months=12)
    return home


@pytest.fixture(scope="module")
def month(region):
    """The period month's typed rows of every provider, per entity, and the suites'
    parameters."""
    settings = Settings.from_env(region)
    defs = definitions.load(REPO_ROOT / "definitions", PERIOD)
    batches = [read_submissions(settings, p.id, [PERIOD], TEST_KEY.encode())
               for p in defs.providers if (settings.raw_dir / p.id / PERIOD).is_dir()]
    frames = {entity: entity_rows(batches, entity) for entity in ENTITIES}
    assert all(frame is not None for frame in frames.values())  # every entity sent
    return frames, suite_parameters(defs, dt.date(2026, 12, 1))


def test_the_worker_finds_the_failing_rows_the_sql_finds(region, month):
    settings = Settings.from_env(region)
    frames, params = month

    seconds, failing = forked.call("the test's suites", runs.suites_in_worker,
                                   settings.expectations_dir, frames, params)

    sql = {(rule, key, row) for entity, frame in frames.items()
           for rule, found in checks_sql.run(
               suites.load_suite(settings.expectations_dir, entity),
               suites.for_validation(frame, ENTITIES[entity].of_kind("date")),
               params).failing.items()
           for key, row in found}
    assert failing == len(sql) > 0  # the month's planted defects, found by both
    assert set(seconds) == {"first", "again"}


def test_validation_gives_the_four_figures_of_the_period_month(region, month):
    stages = runs.validation(region, PERIOD, "monthly")

    month_rows = sum(len(frame) for frame in month[0].values())
    assert [s.stage for s in stages] == [
        "validation (Great Expectations)", "validation as DuckDB SQL",
        "validation (Great Expectations), first in a worker",
        "Great Expectations' import (once a run, in the fork server)"]
    assert all(s.rows == month_rows for s in stages[:3])
    assert stages[3].wall_seconds > 0.1  # a new interpreter imports it: not nothing


def _running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="the wait reads /proc")
def test_the_next_run_waits_for_what_a_child_left_running():
    """A steering run's fork server outlives the run for a while; a child's group is waited
    for until nothing of it runs."""
    leaves = ("import subprocess, sys; print(subprocess.Popen([sys.executable, '-c', "
              "'import time; time.sleep(1.5)']).pid)")
    child = subprocess.Popen([sys.executable, "-c", leaves], stdout=subprocess.PIPE,
                             text=True, process_group=0)
    left = int(child.stdout.readline())
    child.wait()
    assert _running(left)
    runs.wait_for_group(child.pid)
    assert not _running(left)
