"""The layout the architecture promises (docs/architecture.md): the library never reaches
into the orchestration, the flows hold no work of their own, and the architecture's table
names every package and module."""

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


def _architecture_rows() -> list[tuple[set[str], str]]:
    """docs/architecture.md's package table: (the names a row is about, the row's text)."""
    text = (REPO_ROOT / "docs" / "architecture.md").read_text("utf-8")
    rows = []
    for line in text.splitlines():
        if line.startswith("| `"):
            first = line.split("|")[1]
            rows.append(({name.strip().strip("`") for name in first.split(",")}, line))
    return rows


def undescribed_modules(root: Path, rows: list[tuple[set[str], str]]) -> list[str]:
    """The modules under `root`'s arvo/ and flows/ that the table neither names in a row of
    their own nor lists, as `module`, in their package's row."""
    missing = []
    for top in ("arvo", "flows"):
        for path in sorted((root / top).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            dotted = ".".join(parts)
            if len(parts) == 1:
                continue
            package = ".".join(parts[:-1])
            described = any(
                dotted in names or f"`{dotted}`" in line
                or (package in names and len(parts) > 2 and f"`{parts[-1]}`" in line)
                for names, line in rows)
            if not described:
                missing.append(dotted)
    return missing


def test_a_module_the_table_does_not_name_is_found(tmp_path):
    for name in ("arvo/demo/__init__.py", "arvo/demo/region.py", "arvo/demo/tally.py",
                 "arvo/hetu.py", "arvo/meetings.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("", encoding="utf-8")
    (tmp_path / "flows").mkdir()
    rows = [({"arvo.hetu"}, "| `arvo.hetu` | identity codes |"),
            ({"arvo.demo"}, "| `arvo.demo` | the region: `region` |")]
    assert undescribed_modules(tmp_path, rows) == ["arvo.demo.tally", "arvo.meetings"]


def test_docs_architecture_describes_every_package_and_module():
    rows = _architecture_rows()
    assert len(rows) > 30
    missing = undescribed_modules(REPO_ROOT, rows)
    assert not missing, ("docs/architecture.md's package table does not describe: "
                         + ", ".join(missing))
