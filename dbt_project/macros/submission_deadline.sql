{#-
  When a month's submissions are due (var `submission_due_day`, passed by arvo/transform.py
  from providers.yml `submissions.due_day` of the definitions in force at the period;
  arvo/deadlines.py, docs/preview-and-freeze.md): the files of month M are due by day
  `submission_due_day` of month M+1. Without the var, no deadline (null).
-#}

{% macro arvo_due_by(month_column) -%}
  {%- set day = var('submission_due_day', none) -%}
  {%- if day is none or (day | string | trim) == '' -%}
    cast(null as date)
  {%- else -%}
    {%- if not (day | string | trim).isdigit() or (day | int) < 1 or (day | int) > 28 -%}
      {{ exceptions.raise_compiler_error(
          "Arvo var 'submission_due_day' must be a day 1..28, got '" ~ day ~ "'") }}
    {%- endif -%}
    cast({{ dbt.dateadd('day', (day | int) - 1,
                        dbt.dateadd('month', 1,
                                    "cast(" ~ dbt.concat([month_column, "'-01'"]) ~ " as date)"))
         }} as date)
  {%- endif -%}
{%- endmacro %}
