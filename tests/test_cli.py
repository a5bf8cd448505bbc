"""The `arvo` command line: bad arguments are refused in one line, every command has help."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

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


@pytest.mark.parametrize("command", ["demo", "generate", "ingest", "steer", "cycle", "report",
                                     "score", "bench"])
def test_every_command_has_help_with_an_example(command):
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output
