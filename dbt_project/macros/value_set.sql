{#-
  The value set an instrument's index was scored with in this run, as text for the
  marts (and so the reports) to name: the EQ-5D-5L value set (var eq5d5l_value_set,
  e.g. `England`) or crosswalk (`<country> crosswalk`, var eq5d5l_crosswalk_country,
  when var eq5d5l_method is `crosswalk`), the EQ-5D-3L value set (var
  eq5d3l_value_set); null for an instrument scored without one.
-#}

{% macro arvo_value_set(instrument) -%}
    {%- if var('eq5d5l_method') == 'crosswalk' -%}
        {%- set eq5d5l = var('eq5d5l_crosswalk_country') ~ ' crosswalk' -%}
    {%- else -%}
        {%- set eq5d5l = var('eq5d5l_value_set') -%}
    {%- endif -%}
    case {{ instrument }}
        when 'EQ5D5L' then '{{ eq5d5l }}'
        when 'EQ5D3L' then '{{ var("eq5d3l_value_set") }}'
    end
{%- endmacro %}
