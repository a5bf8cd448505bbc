"""The dbt project stays portable (issue 13, "Beyond one machine"; docs/operations.md).

No model, singular data test or non-DuckDB macro body uses DuckDB-only SQL: each such
construct goes through a dbt cross-database macro or an Arvo macro dispatched with
`adapter.dispatch(..., 'arvo')`, whose `duckdb__` variant keeps the DuckDB form and whose
`default__` variant is portable. The sources (read_parquet / read_csv external
locations) and the three dbt-duckdb Python models are per adapter by nature and are not
checked here.

The check reads the SQL as written: comments are dropped, and of each Jinja block only
its string literals are kept (the SQL fragments passed to macros), so Jinja's own
arithmetic is not mistaken for SQL. What it cannot see: arithmetic on dates held in
columns (`date + integer`, `date - date`) and integer division, whose meaning differs
between engines; those are written with dbt.dateadd / dbt.datediff (arvo_add_days) and
explicit casts to double by convention.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import pytest

from arvo.config import REPO_ROOT
from tests.dbt_project.project_sql import project_file

DBT_PROJECT = REPO_ROOT / "dbt_project"
LAKE_TABLES = ("stg_lake__episodes", "stg_lake__events", "stg_lake__proms",
               "stg_lake__ingest_logs", "stg_lake__check_results")

#: (name, pattern, why it is not portable and what to write instead, a DuckDB-only
#: example the pattern must find, a portable example it must not find)
RULES: tuple[tuple[str, str, str, str, str], ...] = (
    ("qualify", r"\bqualify\b",
     "QUALIFY is DuckDB/Snowflake/BigQuery only: arvo_first_ranked",
     "select * from t qualify row_number() over (order by x) = 1",
     "select * from (select *, row_number() over (order by x) as r from t) as s where r = 1"),
    ("cast shorthand", r"::",
     "x::type is Postgres/DuckDB: cast(x as type)",
     "select x::integer from t", "select cast(x as integer) from t"),
    ("aggregate filter", r"\bfilter\s*\(\s*where\b",
     "FILTER (WHERE ..) is not in Spark, BigQuery or Snowflake: count(case when .. then 1 end)",
     "count(*) filter (where ok)", "count(case when ok then 1 end)"),
    ("union by name", r"\bunion\s+(all\s+)?by\s+name\b",
     "UNION BY NAME is DuckDB: arvo_with_optional_columns (sources) or explicit columns",
     "select * from a union all by name select * from b",
     "select a, b from t union all select a, b from u"),
    ("pivot", r"\b(un)?pivot\b",
     "PIVOT/UNPIVOT syntax differs between engines: arvo_unpivot",
     "unpivot t on a, b into name n value v", "select * from t"),
    ("star modifier", r"\*\s*(exclude|replace)\s*\(|\bcolumns\s*\(",
     "* EXCLUDE / REPLACE and COLUMNS(..) are DuckDB: list the columns",
     "select * exclude (a) from t", "select b, c from t"),
    ("struct literal", r"\{\s*'[^']*'\s*:",
     "{'k': v} struct literals are DuckDB: arvo_expand",
     "select {'term': 'x', 'x': 1}", "select 'x' as term, 1 as x"),
    ("list literal or subscript", r"\[\s*(\{|'|\d+\s*[,\]])",
     "[..] lists and subscripts are DuckDB's list type: arvo_expand, dbt.split_part",
     "select [1, 2]", "select 1 union all select 2"),
    ("list and struct functions",
     r"\b(list|array|struct|map)_\w+\s*\(|\bunnest\s*\(|\bflatten\s*\(",
     "list, array, struct and map functions and unnest differ between engines: arvo_expand",
     "select unnest(l) from t", "select x from t"),
    ("prefix test", r"\b(starts_with|ends_with|prefix|suffix)\s*\(",
     "starts_with is DuckDB/Trino: arvo_starts_with",
     "where starts_with(d, 'I5')", "where d like 'I5%'"),
    ("date functions",
     r"\b(date_diff|datediff|date_add|dateadd|date_sub|datesub|date_part|datepart|"
     r"date_trunc|make_date|make_timestamp|last_day|epoch\w*|strftime|strptime|"
     r"to_timestamp|current_localtime)\s*\(",
     "date functions are spelt differently on each engine: dbt.datediff, dbt.dateadd, "
     "dbt.date_trunc, dbt.last_day, arvo_add_days, extract(.. from ..)",
     "date_diff('day', a, b)", "extract(year from a)"),
    ("interval literal", r"\binterval\b",
     "interval literals differ between engines: dbt.dateadd, arvo_add_days",
     "a + interval 1 day", "a"),
    ("date part functions",
     r"(?<!\.)\b(year|month|day|dayofweek|dayofyear|week|quarter|hour|minute|second)\s*\(",
     "year(d), month(d) .. are not in Postgres: extract(year from d)",
     "year(birth_date)", "extract(year from birth_date)"),
    ("regular expressions", r"\bregexp_\w+\s*\(|\brlike\b|\bsimilar\s+to\b",
     "regular expression dialects and functions differ: plain string functions or a "
     "dispatched macro (arvo_quarantine_entity)",
     "regexp_matches(x, '^A')", "x like 'A%'"),
    ("argmax", r"\b(arg_max|arg_min|max_by|min_by|argmax|argmin)\s*\(",
     "arg_max/arg_min are DuckDB: arvo_first_ranked",
     "arg_max(x, y)", "max(y)"),
    ("any value", r"\b(any_value|arbitrary|first|last)\s*\(",
     "any_value/first/last differ between engines: dbt.any_value, or min/max",
     "any_value(x)", "min(x)"),
    ("anti and semi join", r"\b(anti|semi|positional|asof)\s+join\b",
     "ANTI/SEMI/POSITIONAL/ASOF JOIN are DuckDB: not exists / exists",
     "a anti join b using (k)", "a where not exists (select 1 from b where b.k = a.k)"),
    ("file readers", r"\b(read_parquet|read_csv\w*|read_json\w*|glob|parquet_scan)\s*\(",
     "file readers belong to the sources (models/staging/_sources.yml), not the models",
     "select * from read_parquet('x')", "select * from {{ source('lake', 'events') }}"),
    ("median and quantiles", r"\b(median|quantile\w*|mode)\s*\(",
     "median/quantile are not standard: arvo_median",
     "median(rate)", "percentile_cont(0.5) within group (order by rate)"),
    ("boolean aggregates", r"(?<!\.)\b(bool_or|bool_and|every|logical_or|logical_and)\s*\(",
     "bool_or/bool_and are boolor_agg etc. elsewhere: dbt.bool_or",
     "bool_or(ok)", "max(case when ok then 1 else 0 end)"),
    ("integer division", r"[\w)]\s*//\s*[\w(]",
     "// is DuckDB's integer division: cast and floor, or mod",
     "(a + b) // 2", "cast((a + b - mod(a + b, 2)) / 2 as integer)"),
    ("power operator", r"[\w)]\s*\*\*\s*[\w(]|[\w)]\s*\^\s*[\w(]",
     "^ is power in DuckDB/Postgres but XOR in Spark: power(x, y)",
     "z ^ 2", "power(z, 2)"),
    ("string functions",
     r"(?<!\.)\b(string_split\w*|str_split\w*|string_agg|group_concat|list_aggr|"
     r"split_part|concat_ws|concat|printf|format|strlen|len|contains|instr|"
     r"string_to_array|regexp_split_to_array)\s*\(",
     "string functions differ in name and null handling: dbt.concat, dbt.split_part, "
     "dbt.listagg, dbt.length, dbt.position",
     "concat(a, b)", "a || b"),
    ("conditional functions", r"\b(if|iif|ifnull|nvl|nvl2|try_cast|try)\s*\(",
     "if()/ifnull()/try_cast() differ between engines: case when, coalesce, dbt.safe_cast",
     "ifnull(x, 0)", "coalesce(x, 0)"),
    ("DuckDB clauses and keywords",
     r"\bgroup\s+by\s+all\b|\border\s+by\s+all\b|\bdistinct\s+on\b|\bilike\b|\busing\s+sample\b"
     r"|\btablesample\b|\bcount_if\s*\(|\b(generate_series|range)\s*\(",
     "GROUP BY ALL, DISTINCT ON, ILIKE, SAMPLE, count_if and range() are not portable",
     "select a, count(*) from t group by all", "select a, count(*) from t group by a"),
    ("DuckDB types",
     r"\b(hugeint|uhugeint|ubigint|uinteger|usmallint|utinyint)\b|\b(struct|map)\s*[\(\[]",
     "DuckDB's own types: integer, bigint, decimal, varchar",
     "cast(x as hugeint)", "cast(x as bigint)"),
)

_JINJA_BLOCK = re.compile(r"\{%.*?%\}|\{\{.*?\}\}", re.S)
_JINJA_COMMENT = re.compile(r"\{#.*?#\}", re.S)
_STRING = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'")
_SQL_COMMENT = re.compile(r"--[^\n]*")
_MACRO = re.compile(r"\{%-?\s*macro\s+(\w+)\s*\(.*?%\}(.*?)\{%-?\s*endmacro\s*-?%\}", re.S)


def _blank(match: re.Match) -> str:
    """The same number of lines, nothing else."""
    return "\n" * match.group(0).count("\n")


def _strings_only(match: re.Match) -> str:
    """A Jinja block as the string literals in it (SQL passed to macros), same lines; none
    of an error message's or a Python regular expression's. An expression without strings
    stands for a value: `jinja_value` (so that `{{ z }} ^ 2` reads as `jinja_value ^ 2`)."""
    block = match.group(0)
    if "raise_compiler_error" in block or "modules.re." in block:
        return _blank(match)
    strings = " ".join(s[1:-1] for s in _STRING.findall(block))
    if not strings and block.startswith("{{"):
        strings = "jinja_value"
    return strings + "\n" * block.count("\n")


def sql_as_written(text: str) -> str:
    """`text` with comments dropped and Jinja blocks reduced to their string literals,
    line for line."""
    text = _JINJA_COMMENT.sub(_blank, text)
    text = _SQL_COMMENT.sub("", text)
    return _JINJA_BLOCK.sub(_strings_only, text)


def findings(text: str, where: str, first_line: int = 1) -> list[str]:
    """`where:line: rule (why)` for every DuckDB-only construct in `text`."""
    found = []
    for number, line in enumerate(sql_as_written(text).splitlines(), start=first_line):
        for name, pattern, why, _, _ in RULES:
            if re.search(pattern, line, re.I):
                found.append(f"{where}:{number}: {name} ({why}): {line.strip()}")
    return found


def macro_bodies(path: Path) -> list[tuple[str, int, str]]:
    """(macro name, first line, body) of every macro in a macros/*.sql file."""
    text = path.read_text("utf-8")
    return [(m.group(1), text.count("\n", 0, m.start(2)) + 1, m.group(2))
            for m in _MACRO.finditer(text)]


def project_findings(project: Path) -> list[str]:
    """The DuckDB-only constructs of a dbt project: its models, its singular and generic
    data tests, and the bodies of its macros other than the `duckdb__` variants."""
    found = []
    for folder in ("models", "tests"):
        for path in sorted((project / folder).rglob("*.sql")):
            found += findings(path.read_text("utf-8"), str(path.relative_to(project)))
    for path in sorted((project / "macros").rglob("*.sql")):
        for name, line, body in macro_bodies(path):
            if not name.startswith("duckdb__"):
                found += findings(body, f"{path.relative_to(project)} ({name})", line)
    return found


@pytest.mark.parametrize("rule", RULES, ids=[r[0] for r in RULES])
def test_each_rule_finds_its_construct_and_passes_the_portable_form(rule):
    name, pattern, _, duckdb_only, portable = rule
    assert re.search(pattern, duckdb_only, re.I), name
    assert not re.search(pattern, portable, re.I), name


def test_jinja_is_read_as_the_sql_it_passes_and_comments_are_not_read():
    text = ("-- qualify in a comment\n{# unpivot in a Jinja comment #}\n"
            "{%- set i = n // 12 %}\n"
            "select {{ dbt.datediff('a', 'b', 'day') }},\n"
            "  {{ arvo_starts_with(\"starts_with(x, 'A')\", 'p') }},\n"
            "  {{ z }} ^ 2\n"
            "from t qualify 1 = 1\n")
    # starts_with passed as SQL, a power of a Jinja value, qualify; nothing else
    assert [f.split(": ")[0] for f in findings(text, "m.sql")] == [
        "m.sql:5", "m.sql:6", "m.sql:7"]


def test_no_model_test_or_portable_macro_uses_duckdb_only_sql():
    models = sorted((DBT_PROJECT / "models").rglob("*.sql"))
    assert len(models) > 70
    found = project_findings(DBT_PROJECT)
    assert not found, "DuckDB-only SQL outside the duckdb__ macros:\n" + "\n".join(found)


def _dispatched_macros(project: Path) -> dict[str, set[str]]:
    """Of each dispatched macro name, the adapter prefixes of its variants."""
    variants: dict[str, set[str]] = {}
    for path in sorted((project / "macros").rglob("*.sql")):
        for name, _, _ in macro_bodies(path):
            if "__" in name:
                prefix, base = name.split("__", 1)
                variants.setdefault(base, set()).add(prefix)
    return variants


def macros_without_default(project: Path) -> list[str]:
    """The macros dispatched in `project` (a duckdb__ variant, or an
    adapter.dispatch('name', 'arvo')) that have no default__ variant."""
    variants = _dispatched_macros(project)
    text = "\n".join(p.read_text("utf-8") for p in (project / "macros").rglob("*.sql"))
    dispatched = set(re.findall(r"adapter\.dispatch\(\s*'(\w+)'\s*,\s*'arvo'\s*\)", text))
    dispatched |= {name for name, prefixes in variants.items() if "duckdb" in prefixes}
    return sorted(name for name in dispatched if "default" not in variants.get(name, set()))


def test_a_duckdb_macro_without_a_default_is_found(tmp_path):
    project_file(tmp_path, "macros/m.sql", """\
{% macro arvo_a(x) %}{{ return(adapter.dispatch('arvo_a', 'arvo')(x)) }}{% endmacro %}
{% macro duckdb__arvo_a(x) %}a({{ x }}){% endmacro %}
{% macro duckdb__arvo_b(x) %}b({{ x }}){% endmacro %}
{% macro default__arvo_b(x) %}b({{ x }}){% endmacro %}
""")
    assert macros_without_default(tmp_path) == ["arvo_a"]


def test_every_dispatched_macro_has_a_portable_default():
    variants = _dispatched_macros(DBT_PROJECT)
    assert {"arvo_latest_submission", "arvo_first_ranked", "arvo_unpivot", "arvo_expand",
            "arvo_starts_with", "arvo_median", "arvo_add_days", "arvo_inlined"} <= {
        name for name, prefixes in variants.items() if prefixes == {"duckdb", "default"}}
    assert macros_without_default(DBT_PROJECT) == []


# ------------------------------------------------------------------ the portable SQL runs

PERIOD = "2024-12"

#: compiled model -> (what its DuckDB SQL holds, what its portable SQL holds instead)
COMPILED_MARKERS = {
    "intermediate/definition/int_clients_described.sql": ("qualify", "rank_in_partition"),
    "intermediate/segmentation/int_clients_segmented.sql": (
        "unpivot client_feature_values", "unpivot_columns"),
    "intermediate/segmentation/int_clients_profiled.sql": ("starts_with(", "position("),
    "intermediate/scoring/int_prom_measures_scored.sql": ("unnest(", "expand_items"),
    "marts/mart_prom_compliance.sql": ("median(", "percentile_cont("),
    "intermediate/episodes/int_episode_windows_scheduled.sql": (
        "(anchor_date + at_days)", "interval 1 day"),
    "staging/stg_lake__quarantined_rows.sql": ("regexp_extract(", "string_split("),
    # arvo_inlined: DuckDB reads the lake's events where each CTE reads them; the
    # portable SQL leaves materialising to the engine (nothing between `as` and `(`)
    "intermediate/episodes/int_episode_restarts_detected.sql": (
        "events as not materialized (", "events as  ("),
}


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory):
    """The tiny lake built for 2024-12, every model of the project (the definition phase's
    too, against the draft DRAFT_SEGMENTS), twice: as it runs on DuckDB, and with var
    portable_sql true (a copy of the project whose default says so), so that each macro
    dispatched through arvo_implementation runs its portable default__ variant."""
    from arvo import definitions, drafts, transform
    from tests.conftest import DRAFT_SEGMENTS, TEST_KEY, settings_at
    from tests.dbt_project import tiny_lake

    home = tmp_path_factory.mktemp("portability")
    duckdb_run = settings_at(home / "duckdb")
    tiny_lake.write(duckdb_run.lake_dir)
    tiny_lake.write_quarantine(duckdb_run.quarantine_dir)
    (home / "draft.yml").write_text(DRAFT_SEGMENTS, encoding="utf-8")
    draft = drafts.load_draft(home / "draft.yml", definitions.load(duckdb_run.definitions_dir))

    project = home / "dbt_project"
    shutil.copytree(DBT_PROJECT, project,
                    ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    config = project / "dbt_project.yml"
    text = config.read_text("utf-8")
    assert text.count("\n  portable_sql: false\n") == 1
    config.write_text(text.replace("\n  portable_sql: false\n", "\n  portable_sql: true\n"),
                      encoding="utf-8")
    portable_run = duckdb_run.model_copy(update={
        "home": home / "portable", "warehouse": home / "portable" / "arvo.duckdb",
        "compiled_definitions_dir": home / "portable" / "definitions",
        "dbt_project_dir": project})

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ARVO_PSEUDONYM_KEY", TEST_KEY)
        for settings in (duckdb_run, portable_run):
            transform.build(settings, PERIOD, exclude=None, draft=draft)
    return duckdb_run, portable_run


def _compiled(settings, model: str) -> str:
    from arvo import transform

    target = transform.dbt_paths(settings)[0]
    return (target / "compiled" / "arvo" / "models" / model).read_text("utf-8")


def test_the_portable_build_ran_the_default_variants(two_builds):
    duckdb_run, portable_run = two_builds
    for model, (duckdb_sql, portable_sql) in COMPILED_MARKERS.items():
        assert duckdb_sql in _compiled(duckdb_run, model), model
        assert portable_sql not in _compiled(duckdb_run, model), model
        assert portable_sql in _compiled(portable_run, model), model
        assert duckdb_sql not in _compiled(portable_run, model), model


def test_the_uniqueness_tests_ran_their_engines_variant(two_builds):
    """The generic test unique_combination (macro arvo_unique_combination): DuckDB groups a
    hash of the combination first, the portable variant the columns themselves."""
    from arvo import transform

    duckdb_run, portable_run = two_builds
    compiled = {run: [p.read_text("utf-8") for p in (transform.dbt_paths(run)[0] / "compiled")
                      .rglob("unique_combination_int_events_windowed_*.sql")]
                for run in (duckdb_run, portable_run)}
    assert len(compiled[duckdb_run]) == len(compiled[portable_run]) == 1
    assert "hash(provider_id, event_id)" in compiled[duckdb_run][0]
    assert "hash(" not in compiled[portable_run][0]
    assert "group by provider_id, event_id" in compiled[portable_run][0]


def test_portable_sql_builds_the_same_warehouse(two_builds):
    """Every table and view of the two builds, row for row (doubles to 9 decimals)."""
    from arvo import reference_layer

    duckdb_run, portable_run = two_builds
    with duckdb.connect() as con:
        con.execute(f"attach '{duckdb_run.warehouse}' as a (read_only)")
        con.execute(f"attach '{portable_run.warehouse}' as b (read_only)")
        relations = {db: {(r[0], r[1]) for r in con.execute(
            "select table_name, data_type from information_schema.columns "
            "where table_catalog = ? ", [db]).fetchall()} for db in ("a", "b")}
        assert relations["a"] == relations["b"]  # the same columns of the same types
        # the record of the reference layer fingerprints each build's own project and
        # folders (arvo.reference_layer), which differ by design: not a model's output
        # and the versions of the lake folders a kept staging table holds carry the
        # files' stamps, which only DuckDB lists (macros/lake_folders.sql): below
        held = {f"{name}__folders" for name in LAKE_TABLES}
        names = sorted({name for name, _ in relations["a"]} - {reference_layer.TABLE} - held
                       - {"stg_lake__files"})
        assert {"mart_prom_compliance", "mart_segment_profiles", "int_clients_segmented",
                "int_prom_measures_scored", "mart_segment_draft_moves"} <= set(names)
        differ = []
        for name in names:
            columns = con.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_catalog = 'a' and table_name = ? order by ordinal_position",
                [name]).fetchall()
            select = ", ".join(f'round("{c}", 9)' if t == "DOUBLE" else f'"{c}"'
                               for c, t in columns)
            rows = con.execute(f"select count(*) from a.{name}").fetchone()[0]
            only = [con.execute(f"select count(*) from (select {select} from {x}.{name} "
                                f"except all select {select} from {y}.{name})").fetchone()[0]
                    for x, y in (("a", "b"), ("b", "a"))]
            if only != [0, 0]:
                differ.append(f"{name}: {rows} rows, {only[0]} only in DuckDB's, "
                              f"{only[1]} only in the portable build")
        assert differ == []
        # the same folders listed, with the files' stamps on DuckDB only
        listed = [con.execute(f"select entity, provider_id, submission_month, "
                              f"count(file_stamp) from {db}.stg_lake__files "
                              f"group by all order by all").fetchall() for db in ("a", "b")]
        assert [r[:3] for r in listed[0]] == [r[:3] for r in listed[1]]
        assert {r[0] for r in listed[0]} == {"episodes", "events", "proms", "ingest_log",
                                             "check_results"}
        assert all(r[3] == 1 for r in listed[0]) and all(r[3] == 0 for r in listed[1])
        for name in sorted(held):  # DuckDB versions every folder, the portable SQL none
            versions = [con.execute(f"select count(*) from {db}.{name}").fetchone()[0]
                        for db in ("a", "b")]
            assert versions[0] > 0 and versions[1] == 0
        populated = con.execute(
            "select count(*) from a.mart_prom_compliance").fetchone()[0]
        assert populated > 0


def test_dbt_unit_tests_pass_on_the_portable_sql(two_builds):
    """The unit tests of every rule (scoring of each instrument, segments, obligations,
    pairing ...) on the default__ variants."""
    from arvo import transform

    _, portable_run = two_builds
    result = transform.run_unit_tests(portable_run, PERIOD)  # raises if any fails
    assert result.success and result.passed >= 36 and result.failures == ()  # 36 unit tests
