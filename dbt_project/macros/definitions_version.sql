{#-
  The id of the definitions version the run uses (var `definitions_version`, passed by
  arvo/transform.py: the version of definitions/ in force at the period; docs/definitions.md).
  Every mart row carries it in its column `definitions_version`.
-#}

{% macro arvo_definitions_version() -%}
  {%- set version = var('definitions_version', 'current') | string | trim -%}
  {%- if not modules.re.match('^[A-Za-z0-9][A-Za-z0-9._-]*$', version) -%}
    {{ exceptions.raise_compiler_error(
        "Arvo var 'definitions_version' must be a version id (letters, digits, . _ -), got '"
        ~ version ~ "'") }}
  {%- endif -%}
  cast('{{ version }}' as varchar)
{%- endmacro %}

{#-
  A mart's last statement: its CTE `final` with the run's definitions version as the
  last column, `definitions_version`. Every mart ends with it
  (tests/dbt_project/test_mart_columns.py).
-#}
{% macro arvo_final_with_version() -%}
select
    final.*,
    {{ arvo_definitions_version() }} as definitions_version
from final
{%- endmacro %}
