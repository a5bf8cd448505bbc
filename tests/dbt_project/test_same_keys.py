"""Joins on a composite key are written once: macro arvo_same_keys (macros/same_keys.sql).

The macro renders `left.k = right.k and ...` for its key columns; a model, data test or
macro that spells out two or more such equalities of the same two relations by hand
(`on a.x = b.x and a.y = b.y`) is found here, naming file and line, so that a key
cannot be paired with another by a slip in one of the many joins on an episode's cycle,
a provider's folder or a measure.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from arvo.config import REPO_ROOT
from tests.dbt_project.project_sql import macro, places, project_file

DBT_PROJECT = REPO_ROOT / "dbt_project"
MACRO = DBT_PROJECT / "macros" / "same_keys.sql"

# `on|where a.k = b.k` followed on the next lines by `and a.j = b.j`, the same two aliases
_HAND_WRITTEN = re.compile(
    r"\b(?:on|where)\s+(\w+)\.(\w+)\s*=\s*(\w+)\.\2\s*\n\s*and\s+\1\.(\w+)\s*=\s*\3\.\4\b")


class _CompilerError(Exception):
    pass


class _Exceptions:
    """The part of dbt's `exceptions` context the macro uses."""

    @staticmethod
    def raise_compiler_error(message: str) -> None:
        raise _CompilerError(message)


def _same_keys(left: str, right: str, keys: object) -> str:
    return str(macro(MACRO, "arvo_same_keys", {"exceptions": _Exceptions()})(
        left, right, keys))


def hand_written_joins(project: Path) -> list[str]:
    """`file:line` of each composite-key join written out by hand under `project`."""
    return places(project, _HAND_WRITTEN)


def test_the_macro_joins_each_key_of_the_left_to_the_same_key_of_the_right():
    sql = _same_keys("c", "s", ["provider_id", "episode_id", "cycle"])
    assert " ".join(sql.split()) == (
        "c.provider_id = s.provider_id and c.episode_id = s.episode_id and c.cycle = s.cycle")
    assert " ".join(_same_keys("a", "b", ["k"]).split()) == "a.k = b.k"


@pytest.mark.parametrize("keys", [[], "provider_id"])
def test_the_macro_refuses_keys_that_are_not_a_list_of_columns(keys):
    with pytest.raises(_CompilerError, match="non-empty list of key columns"):
        _same_keys("a", "b", keys)


def test_a_hand_written_composite_join_is_found(tmp_path):
    # the second join's equalities name three relations: not one composite key
    project_file(tmp_path, "models/m.sql", """select *
from a
inner join b
    on b.provider_id = a.provider_id
    and b.episode_id = a.episode_id
left join c
    on c.client_id = a.client_id
    and c.period = b.period
""")
    assert hand_written_joins(tmp_path) == ["models/m.sql:4"]


def test_no_model_test_or_macro_writes_a_composite_join_by_hand():
    found = hand_written_joins(DBT_PROJECT)
    assert not found, ("joins on two or more keys of the same two relations: write them "
                       "with arvo_same_keys:\n" + "\n".join(found))
