{#-
  Wide rows to long ones, as the body of a CTE with the columns `keys`, `name`, `value`.
  arvo_unpivot: one row per listed column of `relation` whose value is not null (the
  column's name in `name`). arvo_expand: one row per item, each item a pair of SQL
  expressions over `relation` [name, value] (e.g. the EQ-5D-3L model terms a state
  has). DuckDB: UNPIVOT and an unnested list of structs; portable: one pass over
  `relation` crossed with the list of columns or items. Docs: macros/_macros.yml.
-#}

{% macro arvo_unpivot(relation, keys, columns, name, value) -%}
  {{- return(arvo_implementation(adapter.dispatch('arvo_unpivot', 'arvo'),
                                 default__arvo_unpivot)(
      relation, keys, columns, name, value)) -}}
{%- endmacro %}

{% macro default__arvo_unpivot(relation, keys, columns, name, value) %}
    select *
    from (
        select
            {%- for key in keys %}
            {{ key }},
            {%- endfor %}
            unpivot_columns.{{ name }},
            case unpivot_columns.{{ name }}
                {%- for column in columns %}
                when '{{ column }}' then {{ column }}
                {%- endfor %}
            end as {{ value }}
        from {{ relation }}
        cross join (
            values
            {%- for column in columns %} ('{{ column }}'){{ ',' if not loop.last }}{% endfor %}
        ) as unpivot_columns ({{ name }})
    ) as unpivoted
    where {{ value }} is not null
{%- endmacro %}

{#- UNPIVOT leaves out null values by default -#}
{% macro duckdb__arvo_unpivot(relation, keys, columns, name, value) %}
    select {{ keys | join(', ') }}, {{ name }}, {{ value }}
    from (
        unpivot {{ relation }}
        on {{ columns | join(', ') }}
        into name {{ name }} value {{ value }}
    ) as unpivoted
{%- endmacro %}

{% macro arvo_expand(relation, keys, items, name, value) -%}
  {{- return(arvo_implementation(adapter.dispatch('arvo_expand', 'arvo'),
                                 default__arvo_expand)(
      relation, keys, items, name, value)) -}}
{%- endmacro %}

{% macro default__arvo_expand(relation, keys, items, name, value) %}
    select
        {%- for key in keys %}
        {{ key }},
        {%- endfor %}
        case expand_items.item_number
            {%- for item in items %}
            when {{ loop.index }} then {{ item[0] }}
            {%- endfor %}
        end as {{ name }},
        case expand_items.item_number
            {%- for item in items %}
            when {{ loop.index }} then {{ item[1] }}
            {%- endfor %}
        end as {{ value }}
    from {{ relation }}
    cross join (
        values
        {%- for item in items %} ({{ loop.index }}){{ ',' if not loop.last }}{% endfor %}
    ) as expand_items (item_number)
{%- endmacro %}

{% macro duckdb__arvo_expand(relation, keys, items, name, value) %}
    select
        {%- for key in keys %}
        {{ key }},
        {%- endfor %}
        struct_extract(item, 'name') as {{ name }},
        struct_extract(item, 'value') as {{ value }}
    from (
        select
            {%- for key in keys %}
            {{ key }},
            {%- endfor %}
            unnest([
                {%- for item in items %}
                {'name': {{ item[0] }}, 'value': {{ item[1] }}}{{ ',' if not loop.last }}
                {%- endfor %}
            ]) as item
        from {{ relation }}
    ) as items
{%- endmacro %}
