{#-
  A relation of no rows with the columns of `columns` ({name: SQL type}, in order):
  what a model reads where its input does not exist yet (no quarantine files, the first
  period of an incremental mart) and what fills in the columns a source lacks.
-#}
{% macro arvo_empty_relation(columns) -%}
    select
        {%- for name, type in columns.items() %}
        cast(null as {{ type }}) as {{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    where false
{%- endmacro %}
