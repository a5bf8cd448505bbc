"""A model's plain imports and a measure's display columns are written once.

- macro arvo_import_ctes (macros/import_ctes.sql) renders a model's import CTEs from a
  list, the same SQL as each `x as (select * from {{ ref('x') }})` written out; a model
  or macro that writes two or more plain imports out in a row is found here, naming file
  and line;
- macro arvo_measure_display (macros/measure_display.sql) casts seed prom_measures's
  display columns to the types every mart's contract gives them.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from arvo.config import REPO_ROOT
from tests.dbt_project.project_sql import macro, places, project_file

DBT_PROJECT = REPO_ROOT / "dbt_project"
MACROS = DBT_PROJECT / "macros"

# two plain import CTEs in a row: `x as (select * from {{ ref('...') }})`, then another
_IMPORT = r"\w+ as \(\s*(?:--[^\n]*\s*)*select \* from \{\{ ref\('\w+'\) \}\}\s*\),\s*"
_WRITTEN_OUT = re.compile(rf"^(?:{_IMPORT}){{2}}", re.MULTILINE)


class _Relation:
    def __init__(self, name: str) -> None:
        self.name = name

    def __str__(self) -> str:
        return f'"arvo"."main"."{self.name}"'


def written_out_imports(project: Path) -> list[str]:
    """`file:line` of each run of two or more plain import CTEs written out by hand."""
    return places(project, _WRITTEN_OUT)


def test_the_macro_renders_the_import_ctes_as_written_out():
    imports = macro(MACROS / "import_ctes.sql", "arvo_import_ctes", {"ref": _Relation})
    sql = str(imports([("providers", "stg_definitions__providers"),
                       ("pairs", "int_pairs_assessed")]))
    assert sql == ('providers as (\n\n'
                   '    select * from "arvo"."main"."stg_definitions__providers"\n\n'
                   '),\n\n'
                   'pairs as (\n\n'
                   '    select * from "arvo"."main"."int_pairs_assessed"\n\n'
                   ')')


def test_imports_written_out_are_found(tmp_path):
    project_file(tmp_path, "models/m.sql", """with

providers as (

    select * from {{ ref('stg_definitions__providers') }}

),

pairs as (

    -- each instrument's primary measure
    select * from {{ ref('int_pairs_assessed') }}

),

primary_pairs as (

    select * from {{ ref('int_pairs_assessed') }}
    where is_primary

),

final as (select * from pairs)

select * from final
""")
    # one import, then a filtered one: the filter is the model's logic, not an import
    project_file(tmp_path, "models/n.sql",
                 "with\nproviders as (select * from {{ ref('stg_definitions__providers') }}),\n"
                 "pairs as (select * from {{ ref('int_pairs_assessed') }} where is_primary),\n"
                 "final as (select * from pairs) select * from final\n")
    assert written_out_imports(tmp_path) == ["models/m.sql:3"]


def test_no_model_or_macro_writes_its_imports_out():
    found = written_out_imports(DBT_PROJECT)
    assert not found, ("two or more plain import CTEs written out: list them with "
                       "arvo_import_ctes:\n" + "\n".join(found))


def _contract_types() -> dict[str, set[str]]:
    """Display column -> the data types the marts' contracts give it."""
    marts = yaml.safe_load((DBT_PROJECT / "models" / "marts" / "_marts__models.yml")
                           .read_text("utf-8"))["models"]
    types: dict[str, set[str]] = {}
    for model in marts:
        for column in model.get("columns", []):
            types.setdefault(column["name"], set()).add(column.get("data_type"))
    return types


def test_the_display_columns_are_cast_to_every_contracts_types():
    display = macro(MACROS / "measure_display.sql", "arvo_measure_display")
    sql = " ".join(str(display("m")).split())
    casts = dict((name, kind) for kind, name in
                 re.findall(r"cast\(m\.\w+ as (\w+)\) as (\w+)", sql))
    assert list(casts) == ["instrument_label", "measure_label", "higher_is_better",
                           "decimals", "mid"]
    contracts = _contract_types()
    for name, kind in casts.items():
        assert contracts[name] == {kind}, (name, kind, contracts[name])
    assert " ".join(str(display("j", ["measure_label", "decimals"])).split()) == (
        "cast(j.measure_label as varchar) as measure_label, "
        "cast(j.decimals as integer) as decimals")
