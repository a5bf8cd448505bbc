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
