{#-
  Two checks dbt makes on every build of a mart whose answer does not change while the
  project does not: its contract (the types of its SQL's columns against the contract's:
  two queries and a comparison in Jinja) and, for an incremental mart, its columns against
  the table's (on_schema_change append_new_columns: two more queries). Both answers
  depend on the models' SQL and the types of what they read (the lake's Parquet as ingest
  types it, the compiled definitions' CSVs read with their types, the seeds), not on the
  period's rows.

  arvo.transform.build passes var `arvo_project_checked: true` when the reference layer is
  as the last whole build left it (arvo/reference_layer.py: the same project files,
  compiled definitions, vars and dbt versions), and that build ran both checks and
  passed. Then they are left out; the table is still created with the contract's column
  types and constraints, which DuckDB enforces on every insert. Any other build (the first
  after a change, `arvo define`, `arvo score`, the first on each of `make test`'s
  warehouses) runs them
  (docs/architecture.md, "Production builds").

  Left out, the comparison's answer would be the table's columns, and dbt would insert
  those. A column a mart's contract no longer has stays in a table an earlier version
  built (append_new_columns drops none: the earlier periods keep their values), and
  the model does not select it, so the insert would fail. A contracted mart therefore
  inserts its contract's columns (arvo_contract_columns), which the build that ran the
  comparison made sure the table has; the column left behind is null from then on.
-#}

{%- macro get_assert_columns_equivalent(sql) -%}
  {%- if not var('arvo_project_checked', false) -%}
    {{ adapter.dispatch('get_assert_columns_equivalent', 'dbt')(sql) }}
  {%- endif -%}
{%- endmacro -%}

{% macro process_schema_changes(on_schema_change, source_relation, target_relation) %}
  {%- if var('arvo_project_checked', false) -%}
    {{ return(arvo_contract_columns()) }}
  {%- endif -%}
  {{ return(adapter.dispatch('process_schema_changes', 'dbt')(
      on_schema_change, source_relation, target_relation)) }}
{% endmacro %}

{#- The columns of the model's enforced contract, as dbt Columns (the columns a checked
    build inserts); none for a model without one (dbt then reads the table's). -#}
{% macro arvo_contract_columns() %}
  {%- set columns = [] -%}
  {%- if model['config']['contract']['enforced'] -%}
    {%- for name, column in model['columns'].items() -%}
      {%- do columns.append(api.Column.create(name, column['data_type'])) -%}
    {%- endfor -%}
  {%- endif -%}
  {{ return(columns) }}
{% endmacro %}
