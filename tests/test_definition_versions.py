"""Versioned definitions: which version a period uses, the change log, and the check of a
history (arvo/definition_versions.py, arvo/definition_changes.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from arvo import definition_changes, definition_versions, definitions
from arvo.config import REPO_ROOT
from tests.conftest import first_version_copy

DEFS = REPO_ROOT / "definitions"


@pytest.fixture()
def history(tmp_path) -> Path:
    """A copy of the repository's definitions with their whole history."""
    shutil.copytree(DEFS, tmp_path / "definitions")
    return tmp_path / "definitions"


def _version(root: Path, vid: str, month: str, files: dict[str, str] | None = None,
             description: str = "a change") -> Path:
    folder = root / "versions" / vid
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "version.yml").write_text(
        f"version: {vid}\nin_force_from: \"{month}\"\ndescription: {description}\n",
        encoding="utf-8")
    for name, text in (files or {}).items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_a_period_uses_the_version_in_force_at_it():
    assert [(v.id, v.in_force_from) for v in definition_versions.history(DEFS)] == [
        ("v1", "2024-01"), ("v2", "2025-01")]
    for period, vid in (("2024-01", "v1"), ("2024-12", "v1"), ("2025-01", "v2"),
                        ("2026-06", "v2")):
        defs = definitions.load(DEFS, period)
        assert defs.version == vid, period
    assert definitions.load(DEFS).version == "v2"  # no period: the latest
    v1, v2 = definitions.load(DEFS, "2024-12"), definitions.load(DEFS, "2025-01")
    frail = [o for o in v2.obligations if o.segment == "FRAIL_ELDERLY"]
    assert not [o for o in v1.obligations if o.segment == "FRAIL_ELDERLY"]
    assert [(o.sector, o.instruments) for o in frail] == [("all", ["EQ5D5L"])]
    # v2 holds only obligations.yml: everything else carries over from v1
    assert v2.segments == v1.segments and v2.objectives == v1.objectives
    assert v2.payments == v1.payments and v2.providers == v1.providers
    with pytest.raises(definitions.DefinitionError, match=r"version.yml: no definitions are "
                       r"in force at 2023-12: the first version v1 is in force from 2024-01"):
        definitions.load(DEFS, "2023-12")


def test_an_unversioned_folder_is_one_version_in_force_always(tmp_path):
    folder = first_version_copy(tmp_path / "plain")
    (only,) = definition_versions.history(folder)
    assert (only.id, only.in_force_from) == ("current", None)
    assert definitions.load(folder, "1999-01").version == "current"


def test_the_change_log_names_what_each_version_changed(history):
    (change,) = definition_changes.change_log(DEFS)
    assert (change.version, change.in_force_from, change.file, change.kind, change.item) == (
        "v2", "2025-01", "obligations.yml", "added",
        "obligation segment FRAIL_ELDERLY, sector all")
    objectives = (DEFS / "objectives.yml").read_text(encoding="utf-8")
    _version(history, "v3", "2026-01", {
        "objectives.yml": objectives.replace("    target: 0.50\n", "    target: 0.55\n", 1)})
    changes = definition_changes.change_log(history)
    assert [str(c) for c in changes[1:]] == [
        "v3 objectives.yml: changed objective DEP_RECOVERY; target: 0.5 -> 0.55"]


@pytest.mark.parametrize(("setup", "expected"), [
    (lambda r: _version(r, "v3", "2024-06").rename(r / "versions" / "v9"),
     r"versions/v9/version.yml: version: 'v3' differs from the folder's name 'v9'"),
    (lambda r: _version(r, "v3", "2025-01"),
     r"versions/v3/version.yml: in_force_from: 2025-01 is already when .*versions/v2/"
     r"version.yml comes into force; one version per month"),
    (lambda r: _version(r, "v3", "2023-06"),
     r"versions/v3/version.yml: in_force_from: 2023-06 is before the first version"),
    (lambda r: _version(r, "v3", "2026-13"),
     r"versions/v3/version.yml: in_force_from: period '2026-13' is not a month YYYY-MM"),
    (lambda r: _version(r, "v3", "2026-01", {"segment.yml": "segments: []\n"}),
     r"versions/v3/segment.yml: not a definitions file \(allowed: providers.yml, "),
    (lambda r: (r / "versions" / "v2" / "version.yml").write_text(
        "version: v2\nin_force_from: '2025-01'\nowner: me\n", encoding="utf-8"),
     r"versions/v2/version.yml: owner: unknown key; allowed: version, in_force_from, "
     r"description"),
    (lambda r: (r / "version.yml").unlink(),
     r"definitions/version.yml: file is missing: a folder with versions/ needs the first "
     r"version's version.yml"),
])
def test_an_invalid_history_names_file_and_key(history, setup, expected):
    setup(history)
    with pytest.raises(definitions.DefinitionError, match=expected):
        definitions.load(history, "2025-06")


def test_check_explains_every_error_of_every_version(history):
    ok = definition_changes.check(history)
    assert ok.valid == ("v1 (from 2024-01)", "v2 (from 2025-01)") and not ok.errors
    obligations = (history / "versions" / "v2" / "obligations.yml").read_text(encoding="utf-8")
    (history / "versions" / "v2" / "obligations.yml").write_text(
        obligations.replace("min_baseline_rate: 0.80", "min_baseline_rate: 1.8", 1)
        .replace("min_followup_rate: 0.60", "min_followup_rate: high", 1), encoding="utf-8")
    _version(history, "v3", "2026-01", {"segments.yml": (history / "segments.yml").read_text(
        encoding="utf-8").replace('op: ">="', 'op: "=>"', 1)})
    result = definition_changes.check(history)
    assert result.valid == ("v1 (from 2024-01)",)
    text = "\n".join(result.errors)
    # v2: both errors of the one file, each with file, key, what is wrong and what is allowed
    assert "version v2 (from 2025-01)" in text
    assert "versions/v2/obligations.yml: obligations[0].min_baseline_rate: Input should be " \
           "less than or equal to 1" in text
    assert "versions/v2/obligations.yml: obligations[0].min_followup_rate: Input should be " \
           "a valid number" in text
    assert "versions/v3/segments.yml: segments[0].when[0].op: Input should be '>='" in text
    # one version alone
    only = definition_changes.check(history / "versions" / "v3")
    assert only.valid == () and len(only.errors) == 1 and "v3" in only.errors[0]
    assert definition_changes.check(DEFS / "versions" / "v2").valid == ("v2 (from 2025-01)",)


def test_the_commands_check_and_list_changes(history):
    from click.testing import CliRunner

    from flows.cli import main

    ok = CliRunner().invoke(main, ["definitions", "check", str(history)])
    assert ok.exit_code == 0, ok.output
    assert "valid: version v2 (from 2025-01)" in ok.output and "2 version(s) valid" in ok.output
    log = CliRunner().invoke(main, ["definitions", "changes", str(history)])
    assert log.exit_code == 0 and \
        "  obligations.yml: added obligation segment FRAIL_ELDERLY, sector all" in log.output
    (history / "versions" / "v2" / "version.yml").write_text("version: v2\n", encoding="utf-8")
    bad = CliRunner().invoke(main, ["definitions", "check", str(history)])
    assert bad.exit_code == 1
    assert "versions/v2/version.yml: in_force_from: Field required" in bad.output
    assert "Traceback" not in bad.output


def test_every_mart_row_and_report_names_the_version_of_its_period(tiny_warehouse):
    import duckdb

    settings = tiny_warehouse["settings"]
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        marts = [r[0] for r in con.execute(
            "select table_name from information_schema.tables "
            "where table_name like 'mart_%'").fetchall()]
        assert len(marts) >= 20
        for mart in marts:
            got = dict(con.execute(f'select period, string_agg(distinct definitions_version, '
                                   f'\',\') from "{mart}" group by period').fetchall())
            assert all(got.get(p) in (None, v) for p, v in
                       (("2024-12", "v1"), ("2025-01", "v2"))), (mart, got)
            assert set(got) <= {"2024-12", "2025-01"}
        register = dict(con.execute(
            "select distinct period, definitions_in_force_from from mart_period_register"
        ).fetchall())
        assert register == {"2024-12": "2024-01", "2025-01": "2025-01"}
        assert con.execute("select count(*) from mart_prom_compliance where period = '2025-01' "
                           "and definitions_version = 'v2'").fetchone()[0] > 0
    # the reports of 2024-12 were rendered from its marts: they name v1
    steering = tiny_warehouse["first"]["steering_report.html"]
    assert "versio v1, voimassa tammikuu 2024 alkaen" in steering
