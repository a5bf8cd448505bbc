"""Settings from the environment: the ingest's limits in megabytes, and its worker processes."""

from __future__ import annotations

import os

import pytest

from arvo.config import (
    INGEST_PROCESS_MB,
    INGEST_PROCESSES,
    INGEST_WAVE_MB,
    MAX_FILE_MB,
    MAX_FILE_ROWS,
    MB,
    Settings,
)


def test_the_ingest_limits_default_and_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("ARVO_INGEST_WAVE_MB", raising=False)
    monkeypatch.delenv("ARVO_MAX_FILE_MB", raising=False)
    monkeypatch.delenv("ARVO_MAX_FILE_ROWS", raising=False)
    s = Settings.from_env(tmp_path)
    assert (s.ingest_wave_bytes, s.max_file_bytes, s.max_file_rows) == (
        INGEST_WAVE_MB * MB, MAX_FILE_MB * MB, MAX_FILE_ROWS)
    monkeypatch.setenv("ARVO_INGEST_WAVE_MB", "0.5")
    monkeypatch.setenv("ARVO_MAX_FILE_MB", "2048")
    monkeypatch.setenv("ARVO_MAX_FILE_ROWS", "5000000")
    s = Settings.from_env(tmp_path)
    assert (s.ingest_wave_bytes, s.max_file_bytes, s.max_file_rows) == (
        MB // 2, 2048 * MB, 5_000_000)


@pytest.mark.parametrize("value", ["0", "-1", "many", "nan", "inf"])
def test_a_limit_that_is_not_a_positive_size_is_refused_naming_the_variable(
        monkeypatch, tmp_path, value):
    monkeypatch.setenv("ARVO_MAX_FILE_MB", value)
    with pytest.raises(ValueError, match=f"ARVO_MAX_FILE_MB='{value}': give a positive"):
        Settings.from_env(tmp_path)
    monkeypatch.delenv("ARVO_MAX_FILE_MB")
    monkeypatch.setenv("ARVO_MAX_FILE_ROWS", value)
    with pytest.raises(ValueError, match=f"ARVO_MAX_FILE_ROWS='{value}': give a positive"):
        Settings.from_env(tmp_path)


def test_the_ingest_workers_default_to_the_cores_and_come_from_the_environment(monkeypatch,
                                                                              tmp_path):
    monkeypatch.delenv("ARVO_INGEST_PROCESSES", raising=False)
    monkeypatch.delenv("ARVO_INGEST_PROCESS_MB", raising=False)
    s = Settings.from_env(tmp_path)
    assert (s.ingest_processes, s.ingest_process_bytes) == (INGEST_PROCESSES,
                                                            INGEST_PROCESS_MB * MB)
    assert INGEST_PROCESSES == max(1, min(8, os.cpu_count() or 1))
    monkeypatch.setenv("ARVO_INGEST_PROCESSES", "3")
    monkeypatch.setenv("ARVO_INGEST_PROCESS_MB", "100")
    s = Settings.from_env(tmp_path)
    assert (s.ingest_processes, s.ingest_process_bytes) == (3, 100 * MB)
    monkeypatch.setenv("ARVO_INGEST_PROCESSES", "none")
    with pytest.raises(ValueError, match="ARVO_INGEST_PROCESSES='none': give a positive"):
        Settings.from_env(tmp_path)
