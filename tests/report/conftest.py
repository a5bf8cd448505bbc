"""The hand-made warehouse of tests/report/handmade.py, fresh for each test."""

from __future__ import annotations

from pathlib import Path

import pytest

from arvo.config import Settings
from tests.report import handmade


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    return handmade.build(tmp_path)
