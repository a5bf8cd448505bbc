"""Shared fixtures: a pseudonymisation key for every test, one Prefect test server per session."""

from __future__ import annotations

import pytest

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
