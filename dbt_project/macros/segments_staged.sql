{#-
  The staging of a segmentation: its segments, and their conditions. The current
  segmentation (definitions/segments.yml) and the definition phase's draft are compiled
  to CSV files of the same columns (arvo/definition_tables.py), so their staging views
  are one query over another source.
-#}

{% macro arvo_segments_staged(relation) -%}
{{ arvo_staged(relation, ['segment_code', 'priority', 'kaiser_level', 'name_fi', 'name_en',
                          "nullif(name_sv, '') as name_sv"]) }}
{%- endmacro %}

{% macro arvo_segment_rules_staged(relation) -%}
{{ arvo_staged(relation, ['segment_code', 'priority', 'feature', 'op', 'value']) }}
{%- endmacro %}

{#- a staging view's query: the columns (SQL expressions) of `relation`, 1:1 -#}
{% macro arvo_staged(relation, columns) %}
with

source as (

    select * from {{ relation }}

),

final as (

    select
        {{ columns | join(',\n        ') }}

    from source

)

select * from final
{% endmacro %}
