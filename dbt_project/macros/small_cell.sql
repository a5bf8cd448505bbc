{#-
  The small-cell flag of a mart row: true when its count (SQL, e.g. 'clients') is under
  var `small_cell` (5, the reports' SMALL_CELL). A row of no clients is small too: the
  definition marts show no figure of an empty cell either.
-#}
{% macro arvo_is_small(count) -%}
  {{ count }} < {{ var('small_cell') | int }}
{%- endmacro %}

{#-
  The counts a report hides, 1 to var `small_cell` - 1, one row each as column `name`:
  what a reader of a hidden cell knows of it (arvo.report.disclosure.is_small).
-#}
{% macro arvo_small_counts(name) -%}
    {%- for c in range(1, var('small_cell') | int) %}
    select {{ c }} as {{ name }}{{ ' union all' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- True when `count` (SQL) is one of arvo_small_counts: from 1 to var small_cell - 1. -#}
{% macro arvo_is_hidden_count(count) -%}
    {{ count }} between 1 and {{ var('small_cell') | int - 1 }}
{%- endmacro %}
