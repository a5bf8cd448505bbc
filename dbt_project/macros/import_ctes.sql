{#-
  A model's import CTEs, one `name as (select * from <relation>)` per model it reads,
  written as a list at the top of the model:

      with

      {{ arvo_import_ctes([
          ('providers', 'stg_definitions__providers'),
          ('obligations', 'stg_definitions__obligations'),
      ]) }},

      candidates as ( ...

  compiles to the same SQL as writing each import CTE out (dbt's structure guide), and
  dbt records the refs when it parses the model. After GitLab's data team's `simple_cte`
  (docs/architecture.md "What repeats, and why"). An import that filters its rows
  (`where is_primary`) is written out as its own CTE: the filter is the model's logic.
-#}

{% macro arvo_import_ctes(imports) -%}
    {%- set ctes = [] -%}
    {%- for name, model in imports -%}
        {%- do ctes.append(name ~ " as (\n\n    select * from " ~ ref(model) ~ "\n\n)") -%}
    {%- endfor -%}
    {{- ctes | join(",\n\n") -}}
{%- endmacro %}
