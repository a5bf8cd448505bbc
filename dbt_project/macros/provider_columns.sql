{#-
  A provider mart's first three columns, typed and named the one way: the period, the
  provider's business ID (Y-tunnus) from the row `alias`, and its name from the
  providers' register, which the mart joins as `pr` (`left join providers as pr on
  pr.provider_id = <alias>.provider_id`; a provider not in the register gets a null
  name). Comma-separated, without a trailing comma.
-#}

{% macro arvo_provider_columns(alias) -%}
    cast('{{ arvo_period() }}' as varchar) as period,
        cast({{ alias }}.provider_id as varchar) as provider_id,
        cast(pr.provider_name as varchar) as provider_name
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
