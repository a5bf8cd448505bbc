{#-
  Expressions whose spelling differs between engines, so that no model needs rewriting
  to move to another dbt adapter (docs/operations.md, "Beyond one machine"). Each is
  dispatched like arvo_latest_submission: `duckdb__` keeps the DuckDB form, `default__`
  is standard SQL or dbt's cross-database macros. With var `portable_sql: true` the
  default__ forms run on DuckDB too (tests/dbt_project/test_portability.py builds the
  project both ways and compares). Docs: macros/_macros.yml.
-#}

{#- the implementation to call: the adapter's, or the portable one under var portable_sql -#}
{% macro arvo_implementation(dispatched, portable) -%}
  {{- return(portable if var('portable_sql', false) else dispatched) -}}
{%- endmacro %}

{#- true when `string` begins with `prefix` (null when either is null) -#}
{% macro arvo_starts_with(string, prefix) -%}
  {{- return(arvo_implementation(adapter.dispatch('arvo_starts_with', 'arvo'),
                                 default__arvo_starts_with)(string, prefix)) -}}
{%- endmacro %}

{% macro default__arvo_starts_with(string, prefix) -%}
  ({{ dbt.position(prefix, string) | trim }} = 1)
{%- endmacro %}

{% macro duckdb__arvo_starts_with(string, prefix) -%}
  starts_with({{ string }}, {{ prefix }})
{%- endmacro %}

{#- the median of `expression` over the group (continuous: the mean of the middle two) -#}
{% macro arvo_median(expression) -%}
  {{- return(arvo_implementation(adapter.dispatch('arvo_median', 'arvo'),
                                 default__arvo_median)(expression)) -}}
{%- endmacro %}

{#- the SQL standard's ordered-set aggregate -#}
{% macro default__arvo_median(expression) -%}
  percentile_cont(0.5) within group (order by {{ expression }})
{%- endmacro %}

{% macro duckdb__arvo_median(expression) -%}
  median({{ expression }})
{%- endmacro %}

{#- the date `days` days after `date_expression`, as a date -#}
{% macro arvo_add_days(date_expression, days) -%}
  {{- return(arvo_implementation(adapter.dispatch('arvo_add_days', 'arvo'),
                                 default__arvo_add_days)(date_expression, days)) -}}
{%- endmacro %}

{#- dbt's dateadd (on DuckDB a timestamp plus an interval: about 7 times the cost) -#}
{% macro default__arvo_add_days(date_expression, days) -%}
  cast({{ dbt.dateadd('day', days, date_expression) | trim }} as date)
{%- endmacro %}

{% macro duckdb__arvo_add_days(date_expression, days) -%}
  ({{ date_expression }} + {{ days }})
{%- endmacro %}

{#- written between a CTE's name and its body (`events as {{ arvo_inlined() }} (`): each
    reference to the CTE reads its query anew, as if written there, rather than reading
    a result materialised once for all of them -#}
{% macro arvo_inlined() -%}
  {{- return(arvo_implementation(adapter.dispatch('arvo_inlined', 'arvo'),
                                 default__arvo_inlined)()) -}}
{%- endmacro %}

{#- standard SQL has no word for it: the engine decides -#}
{% macro default__arvo_inlined() -%}
{%- endmacro %}

{#- DuckDB materialises a CTE referenced more than once; `not materialized` (as in
    Postgres) inlines it -#}
{% macro duckdb__arvo_inlined() -%}
  not materialized
{%- endmacro %}
