{#-
  The small-cell flag of a mart row: true when its count (SQL, e.g. 'clients') is under
  var `small_cell` (5, the reports' SMALL_CELL). A row of no clients is small too: the
  definition marts show no figure of an empty cell either.
-#}
{% macro arvo_is_small(count) -%}
  {{ count }} < {{ var('small_cell') | int }}
{%- endmacro %}
