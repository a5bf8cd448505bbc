"""The layout the architecture promises (docs/architecture.md): the library never reaches
into the orchestration, and the flows hold no work of their own."""

from __future__ import annotations

import ast
from pathlib import Path

from arvo.config import REPO_ROOT


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_the_library_never_imports_the_flows():
    files = sorted((REPO_ROOT / "arvo").rglob("*.py"))
    assert len(files) > 40
    for path in files:
        assert not {m for m in _imports(path) if m == "flows" or m.startswith("flows.")}, path


def test_every_library_module_is_readable_in_one_sitting():
    for path in sorted((REPO_ROOT / "arvo").rglob("*.py")):
        lines = len(path.read_text("utf-8").splitlines())
        assert lines <= 500, f"{path.relative_to(REPO_ROOT)} has {lines} lines: split it"


def test_the_flows_only_wire():
    """flows/ modules are Prefect flows and tasks (and the CLI): short, and each task a
    thin call into the library."""
    tasks = 0
    for path in sorted((REPO_ROOT / "flows").rglob("*.py")):
        lines = len(path.read_text("utf-8").splitlines())
        assert lines <= 450, f"{path.relative_to(REPO_ROOT)} has {lines} lines"
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and any(
                    getattr(getattr(d, "func", d), "id", None) == "task"
                    for d in node.decorator_list):
                body = [s for s in node.body if not isinstance(s, ast.Expr)
                        or not isinstance(getattr(s, "value", None), ast.Constant)]
                assert len(body) <= 6, f"task {node.name} in {path.name} does work itself"
                tasks += 1
    assert tasks >= 10
