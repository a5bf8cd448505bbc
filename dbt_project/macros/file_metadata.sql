{#-
  on-run-start: how the build reads the lake's files. Every read of a lake source lists
  its files and, unioning them by name (their columns may differ: files written before
  the contract added a column), reads each file's footer: at 50,000 residents over 48
  months 0.14 s a read of the PROM responses' 1,064 files, against 0.007 s for one
  month's folder. DuckDB keeps the footers once read while the database is open
  (`parquet_metadata_cache`; a footer is read again when its file has changed since), so
  the 22 models and tests of a build that read the lake read each footer once.
  Dispatched: elsewhere the lake is tables, and nothing is set.
-#}
{% macro arvo_file_metadata_cached() -%}
  {{- return(adapter.dispatch('arvo_file_metadata_cached', 'arvo')()) -}}
{%- endmacro %}

{% macro default__arvo_file_metadata_cached() -%}
{%- endmacro %}

{% macro duckdb__arvo_file_metadata_cached() -%}
  set global parquet_metadata_cache = true
{%- endmacro %}
