"""Shared fixtures: a pseudonymisation key for every test, one Prefect test server per
session, and the locations of a run under a temporary home."""

from __future__ import annotations

from pathlib import Path

import pytest

from arvo.config import Settings

TEST_KEY = "arvo-test-key-not-for-production"


@pytest.fixture(autouse=True)
def pseudonym_key(monkeypatch):
    """Every test runs with a known key and without a key file."""
    monkeypatch.setenv("ARVO_PSEUDONYM_KEY", TEST_KEY)
    monkeypatch.delenv("ARVO_PSEUDONYM_KEY_FILE", raising=False)
    return TEST_KEY.encode()


@pytest.fixture(scope="session")
def prefect_server():
    """A real temporary Prefect server and database, started once for the session."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


def settings_at(home: Path) -> Settings:
    """Every location of a run under `home` (raw submissions in `home/raw`), with the
    repository's definitions, dbt project, suites and templates."""
    return Settings(home=home, raw_dir=home / "raw", lake_dir=home / "lake",
                    quarantine_dir=home / "quarantine",
                    warehouse=home / "warehouse" / "arvo.duckdb", reports_dir=home / "reports",
                    compiled_definitions_dir=home / "definitions")
