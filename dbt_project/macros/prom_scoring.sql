{#-
  Building blocks of the PROM scoring model (models/intermediate/scoring/int_prom_measures_scored.sql).
  Each takes a list of item columns (e.g. ['q1', 'q2']) and returns a SQL expression.
-#}

{#- number of items answered (not null) -#}
{% macro prom_answered(items) -%}
  ({% for q in items %}case when {{ q }} is not null then 1 else 0 end{{ ' + ' if not loop.last }}{% endfor %})
{%- endmacro %}

{#- sum of the answered items (missing items count 0) -#}
{% macro prom_sum(items) -%}
  ({% for q in items %}coalesce({{ q }}, 0){{ ' + ' if not loop.last }}{% endfor %})
{%- endmacro %}

{#- true when any answered item lies outside [lo, hi] -#}
{% macro prom_any_out_of_range(items, lo, hi) -%}
  ({% for q in items %}coalesce({{ q }} not between {{ lo }} and {{ hi }}, false){{ ' or ' if not loop.last }}{% endfor %})
{%- endmacro %}

{#- true when every item is answered and lies within [lo, hi] (a complete response) -#}
{% macro prom_all_in_range(items, lo, hi) -%}
  coalesce({% for q in items %}{{ q }} between {{ lo }} and {{ hi }}{{ ' and ' if not loop.last }}{% endfor %}, false)
{%- endmacro %}

{#- mean of the answered items, null when none is answered -#}
{% macro prom_mean(items) -%}
  ({{ prom_sum(items) }} / cast(nullif({{ prom_answered(items) }}, 0) as double))
{%- endmacro %}

{#-
  The EQ-5D dimensions in questionnaire order: item column and dimension code.
  The value sets name dimension levels <code><level>, e.g. MO2, and interactions
  of two dimensions <code><level><code><level> in this order, e.g. MO3SC3.
-#}
{% macro eq5d_dimensions() -%}
  {%- do return([('q1', 'MO'), ('q2', 'SC'), ('q3', 'UA'), ('q4', 'PD'), ('q5', 'AD')]) -%}
{%- endmacro %}
