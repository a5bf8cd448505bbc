{#-
  The body of a CTE: the rows of `relation` (a CTE or relation) that rank first within
  their partition. `partition_by` and `order_by` are lists of SQL (columns of
  `relation`, e.g. ['client_id'] and ['event_date desc', 'event_id']); `rank_function`
  is row_number (one row per partition) or dense_rank (every row tied first). The
  portable form keeps an extra column rank_in_partition: select the columns you need
  from the CTE. Docs: macros/_macros.yml.
-#}
{% macro arvo_first_ranked(relation, partition_by, order_by, rank_function='row_number') -%}
  {%- if rank_function not in ('row_number', 'dense_rank') -%}
    {{ exceptions.raise_compiler_error(
        "arvo_first_ranked: rank_function is row_number or dense_rank, not " ~ rank_function) }}
  {%- endif -%}
  {{- return(arvo_implementation(adapter.dispatch('arvo_first_ranked', 'arvo'),
                                 default__arvo_first_ranked)(
      relation, partition_by, order_by, rank_function)) -}}
{%- endmacro %}

{#- portable: a ranked subquery -#}
{% macro default__arvo_first_ranked(relation, partition_by, order_by, rank_function) %}
    select *
    from (
        select
            *,
            {{ rank_function }}() over (
                partition by {{ partition_by | join(', ') }}
                order by {{ order_by | join(', ') }}
            ) as rank_in_partition
        from {{ relation }}
    ) as ranked
    where rank_in_partition = 1
{%- endmacro %}

{#- DuckDB: qualify, no extra column -#}
{% macro duckdb__arvo_first_ranked(relation, partition_by, order_by, rank_function) %}
    select *
    from {{ relation }}
    qualify {{ rank_function }}() over (
        partition by {{ partition_by | join(', ') }}
        order by {{ order_by | join(', ') }}
    ) = 1
{%- endmacro %}
