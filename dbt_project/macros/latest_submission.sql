{#-
  The body of a CTE: the records of `relation` (a staging model of the lake, or a CTE
  over one) as known at the end of the period. Only submissions of months up to the
  period count, and of each record (`record_key`, e.g. ['provider_id', 'event_id']) the
  latest submission wins: the latest submission_month, within it the last source_row.
  `where` (optional SQL) filters the rows before they are ranked, so a version it drops
  never wins. Docs: macros/_macros.yml.
-#}
{% macro arvo_latest_submission(relation, record_key, where=none) -%}
  {{- return(adapter.dispatch('arvo_latest_submission', 'arvo')(relation, record_key, where)) -}}
{%- endmacro %}

{#- portable: a ranked subquery (the CTE keeps the extra column submission_rank) -#}
{% macro default__arvo_latest_submission(relation, record_key, where) %}
    select *
    from (
        select
            *,
            row_number() over (
                partition by {{ record_key | join(', ') }}
                order by submission_month desc, source_row desc
            ) as submission_rank
        from {{ relation }}
        where submission_month <= '{{ arvo_period() }}'
        {%- if where %}
          and {{ where }}
        {%- endif %}
    ) as ranked
    where submission_rank = 1
{%- endmacro %}

{#- DuckDB: `qualify`, no extra column -#}
{% macro duckdb__arvo_latest_submission(relation, record_key, where) %}
    select *
    from {{ relation }}
    where submission_month <= '{{ arvo_period() }}'
    {%- if where %}
      and {{ where }}
    {%- endif %}
    qualify row_number() over (
        partition by {{ record_key | join(', ') }}
        order by submission_month desc, source_row desc
    ) = 1
{%- endmacro %}
