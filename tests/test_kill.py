"""A steering run killed in any stage and then rerun leaves exactly what an uninterrupted
run leaves (docs/reruns.md): every table of the warehouse row for row, every file of the
lake, the quarantine and the reports byte for byte.

On a small region (400 residents, 23 providers, 13 months: every stage has work, some rows
are quarantined, obligations are checked, every provider gets its feedback), `arvo steer
--period 2025-12` runs once uninterrupted as the reference. Then, for each stage, it runs
in a child process on a fresh copy of the same submissions, is killed with SIGKILL while
that stage is in progress (seen from outside: the files it writes, dbt's log, the flow's
log), and is rerun to completion. All runs use one Prefect server started for the module
and SOURCE_DATE_EPOCH, so the reports print one generated time.

`make test-ops` runs these (marker `ops`); `make test` leaves them out.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from arvo.bench import start_prefect_server
from arvo.config import REPO_ROOT
from arvo.ingest.changes import INDEX
from arvo.report.files import STAGING

pytestmark = pytest.mark.ops

PERIOD = "2025-12"
KEY = "kill-test-key"
EPOCH = "1735725600"  # 2025-01-01 12:00 in Helsinki: the reports' generated time
#: Columns that say when a run wrote a row, not what the row says: a rerun writes them anew.
WHEN = {"checked_at", "ingested_at", "found_at"}
#: Columns that say where a run's home is: the reference layer's fingerprint covers the
#: folders its views read (arvo.reference_layer), and each run here has a home of its own.
WHERE = {"fingerprint"}
#: Columns that hold such a time in part: what is compared of them.
#: (int_events_windowed's sha256@ingested_at; the kept lake tables' folder versions,
#: file@size@modified@code, in <model>__folders, and the files' stamps in stg_lake__files,
#: file@size@modified: macros/lake_folders.sql)
PART_WHEN = {"lake_version": "split_part(lake_version, '@', 1)",
             "file_stamp": "split_part(file_stamp, '@', 1)"}
STAGES = ("ingest", "transform", "obligations", "report")


@pytest.fixture(scope="module")
def runner(tmp_path_factory):
    """A function running `arvo ARGS...` in a child process against one Prefect server."""
    base = tmp_path_factory.mktemp("kill")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PREFECT_HOME", str(base / "prefect"))  # its own server database
        server, url = start_prefect_server(base / "prefect-server.log")
    env = {**os.environ, "PREFECT_API_URL": url, "PREFECT_HOME": str(base / "prefect"),
           "ARVO_PSEUDONYM_KEY": KEY, "SOURCE_DATE_EPOCH": EPOCH}
    env.pop("ARVO_PSEUDONYM_KEY_FILE", None)

    def start(*args: str) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "flows.cli", *args], cwd=REPO_ROOT,
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                text=True, start_new_session=True)

    def run(*args: str, log: Path) -> None:
        proc = start(*args)
        _, err = proc.communicate(timeout=600)
        log.write_text(err)
        assert proc.returncode == 0, f"arvo {' '.join(args)} failed; see {log}"

    run.start = start
    run.base = base
    try:
        yield run
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture(scope="module")
def region(runner) -> Path:
    """The region's submissions and meeting agreements (no run yet)."""
    home = runner.base / "region"
    runner("generate", "--home", str(home), "--residents", "400", "--months", "13",
           "--start-month", "2024-12", log=runner.base / "generate.log")
    return home


def fresh_copy(region: Path, home: Path) -> Path:
    """The region's submissions, planted truth and meeting agreements under a new home."""
    for sub in ("demo", "meetings"):
        shutil.copytree(region / sub, home / sub)
    return home


@pytest.fixture(scope="module")
def reference(runner, region) -> Path:
    """The uninterrupted run."""
    home = fresh_copy(region, runner.base / "reference")
    runner("steer", "--home", str(home), "--period", PERIOD, log=runner.base / "reference.log")
    return home


# ---------------------------------------------------------------- when to kill


def _files(folder: Path, pattern: str) -> list[Path]:
    return list(folder.glob(pattern)) if folder.is_dir() else []


def _mid_ingest(home: Path, log: list[str]) -> bool:
    """Some providers' months are in the lake, their ingest logs not all written."""
    return bool(_files(home / "lake" / "events", "*/*/data.parquet"))


def _mid_transform(home: Path, log: list[str]) -> bool:
    """dbt has replaced the period in three marts, not in the others."""
    path = home / "dbt" / "logs" / "dbt.log"
    text = path.read_text(errors="replace") if path.is_file() else ""
    return text.count("OK created sql incremental model main.mart_") >= 3


def _mid_obligations(home: Path, log: list[str]) -> bool:
    """The marts are built; the obligation checks have begun."""
    return any("Task run 'build_marts" in line and "Finished" in line for line in log)


def _mid_report(home: Path, log: list[str]) -> bool:
    """The period's reports are half rendered into their staging folder."""
    return any(len(_files(d, "**/*.html")) >= 5
               for d in _files(home / "reports", f".*{STAGING}*"))


KILL_WHEN = {"ingest": _mid_ingest, "transform": _mid_transform,
             "obligations": _mid_obligations, "report": _mid_report}


def kill_during(runner, home: Path, stage: str) -> list[str]:
    """Start `arvo steer` and SIGKILL it as soon as `stage` is in progress; its log."""
    proc = runner.start("steer", "--home", str(home), "--period", PERIOD)
    log: list[str] = []

    def read() -> None:
        for line in proc.stderr:
            log.append(line)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    deadline = time.monotonic() + 300
    try:
        while not KILL_WHEN[stage](home, log):
            assert proc.poll() is None, f"the run ended before {stage} was seen:\n{''.join(log)}"
            assert time.monotonic() < deadline, f"{stage} not seen in 300 s"
            time.sleep(0.01)
    finally:  # also when the stage was not seen: no run outlives the test
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
    reader.join(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    (runner.base / f"killed-{stage}.log").write_text("".join(log))
    return log


# ---------------------------------------------------------------- what a run leaves


def warehouse_tables(home: Path) -> dict[str, list[tuple[str, ...]]]:
    """Every table of the warehouse: its rows sorted, each value as its repr (a double's
    repr is exact), without the WHEN and WHERE columns and with only the rest of
    PART_WHEN's."""
    out = {}
    with duckdb.connect(str(home / "warehouse" / "arvo.duckdb"), read_only=True) as con:
        tables = [r[0] for r in con.execute(
            "select table_name from information_schema.tables "
            "where table_type = 'BASE TABLE' order by 1").fetchall()]
        for table in tables:
            columns = [r[0] for r in con.execute(f'describe "{table}"').fetchall()]
            keep = ", ".join(PART_WHEN.get(c, f'"{c}"') for c in columns
                             if c not in WHEN | WHERE)
            rows = con.execute(f'select {keep} from "{table}" order by all').fetchall()
            out[table] = [tuple(map(repr, r)) for r in rows]
    return out


def lake_tables(home: Path) -> dict[str, list[tuple[str, ...]]]:
    """Every file under the lake and the quarantine: a Parquet file's rows (without the WHEN
    columns), any other file's name (a leftover would show)."""
    out = {}
    for sub in ("lake", "quarantine"):
        for path in sorted((home / sub).rglob("*")):
            if not path.is_file() or path.name == INDEX:  # planning's cache of the log
                continue
            name = path.relative_to(home).as_posix()
            if path.suffix == ".parquet":
                table = pq.read_table(path)
                table = table.drop_columns([c for c in table.column_names if c in WHEN])
                out[name] = sorted(tuple(map(repr, r.values())) for r in table.to_pylist())
            else:
                out[name] = []
    return out


def report_files(home: Path) -> dict[str, bytes]:
    """Every file under the reports folder, hidden ones included, with its bytes."""
    root = home / "reports"
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def expected(reference):
    return {"warehouse": warehouse_tables(reference), "lake": lake_tables(reference),
            "reports": report_files(reference)}


def test_the_reference_run_exercises_every_stage(reference, expected):
    assert any(t.startswith("quarantine/") for t in expected["lake"])
    assert len(expected["warehouse"]["obligation_results"]) > 0
    assert len(expected["warehouse"]["mart_provider_funnel"]) > 0
    assert sum(n.endswith("/feedback.html") for n in expected["reports"]) >= 10
    assert all(not n.startswith(".") for n in expected["reports"])
    with duckdb.connect(str(reference / "warehouse" / "arvo.duckdb"), read_only=True) as con:
        types = con.execute("select typeof(total_cost_eur), typeof(cost_in_top_eur) "
                            "from mart_provider_value, mart_cost_concentration "
                            "limit 1").fetchone()
    assert types == ("DECIMAL(18,2)", "DECIMAL(18,2)")


@pytest.mark.parametrize("stage", STAGES)
def test_a_run_killed_in_a_stage_and_rerun_leaves_what_an_uninterrupted_run_leaves(
        runner, region, expected, stage):
    home = fresh_copy(region, runner.base / f"killed-{stage}")
    kill_during(runner, home, stage)
    if stage == "ingest":  # killed before every month was logged: the rerun re-ingests
        logs = _files(home / "lake" / "ingest_log", "*/*/data.parquet")
        assert len(logs) < sum(n.startswith("lake/ingest_log/") for n in expected["lake"])
    if stage == "report":  # never half written: the folder is absent, its staging left
        assert not (home / "reports" / PERIOD).exists()
        assert _files(home / "reports", f".*{STAGING}*")
    runner("steer", "--home", str(home), "--period", PERIOD,
           log=runner.base / f"rerun-{stage}.log")
    assert report_files(home) == expected["reports"]  # staging leftovers removed too
    assert lake_tables(home) == expected["lake"]
    got = warehouse_tables(home)
    assert sorted(got) == sorted(expected["warehouse"])
    different = [t for t in got if got[t] != expected["warehouse"][t]]
    assert different == []
