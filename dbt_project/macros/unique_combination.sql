{#-
  The query of the generic test unique_combination (tests/generic/unique_combination.sql):
  a row per combination of `combination_of_columns` that occurs more than once in
  `model`, with its count (n_records). Docs: macros/_macros.yml.
-#}
{#- (called from a test, whose macros dbt finds by their calls: the default is called by
    name here, as arvo_implementation would choose it) -#}
{% macro arvo_unique_combination(model, combination_of_columns) -%}
  {%- if var('portable_sql', false) -%}
    {{- return(default__arvo_unique_combination(model, combination_of_columns)) -}}
  {%- endif -%}
  {{- return(adapter.dispatch('arvo_unique_combination', 'arvo')(
                model, combination_of_columns)) -}}
{%- endmacro %}

{#- portable: group by the combination -#}
{% macro default__arvo_unique_combination(model, combination_of_columns) %}
select
    {{ combination_of_columns | join(', ') }},
    count(*) as n_records
from {{ model }}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1
{% endmacro %}

{#-
  DuckDB: group by one 64-bit hash of the combination first, then count exactly only
  the combinations whose hash occurs more than once (a hash shared by two different
  combinations is no failure). Grouping a hash instead of the text columns halves the
  test on the window's events at county scale (docs/performance-history.md, `365f61e`);
  when no hash repeats, the second pass finds nothing to count.
-#}
{% macro duckdb__arvo_unique_combination(model, combination_of_columns) %}
{%- set columns = combination_of_columns | join(', ') %}
with repeated_hashes as (
    select hash({{ columns }}) as key_hash
    from {{ model }}
    group by key_hash
    having count(*) > 1
)
select
    {{ columns }},
    count(*) as n_records
from {{ model }}
where hash({{ columns }}) in (select key_hash from repeated_hashes)
group by {{ columns }}
having count(*) > 1
{% endmacro %}
