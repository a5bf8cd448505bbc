"""Shared fixtures: a pseudonymisation key for every test, one Prefect test server per
session, the locations of a run under a temporary home, the tiny lake built through dbt
for the reports' tests, and a year of a small region's typed submissions for the suites'
tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from arvo.config import Settings

TEST_KEY = "arvo-test-key-not-for-production"


@pytest.fixture(autouse=True)
def pseudonym_key(monkeypatch):
    """Every test runs with a known key and without a key file."""
    monkeypatch.setenv("ARVO_PSEUDONYM_KEY", TEST_KEY)
    monkeypatch.delenv("ARVO_PSEUDONYM_KEY_FILE", raising=False)
    return TEST_KEY.encode()


@pytest.fixture(scope="session")
def prefect_server():
    """A real temporary Prefect server and database, started once for the session."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


LOOP_PERIODS = ["2025-06", "2025-12"]

#: The pseudonymisation key the loop region was run with. A test that ingests into the
#: region (or a copy of it) sets it too: under another key the same person would get a
#: second pseudonym, and every later run on the region would count them twice.
LOOP_KEY = "module-key"


@pytest.fixture(scope="session")
def loop_region(tmp_path_factory, prefect_server):
    """A small demo region (3,000 residents, 24 months) and the loop run over it through
    the real flows: steering 2025-06 and 2025-12, then the follow-up 2025-06..2025-12 with
    its draft of renewed definitions, and the definition review 2025-12. Reports say they
    were generated at one fixed time. Tests that change the home work on a copy."""
    from flows.cycle import CycleParams, DemoParams, cycle, generate_demo_region

    home = tmp_path_factory.mktemp("arvo")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ARVO_PSEUDONYM_KEY", LOOP_KEY)
        fixed_generated(mp)
        generate_demo_region(DemoParams(home=home, residents=3000, months=24))
        result = cycle(CycleParams(home=home, periods=LOOP_PERIODS))
    return home, result


def first_version_copy(to: Path) -> Path:
    """The repository's first definitions version (its top-level files) copied to `to` as a
    folder without a history, for tests that edit a file and load it."""
    from arvo.config import REPO_ROOT

    to.mkdir(parents=True, exist_ok=True)
    for path in (REPO_ROOT / "definitions").glob("*.yml"):
        if path.name != "version.yml":
            shutil.copy(path, to / path.name)
    return to


def settings_at(home: Path) -> Settings:
    """Every location of a run under `home` (raw submissions in `home/raw`), with the
    repository's definitions, dbt project, suites and templates."""
    return Settings(home=home, raw_dir=home / "raw", lake_dir=home / "lake",
                    quarantine_dir=home / "quarantine",
                    warehouse=home / "warehouse" / "arvo.duckdb", reports_dir=home / "reports",
                    compiled_definitions_dir=home / "definitions")


def obligation_results(warehouse: Path, period: str) -> pd.DataFrame:
    """The period's rows of the warehouse table `obligation_results`, as the reports'
    warehouse reader gives them (no rows if the period was never checked)."""
    from arvo.quality.obligations import RESULT_SCHEMA, TABLE
    from arvo.report.warehouse import open_warehouse

    with open_warehouse(warehouse) as wh:
        return pd.DataFrame(wh.rows(TABLE, period, order_by="provider_id, rule"),
                            columns=RESULT_SCHEMA.names)


TINY_PERIODS = ("2024-12", "2025-01")


@pytest.fixture(scope="session")
def tiny_warehouse(tmp_path_factory):
    """The tiny lake (tests/dbt_project/tiny_lake.py) built through dbt for two periods,
    as a steering run would: 2024-12 is built and its reports rendered (kept in `first`,
    path relative to the period's folder -> text), then the quarantine changes (P1's
    quarantined event is re-sent correctly, P1 has a new quarantined event in 2025-01)
    and 2025-01 is built. Reports are rendered with a fixed `generated` time."""
    from arvo import report, transform
    from tests.dbt_project import tiny_lake
    settings = settings_at(tmp_path_factory.mktemp("tiny") / "var")
    tiny_lake.write(settings.lake_dir)
    tiny_lake.write_quarantine(settings.quarantine_dir)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ARVO_PSEUDONYM_KEY", TEST_KEY)
        fixed_generated(mp)
        transform.build(settings, TINY_PERIODS[0])
        folder = settings.reports_dir / TINY_PERIODS[0]
        first = {p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8-sig")
                 for p in report.render_all(settings, TINY_PERIODS[0])}
        shutil.rmtree(settings.quarantine_dir / "events" / f"provider_id={tiny_lake.P1}")
        tiny_lake.write_quarantine(settings.quarantine_dir, tiny_lake.QUARANTINE_LATER)
        transform.build(settings, TINY_PERIODS[1])
    return {"settings": settings, "first": first}


@pytest.fixture(scope="session")
def month_rows(tmp_path_factory):
    """Every provider's typed rows of 2024 of a small region with its planted defects, per
    entity, and the suites' parameters (tests/quality, tests/bench)."""
    import datetime as dt

    from arvo import definitions
    from arvo.config import REPO_ROOT
    from arvo.contract import ENTITIES
    from arvo.demo import generate_region
    from arvo.ingest.submission import entity_rows, read_submissions, suite_parameters

    home = tmp_path_factory.mktemp("month-rows")
    generate_region(home / "demo", residents=2000, months=13)
    settings = Settings.from_env(home)
    defs = definitions.load(REPO_ROOT / "definitions")
    key = TEST_KEY.encode()
    batches = [read_submissions(settings, p.id, months, key) for p in defs.providers
               if (months := sorted(m.name for m in (settings.raw_dir / p.id).glob("2024-*")))]
    rows = {entity: entity_rows(batches, entity) for entity in ENTITIES}
    params = suite_parameters(defs, dt.date(2026, 12, 1))
    return rows, params


DRAFT_SEGMENTS = """\
# definitions/segments.yml with one threshold moved: MULTIMORBID needs 3 conditions, not 2
segments:
  - {code: HNHC, priority: 1, kaiser_level: intensive case management,
     name_fi: Paljon palveluja tarvitsevat, name_en: High-need high-cost,
     when: [{feature: cost_percentile, op: ">=", value: 0.90},
            {feature: social_service_types, op: ">=", value: 1},
            {feature: health_service_types, op: ">=", value: 1}]}
  - {code: FRAIL_ELDERLY, priority: 2, kaiser_level: care management,
     name_fi: Ikääntyneet, name_en: Older people,
     when: [{feature: age, op: ">=", value: 75},
            {feature: social_service_types, op: ">=", value: 1}]}
  - {code: MULTIMORBID, priority: 3, kaiser_level: care management,
     name_fi: Monisairaat, name_en: Multimorbid, name_sv: Multisjuka,
     when: [{feature: chronic_conditions, op: ">=", value: 3}]}
  - {code: SINGLE_CHRONIC, priority: 4, kaiser_level: self-management support,
     name_fi: Yksi pitkäaikaissairaus, name_en: One chronic condition,
     when: [{feature: chronic_conditions, op: "=", value: 1}]}
  - {code: MOSTLY_HEALTHY, priority: 5, kaiser_level: self-management,
     name_fi: Pääosin terveet, name_en: Mostly healthy, when: []}
"""


@pytest.fixture(scope="session")
def definition_warehouse(tmp_path_factory):
    """The tiny lake built for the definition phase of 2024-12 (`arvo define`'s build:
    +tag:definition, and int_objective_units_measured to compare with) against the draft
    DRAFT_SEGMENTS; the settings and the draft's path."""
    from arvo import definitions, drafts, transform
    from tests.dbt_project import tiny_lake
    home = tmp_path_factory.mktemp("definition")
    settings = settings_at(home / "var")
    tiny_lake.write(settings.lake_dir)
    tiny_lake.write_quarantine(settings.quarantine_dir)
    path = home / "draft_segments.yml"
    path.write_text(DRAFT_SEGMENTS, encoding="utf-8")
    draft = drafts.load_draft(path, definitions.load(settings.definitions_dir))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ARVO_PSEUDONYM_KEY", TEST_KEY)
        transform.build(settings, TINY_PERIODS[0],
                        select="+tag:definition +int_objective_units_measured",
                        exclude=None, draft=draft, indirect_selection="buildable")
    return {"settings": settings, "draft": path}


def fixed_generated(mp: pytest.MonkeyPatch) -> None:
    """Reports say they were generated, and their data stood (arvo.freeze: a period's
    build, a freeze), at one fixed time (for comparing two renders)."""
    import datetime as dt

    from arvo import freeze
    from arvo.report import feedback, render, steering

    for module in (feedback, render, steering):
        mp.setattr(module, "generated", lambda lang="fi": "1.1.2025 klo 12.00")
    mp.setattr(freeze, "now", lambda: dt.datetime(2025, 1, 1, 12, 0))


@pytest.fixture()
def fixed_time(monkeypatch):
    """Reports rendered in the test say they were generated at one fixed time."""
    fixed_generated(monkeypatch)


#: Test files that use the session's loop region: one worker runs them all, so the region
#: (about 100 s) is built once.
LOOP_FILES = frozenset(p.relative_to(Path(__file__).parent.parent).as_posix()
                       for p in Path(__file__).parent.rglob("test_*.py")
                       if "loop_region" in p.read_text(encoding="utf-8"))


def pytest_xdist_make_scheduler(config, log):
    """With `pytest -n 2 --dist loadscope` (make test): each test file runs whole on one
    worker, so its module fixtures are built once, and the loop region's files share
    one worker. (pytest-xdist's loadgroup did not group marked tests in our runs with
    pytest 9.2 and pytest-xdist 3.8.0.)"""
    from xdist.scheduler import LoadScopeScheduling

    class ByFile(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return "loop_region" if path in LOOP_FILES else path

    return ByFile(config, log)
