"""The columns every mart carries are written once: the definitions version as the last
column (macro arvo_final_with_version), a provider mart's period, business ID and
registered name and the rest of its grain (macro arvo_provider_columns), a provider
file's month, entity and name (macro arvo_provider_file_columns) and a segment mart's
period, code and names (macro arvo_segment_columns)."""

from __future__ import annotations

import re

from arvo.config import REPO_ROOT
from tests.dbt_project.project_sql import macro, places

DBT_DIR = REPO_ROOT / "dbt_project"
MARTS = DBT_DIR / "models" / "marts"


def test_every_mart_ends_with_its_definitions_version():
    endings = {path.name: path.read_text("utf-8").rstrip().splitlines()[-1]
               for path in sorted(MARTS.glob("*.sql"))}
    assert len(endings) >= 29
    assert {name for name, last in endings.items()
            if last != "{{ arvo_final_with_version() }}"} == set()


def test_no_model_writes_the_definitions_version_column_itself():
    written = places(DBT_DIR / "models", re.compile(r"\bas definitions_version\b"))
    assert written == []


def test_the_provider_columns_are_the_period_the_id_and_the_registered_name():
    columns = macro(DBT_DIR / "macros" / "provider_columns.sql", "arvo_provider_columns",
                    {"arvo_period": lambda: "2026-05"})
    assert [line.strip() for line in str(columns("j")).strip().splitlines()] == [
        "cast('2026-05' as varchar) as period,",
        "cast(j.provider_id as varchar) as provider_id,",
        "cast(pr.provider_name as varchar) as provider_name"]


def test_the_rest_of_a_provider_marts_grain_follows_as_text_keys():
    columns = macro(DBT_DIR / "macros" / "provider_columns.sql", "arvo_provider_columns",
                    {"arvo_period": lambda: "2026-05"})
    assert [line.strip() for line in str(columns("o", ["package_code", "measure"]))
            .strip().splitlines()][2:] == [
        "cast(pr.provider_name as varchar) as provider_name,",
        "cast(o.package_code as varchar) as package_code,",
        "cast(o.measure as varchar) as measure"]


def test_a_segment_marts_first_columns_are_the_period_the_code_and_the_names():
    columns = macro(DBT_DIR / "macros" / "provider_columns.sql", "arvo_segment_columns",
                    {"arvo_period": lambda: "2026-05"})
    assert [line.strip() for line in str(columns("s")).strip().splitlines()] == [
        "cast('2026-05' as varchar) as period,",
        "cast(s.segment_code as varchar) as segment_code,",
        "cast(s.name_fi as varchar) as segment_name_fi,",
        "cast(s.name_en as varchar) as segment_name_en"]
    # the segment marts take them from the macro, none writes the names itself
    assert places(MARTS, re.compile(r"name_fi as varchar\) as segment_name_fi")) == []
    assert len(places(MARTS, re.compile(r"arvo_segment_columns\("))) == 2


def test_provider_marts_take_the_name_from_the_macro_and_join_the_register():
    # a mart that writes the name join's cast itself is a second copy of the rule
    assert places(MARTS, re.compile(r"pr\.provider_name as")) == []
    users = places(MARTS, re.compile(r"arvo_provider(_file)?_columns\("))
    assert len(users) >= 12
    for place in users:
        text = (MARTS / place.split(":")[0]).read_text("utf-8")
        alias = re.search(r"arvo_provider(?:_file)?_columns\('(\w+)'", text).group(1)
        assert re.search(r"left join providers as pr\s+on pr\.provider_id = "
                         + alias + r"\.provider_id", text), place


def test_a_provider_file_is_the_provider_columns_then_month_entity_and_file_name():
    columns = macro(DBT_DIR / "macros" / "provider_columns.sql", "arvo_provider_file_columns",
                    {"arvo_period": lambda: "2026-05"})
    assert [line.strip() for line in str(columns("q")).strip().splitlines()] == [
        "cast('2026-05' as varchar) as period,",
        "cast(q.provider_id as varchar) as provider_id,",
        "cast(pr.provider_name as varchar) as provider_name,",
        "cast(q.submission_month as varchar) as month,",
        "cast(q.entity as varchar) as entity,",
        "cast(q.source_file as varchar) as source_file"]
    # the marts of a provider's files take them from the macro, none writes them itself
    assert places(MARTS, re.compile(r"submission_month as varchar\) as month\b")) == []
    assert len(places(MARTS, re.compile(r"arvo_provider_file_columns\("))) == 3
