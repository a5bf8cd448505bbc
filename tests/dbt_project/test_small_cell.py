"""The small-cell rule is written once in the dbt project (macro arvo_is_small, var
`small_cell`) and is the reports' rule (arvo.report.disclosure.SMALL_CELL)."""

from __future__ import annotations

import re

import yaml

from arvo.config import REPO_ROOT
from arvo.report.disclosure import SMALL_CELL
from tests.dbt_project.project_sql import macro, places

DBT_DIR = REPO_ROOT / "dbt_project"


def test_the_marts_small_cell_is_the_reports():
    project = yaml.safe_load((DBT_DIR / "dbt_project.yml").read_text("utf-8"))
    assert project["vars"]["small_cell"] == SMALL_CELL


def test_the_flag_compares_the_count_with_the_var():
    is_small = macro(DBT_DIR / "macros" / "small_cell.sql", "arvo_is_small",
                     {"var": {"small_cell": SMALL_CELL}.__getitem__})
    assert str(is_small("coalesce(f.clients, 0)")).strip() == (
        f"coalesce(f.clients, 0) < {SMALL_CELL}")


def test_no_mart_writes_its_own_small_cell_flag():
    # every `... as is_small` is the macro's; a number written in its place is a second
    # copy of the rule, which a change of SMALL_CELL would miss
    written = places(DBT_DIR / "models",
                     re.compile(r"^(?!.*arvo_is_small\().*\bas is_small\b", re.MULTILINE))
    assert written == []
    assert len(places(DBT_DIR / "models", re.compile(r"arvo_is_small\("))) >= 7
