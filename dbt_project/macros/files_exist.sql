{#-
  True when `pattern` (a glob) matches at least one file, asked of DuckDB when the
  model runs (while parsing, true). For a source that may have no files at all,
  such as an empty quarantine, whose read_parquet would otherwise fail. Dispatched
  with the sources, not switched by var portable_sql: on another adapter the source
  is a table, which exists empty or not, so the default is true.
-#}

{% macro arvo_files_exist(pattern) -%}
  {{- return(adapter.dispatch('arvo_files_exist', 'arvo')(pattern)) -}}
{%- endmacro %}

{% macro default__arvo_files_exist(pattern) -%}
  {%- do return(true) -%}
{%- endmacro %}

{% macro duckdb__arvo_files_exist(pattern) -%}
  {%- if not execute -%}
    {%- do return(true) -%}
  {%- endif -%}
  {%- set found = run_query("select count(*) from glob('" ~ pattern ~ "')") -%}
  {%- do return(found.columns[0].values()[0] > 0) -%}
{%- endmacro %}
