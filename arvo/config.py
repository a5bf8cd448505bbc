"""Where Arvo reads and writes, and the pseudonymisation key, from the environment.

Every path defaults to a folder under `var/` in the working directory; set
`ARVO_HOME` to move them all, or one variable each to move one. Limits of the ingest
are settings too: the raw bytes one wave of months holds (`ARVO_INGEST_WAVE_MB`,
arvo.ingest.waves), the largest file read (`ARVO_MAX_FILE_MB`, and for Parquet, whose
bytes on disk say little of its rows, `ARVO_MAX_FILE_ROWS`), and how many worker
processes ingest a wave of at least `ARVO_INGEST_PROCESS_MB` side by side
(`ARVO_INGEST_PROCESSES`, arvo.ingest.workers).
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

REPO_ROOT = Path(__file__).resolve().parent.parent
MB = 1 << 20  # the limits' unit: a megabyte of 1,048,576 bytes
INGEST_WAVE_MB = 64  # raw bytes of one ingest wave (docs/operations.md, "Ingest in waves")
MAX_FILE_MB = 200  # the largest submission file read: a file of 200 MB takes about
# 3.7 GB to ingest (docs/operations.md, "Ingest in waves"; docs/submission-contract.md)
MAX_FILE_ROWS = 3_000_000  # the most rows a Parquet file may hold by its footer: 3 million
# events took 3.5 GB to ingest (the same sections)
INGEST_PROCESSES = max(1, min(8, os.cpu_count() or 1))  # one worker process per core
INGEST_PROCESS_MB = 1  # a smaller wave (a test's few rows) is ingested in the run's own
# process; from 3.7 MB on the workers were measured faster (docs/operations.md, "Ingest in
# waves")


class MissingKey(RuntimeError):
    """No pseudonymisation key was configured."""


class Settings(BaseModel):
    """Locations of every input and output of a run."""

    model_config = ConfigDict(frozen=True)

    home: Path
    raw_dir: Path
    lake_dir: Path
    quarantine_dir: Path
    warehouse: Path
    reports_dir: Path
    compiled_definitions_dir: Path
    meetings_dir: Path | None = None  # agreements of steering meetings (arvo.meetings)
    definitions_dir: Path = REPO_ROOT / "definitions"
    dbt_project_dir: Path = REPO_ROOT / "dbt_project"
    expectations_dir: Path = REPO_ROOT / "expectations"
    templates_dir: Path = REPO_ROOT / "reports" / "templates"
    # the ingest reads, validates and writes months in waves of at most this many bytes of
    # raw files (at least one month a wave), and rejects unread a file larger than
    # max_file_bytes
    ingest_wave_bytes: int = Field(INGEST_WAVE_MB * MB, gt=0)
    max_file_bytes: int = Field(MAX_FILE_MB * MB, gt=0)
    max_file_rows: int = Field(MAX_FILE_ROWS, gt=0)  # of a Parquet file, by its footer
    # a wave of at least ingest_process_bytes is ingested by this many worker processes
    ingest_processes: int = Field(INGEST_PROCESSES, gt=0)
    ingest_process_bytes: int = Field(INGEST_PROCESS_MB * MB, gt=0)

    @classmethod
    def from_env(cls, home: Path | str | None = None) -> Settings:
        """Settings from ARVO_* environment variables, with `var/` defaults under `home`."""
        env = os.environ
        base = Path(home or env.get("ARVO_HOME", "var")).resolve()

        def path(var: str, default: Path) -> Path:
            return Path(env[var]).resolve() if env.get(var) else default

        return cls(
            home=base,
            raw_dir=path("ARVO_RAW_DIR", base / "demo" / "raw"),
            lake_dir=path("ARVO_LAKE_DIR", base / "lake"),
            quarantine_dir=path("ARVO_QUARANTINE_DIR", base / "quarantine"),
            warehouse=path("ARVO_WAREHOUSE", base / "warehouse" / "arvo.duckdb"),
            reports_dir=path("ARVO_REPORTS_DIR", base / "reports"),
            compiled_definitions_dir=base / "definitions",
            meetings_dir=path("ARVO_MEETINGS_DIR", base / "meetings"),
            definitions_dir=path("ARVO_DEFINITIONS_DIR", REPO_ROOT / "definitions"),
            ingest_wave_bytes=megabytes("ARVO_INGEST_WAVE_MB", INGEST_WAVE_MB),
            max_file_bytes=megabytes("ARVO_MAX_FILE_MB", MAX_FILE_MB),
            max_file_rows=max(1, round(positive("ARVO_MAX_FILE_ROWS", MAX_FILE_ROWS, " of rows"))),
            ingest_processes=max(1, round(positive("ARVO_INGEST_PROCESSES", INGEST_PROCESSES,
                                                   " of processes"))),
            ingest_process_bytes=megabytes("ARVO_INGEST_PROCESS_MB", INGEST_PROCESS_MB),
        )


def positive(var: str, default: float, unit: str = "") -> float:
    """The environment variable `var` as a positive, finite number (`default` if unset)."""
    value = os.environ.get(var) or str(default)
    try:
        number = float(value)
    except ValueError:
        number = 0.0
    if not number > 0 or number == float("inf"):
        raise ValueError(f"{var}={value!r}: give a positive number{unit}, e.g. {default}")
    return number


def megabytes(var: str, default: float) -> int:
    """The environment variable `var` (megabytes, a positive number) in bytes."""
    return max(1, int(positive(var, default, " of megabytes") * MB))


def pseudonym_key() -> bytes:
    """The keyed-hash secret: ARVO_PSEUDONYM_KEY, or the file named by ARVO_PSEUDONYM_KEY_FILE."""
    value = os.environ.get("ARVO_PSEUDONYM_KEY")
    if value:
        return value.encode("utf-8")
    key_file = os.environ.get("ARVO_PSEUDONYM_KEY_FILE")
    if key_file:
        path = Path(key_file)
        if not path.is_file():
            raise MissingKey(f"ARVO_PSEUDONYM_KEY_FILE points to {path}, which does not exist")
        key = path.read_bytes().strip()
        if key:
            return key
        raise MissingKey(f"pseudonymisation key file {path} is empty")
    raise MissingKey(
        "no pseudonymisation key: set ARVO_PSEUDONYM_KEY or ARVO_PSEUDONYM_KEY_FILE "
        "(e.g. `openssl rand -hex 32 > /secure/arvo.key`)"
    )
