"""Quick commands answer in seconds: `check`, `score`, `definitions check` and every
`--help` call the library and never import Prefect (no Prefect server is started)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from arvo.config import REPO_ROOT
from tests.ingest.test_check import clean_month
from tests.test_cli import COMMANDS

# Runs each command line of argv[1] (a JSON list) in this one process, as `arvo` would,
# then prints each one's exit status and whether Prefect was imported.
RUNNER = """
import json, sys
from flows.cli import main
statuses = []
for args in json.loads(sys.argv[1]):
    try:
        main(args, prog_name="arvo")
    except SystemExit as exc:
        statuses.append(exc.code or 0)
    else:
        statuses.append(0)
print(json.dumps({"statuses": statuses, "prefect": "prefect" in sys.modules}))
"""


def run_quick(tmp_path, *command_lines: list[str]) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("ARVO_", "PREFECT_"))}  # no key, no Prefect server
    env.update(PYTHONPATH=str(REPO_ROOT), ARVO_HOME=str(tmp_path / "var"))
    proc = subprocess.run([sys.executable, "-c", RUNNER, json.dumps(command_lines)],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_importing_the_flows_package_and_the_cli_imports_no_prefect(tmp_path):
    assert run_quick(tmp_path) == {"statuses": [], "prefect": False}


def test_every_help_imports_no_prefect(tmp_path):
    lines = [["--help"], *[[*words, "--help"] for words in COMMANDS]]
    assert run_quick(tmp_path, *lines) == {"statuses": [0] * len(lines), "prefect": False}


@pytest.mark.parametrize("args, status", [
    (["definitions", "check"], 0),
    (["check", "{clean}"], 0),
    (["check", "{missing}"], 2),
    (["score", "EQ5D5L", "{responses}", "--out", "{out}"], 0),
    (["score", "PHQ9", "{responses}"], 2),  # the file lacks PHQ-9's items
], ids=lambda v: " ".join(v) if isinstance(v, list) else str(v))
def test_a_quick_command_runs_without_prefect(tmp_path, args, status):
    paths = {"clean": clean_month(tmp_path / "raw"), "missing": tmp_path / "nowhere",
             "responses": tmp_path / "eq5d.csv", "out": tmp_path / "scored.csv"}
    paths["responses"].write_text("response_id,q1,q2,q3,q4,q5,q6\nR1,1,2,3,4,5,80\n"
                                  "R2,2,2,2,2,2,70\n", encoding="utf-8")
    line = [a.format(**paths) for a in args]
    assert run_quick(tmp_path, line) == {"statuses": [status], "prefect": False}
    if args[0] == "score" and status == 0:
        assert "eq5d_index" in paths["out"].read_text("utf-8")
