{#-
  A provider mart's first three columns, typed and named the one way: the period, the
  provider's business ID (Y-tunnus) from the row `alias`, and its name from the
  providers' register, which the mart joins as `pr` (`left join providers as pr on
  pr.provider_id = <alias>.provider_id`; a provider not in the register gets a null
  name). Then the rest of the mart's grain, the text keys `keys` from the row (e.g.
  ['package_code', 'instrument', 'measure']), so the grain reads in one line.
  Comma-separated, without a trailing comma.
-#}

{% macro arvo_provider_columns(alias, keys=[]) -%}
    cast('{{ arvo_period() }}' as varchar) as period,
        cast({{ alias }}.provider_id as varchar) as provider_id,
        cast(pr.provider_name as varchar) as provider_name
        {%- for key in keys %},
        cast({{ alias }}.{{ key }} as varchar) as {{ key }}
        {%- endfor %}
{%- endmacro %}

{#-
  A provider feedback mart's columns for one of the provider's files: the provider's
  three (arvo_provider_columns), then the submission month (`month`), the entity and
  the file's name, from the row `alias`. Comma-separated, without a trailing comma.
-#}

{% macro arvo_provider_file_columns(alias) -%}
    {{ arvo_provider_columns(alias) }},
        cast({{ alias }}.submission_month as varchar) as month,
        cast({{ alias }}.entity as varchar) as entity,
        cast({{ alias }}.source_file as varchar) as source_file
{%- endmacro %}

{#-
  A segment mart's first columns, typed and named the one way: the period, the segment's
  code and its Finnish and English names from the segments' register row `alias`
  (stg_definitions__segments). Comma-separated, without a trailing comma.
-#}

{% macro arvo_segment_columns(alias) -%}
    cast('{{ arvo_period() }}' as varchar) as period,
        cast({{ alias }}.segment_code as varchar) as segment_code,
        cast({{ alias }}.name_fi as varchar) as segment_name_fi,
        cast({{ alias }}.name_en as varchar) as segment_name_en
{%- endmacro %}
