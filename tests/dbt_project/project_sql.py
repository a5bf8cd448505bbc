"""A dbt project's SQL as the tests that keep a rule written once read it
(test_same_keys, test_import_ctes, test_portability): where a pattern stands, a macro
rendered alone, and a scratch project's file for a test to find a pattern in."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jinja2


def places(project: Path, pattern: re.Pattern[str]) -> list[str]:
    """`file:line` of each match of `pattern` in the `.sql` files under `project`
    (dbt's target folder left out), relative to it."""
    found = []
    for path in sorted(project.rglob("*.sql")):
        if "target" in path.relative_to(project).parts:
            continue
        text = path.read_text("utf-8")
        for match in pattern.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.append(f"{path.relative_to(project)}:{line}")
    return found


def macro(path: Path, name: str, context: dict[str, Any] | None = None) -> Any:
    """Macro `name` of the macro file at `path`, callable outside dbt with `context` as
    the names dbt would give it (e.g. `ref`, `exceptions`)."""
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, extensions=["jinja2.ext.do"])
    return getattr(env.from_string(path.read_text("utf-8")).make_module(context or {}), name)


def project_file(project: Path, name: str, sql: str) -> None:
    """Write `sql` as file `name` (e.g. `models/m.sql`) of the scratch project `project`."""
    path = project / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(sql, encoding="utf-8")
