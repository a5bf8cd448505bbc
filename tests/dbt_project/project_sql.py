"""Where a pattern stands in a dbt project's SQL: the finder of the tests that keep a
rule written once (test_same_keys, test_import_ctes)."""

from __future__ import annotations

import re
from pathlib import Path


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
