"""The `arvo` command line: bad arguments are refused in one line, every command has help."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from arvo.config import REPO_ROOT
from flows.cli import main


@pytest.mark.parametrize("args", [
    ["ingest", "--period", "2025-13"],
    ["steer", "--period", "2025-1"],
    ["report", "--period", "joulukuu"],
    ["cycle", "--period", "2025-06", "--period", "2025-00"],
    ["demo", "--period", "2025-12-01"],
])
def test_an_invalid_period_is_one_line_not_a_traceback(args, tmp_path):
    result = CliRunner().invoke(main, [*args, "--home", str(tmp_path)])
    assert result.exit_code == 2
    errors = [ln for ln in result.output.splitlines() if ln.startswith("Error:")]
    assert len(errors) == 1 and "is not a month YYYY-MM" in errors[0]
    assert "Traceback" not in result.output
    assert not (tmp_path / "lake").exists()  # nothing ran


def test_an_unknown_provider_is_one_line(tmp_path):
    result = CliRunner().invoke(main, ["ingest", "--period", "2025-12", "--home", str(tmp_path),
                                       "--provider", "1234567-1"])
    assert result.exit_code == 2
    assert "Error: Invalid value for '--provider': 1234567-1 not in providers.yml" in \
        result.output
    assert "Traceback" not in result.output


def _commands(group: click.Group = main, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command a user can run, as its words after `arvo` (groups walked)."""
    out = []
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            out += _commands(command, (*prefix, name))
        else:
            out.append((*prefix, name))
    return out


COMMANDS = _commands()
DOCS = "\n".join(p.read_text("utf-8") for p in [REPO_ROOT / "README.md",
                                                 *sorted((REPO_ROOT / "docs").glob("*.md"))])


def test_the_command_tree_is_walked():
    assert {("demo",), ("steer",), ("score",), ("import", "nhs-proms"),
            ("compare", "nhs-provcomm")} <= set(COMMANDS)


@pytest.mark.parametrize("words", COMMANDS, ids=" ".join)
def test_every_command_has_help_with_an_example(words):
    result = CliRunner().invoke(main, [*words, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output
    example = result.output.split("Example:", 1)[1]
    assert f"arvo {' '.join(words)}" in example, "the example runs the command itself"


@pytest.mark.parametrize("words", COMMANDS, ids=" ".join)
def test_every_command_is_in_the_readme_or_docs(words):
    assert f"arvo {' '.join(words)}" in DOCS, "document the command in README.md or docs/"


def test_a_cycle_needs_its_periods(tmp_path):
    result = CliRunner().invoke(main, ["cycle", "--home", str(tmp_path), "--from", "2025-01"])
    assert result.exit_code == 2
    assert "give --from and --to, or --period (repeatable)" in result.output
    assert not (tmp_path / "lake").exists()


@pytest.mark.parametrize(("args", "code", "stream", "text"), [
    (["--help"], 0, "stdout", "Usage: python -m flows.cli"),
    (["steer", "--period", "2025-13"], 2, "stderr", "is not a month YYYY-MM"),
    (["definitions", "check", "--definitions-dir", "/nonexistent"], 2, "stderr", "Error:"),
])
def test_the_console_script_keeps_its_exit_code_and_output(args, code, stream, text):
    """`flows.cli.run` leaves with os._exit after the exit handlers: the command's code, and
    its output flushed to a pipe (block-buffered), are what `main` gives."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "flows.cli", *args], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == code, done.stderr
    assert text in getattr(done, stream)
    if code == 0:  # all of it: the last line lists the last command
        assert done.stdout.splitlines()[-1].split()[0] == sorted(main.commands)[-1]
