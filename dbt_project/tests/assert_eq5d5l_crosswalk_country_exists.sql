-- The EQ-5D-5L crosswalk country Arvo scores with (var eq5d5l_crosswalk_country) must
-- be a column of seed eq5d5l_crosswalk with a value for all 3,125 states.
-- Returns a row when it is not.
{{ config(severity='error', tags=['endangers:int_prom_measures_scored']) }}
{%- set crosswalk = ref('eq5d5l_crosswalk') %}
{%- set country = var("eq5d5l_crosswalk_country") %}
{%- set countries = [] %}
{%- if execute %}
  {%- for column in adapter.get_columns_in_relation(crosswalk) %}
    {%- if column.name | lower != 'state' %}
      {%- do countries.append(column.name) %}
    {%- endif %}
  {%- endfor %}
{%- endif %}

{%- if country in countries %}

select
    '{{ country }}' as country,
    count({{ country }}) as states_with_a_value
from {{ crosswalk }}
having count({{ country }}) <> 3125

{%- else %}

-- no such column
select
    '{{ country }}' as country,
    0 as states_with_a_value

{%- endif %}
