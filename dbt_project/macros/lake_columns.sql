{#-
  The lake's bookkeeping columns, typed and named the one way for every lake staging
  model: the partition columns of the path (provider_id; month as submission_month),
  the submitted file (source_file, file_sha256), the file's row (source_row) and the
  entity (lower case). `columns` lists the names wanted, in the order wanted; the
  columns are comma-separated, without a trailing comma.
-#}

{% macro arvo_lake_columns(columns) -%}
    {%- set casts = {
        'provider_id': 'cast(provider_id as varchar)',
        'submission_month': 'cast(month as varchar)',
        'entity': 'lower(cast(entity as varchar))',
        'source_file': 'cast(source_file as varchar)',
        'file_sha256': 'cast(file_sha256 as varchar)',
        'source_row': 'cast(source_row as bigint)',
    } -%}
    {%- for column in columns -%}
        {%- if column not in casts -%}
            {{ exceptions.raise_compiler_error("arvo_lake_columns: no lake column " ~ column) }}
        {%- endif %}
        {{ casts[column] }} as {{ column }}{{ ',' if not loop.last }}
    {%- endfor -%}
{%- endmacro %}

{#-
  The body of a CTE: every row and column of a lake source `relation`, with the columns
  of `columns` ({name: SQL type}) that the contract added later as nulls where the
  source has none (files written before the column existed). Dispatched with the
  sources, not switched by var portable_sql. DuckDB: by name with an empty relation of
  those columns (the Parquet files of one source may differ in columns); elsewhere the
  source is a table of one schema: the missing columns are added as nulls.
-#}
{% macro arvo_with_optional_columns(relation, columns) -%}
  {{- return(adapter.dispatch('arvo_with_optional_columns', 'arvo')(relation, columns)) -}}
{%- endmacro %}

{% macro default__arvo_with_optional_columns(relation, columns) %}
    {%- set present = [] -%}
    {%- if execute -%}
        {%- for column in adapter.get_columns_in_relation(relation) -%}
            {%- do present.append(column.name | lower) -%}
        {%- endfor -%}
    {%- endif %}
    select
        *
        {%- for name, type in columns.items() if name | lower not in present %},
        cast(null as {{ type }}) as {{ name }}
        {%- endfor %}
    from {{ relation }}
{%- endmacro %}

{% macro duckdb__arvo_with_optional_columns(relation, columns) %}
    select * from {{ relation }}
    union all by name
    {{ arvo_empty_relation(columns) }}
{%- endmacro %}

{#-
  The lake entity of a quarantined row from the path of its file,
  <quarantine_dir>/<entity>/provider_id=<id>/month=<YYYY-MM>/data.parquet (either
  slash), lower case.
-#}
{% macro arvo_quarantine_entity(path) -%}
  {{- return(arvo_implementation(adapter.dispatch('arvo_quarantine_entity', 'arvo'),
                                 default__arvo_quarantine_entity)(path)) -}}
{%- endmacro %}

{#- portable: the fourth part from the end -#}
{% macro default__arvo_quarantine_entity(path) -%}
  lower({{ dbt.split_part(dbt.replace(path, "'\\'", "'/'") | trim, "'/'", -4) | trim }})
{%- endmacro %}

{% macro duckdb__arvo_quarantine_entity(path) -%}
  lower(regexp_extract(replace({{ path }}, '\', '/'), '([^/]+)/provider_id=', 1))
{%- endmacro %}
