"""Fixtures shared by the dbt project's tests."""

from __future__ import annotations

import pytest

from tests.conftest import TEST_KEY
from tests.dbt_project import tiny_lake
from tests.dbt_project.test_build import make_settings


@pytest.fixture(scope="module")
def homes(tmp_path_factory):
    """A lake (the tiny lake, its entities under test replaced by random folders) and two
    warehouses on it: one kept incrementally, one built afresh at each step."""
    root = tmp_path_factory.mktemp("homes")
    incremental = make_settings(root / "incremental")
    full = make_settings(root / "full").model_copy(update={"lake_dir": incremental.lake_dir})
    tiny_lake.write(incremental.lake_dir)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ARVO_PSEUDONYM_KEY", TEST_KEY)
        yield incremental, full
