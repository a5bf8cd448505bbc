{#-
  The body of a CTE: the records of `relation` (a staging model of the lake, or a CTE
  over one) as known at the end of the period. Only submissions of months up to the
  period count, and of each record (`record_key`, e.g. ['provider_id', 'event_id']) the
  latest submission wins: the latest submission_month, within it the last source_row.
  `where` (optional SQL) filters the rows before they are ranked, so a version it drops
  never wins. `since` (optional 'YYYY-MM') reads only the submissions of months from it
  on: exact for the records dated from that month on, since no row is dated after its
  folder's month (the contract's rules *_in_folder_month), and it lets DuckDB skip the
  older months' files. Docs: macros/_macros.yml.
-#}
{% macro arvo_latest_submission(relation, record_key, where=none, since=none) -%}
  {{- return(arvo_implementation(adapter.dispatch('arvo_latest_submission', 'arvo'),
                                 default__arvo_latest_submission)(
                relation, record_key, where, since)) -}}
{%- endmacro %}

{#- the versions that may win: up to the period, from `since`, and `where` -#}
{% macro arvo_submissions_in_scope(relation, where, since) -%}
    select *
    from {{ relation }}
    where submission_month <= '{{ arvo_period() }}'
    {%- if since %}
      and submission_month >= '{{ since }}'
    {%- endif %}
    {%- if where %}
      and {{ where }}
    {%- endif %}
{%- endmacro %}

{#- portable: a ranked subquery (the CTE keeps the extra column submission_rank) -#}
{% macro default__arvo_latest_submission(relation, record_key, where, since) %}
    select *
    from (
        select
            *,
            row_number() over (
                partition by {{ record_key | join(', ') }}
                order by submission_month desc, source_row desc
            ) as submission_rank
        from ({{ arvo_submissions_in_scope(relation, where, since) }}) as in_scope
    ) as ranked
    where submission_rank = 1
{%- endmacro %}

{#-
  DuckDB: no extra column, and only the records sent more than once are ranked (most
  are sent once; ranking all sorts every row of the lake, about twice the time at county
  scale: docs/performance-history.md, 2026-12-02). The records sent once pass by an
  anti join.
-#}
{% macro duckdb__arvo_latest_submission(relation, record_key, where, since) %}
    with in_scope as (
        {{ arvo_submissions_in_scope(relation, where, since) }}
    ),
    resent as (
        select {{ record_key | join(', ') }}
        from in_scope
        group by {{ record_key | join(', ') }}
        having count(*) > 1
    )
    select in_scope.*
    from in_scope
    anti join resent using ({{ record_key | join(', ') }})
    union all
    select in_scope.*
    from in_scope
    semi join resent using ({{ record_key | join(', ') }})
    qualify row_number() over (
        partition by {{ record_key | join(', ') }}
        order by submission_month desc, source_row desc
    ) = 1
{%- endmacro %}
