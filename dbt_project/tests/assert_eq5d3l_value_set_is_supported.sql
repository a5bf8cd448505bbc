-- The EQ-5D-3L value set Arvo scores with (var eq5d3l_value_set) must exist in seed
-- eq5d3l_value_sets and use only model terms int_prom_measures_scored implements.
-- Returns one row per problem.
{{ config(severity='error', tags=['endangers:int_prom_measures_scored']) }}

{%- set dims = ['MO', 'SC', 'UA', 'PD', 'AD'] %}
{%- set known = ['FullHealth', 'AtLeastOne2Or3', 'AtLeastOne3', 'D1', 'I2', 'I2square',
                 'I3', 'I3square', 'C2square', 'C3square', 'O2', 'O3', 'Z2', 'Z3', 'X5'] %}
{#- dimension levels (MO2 ... AD3) and interactions of two of them (MO3SC3 ...) -#}
{%- set levels = [] %}
{%- for d in dims %}{% for level in ['2', '3'] %}
  {%- do levels.append(d ~ level) %}
{%- endfor %}{% endfor %}
{%- do known.extend(levels) %}
{%- for first in levels %}{% for second in levels %}
  {%- do known.append(first ~ second) %}
{%- endfor %}{% endfor %}

with

value_set as (

    select * from {{ ref('eq5d3l_value_sets') }}
    where country = '{{ var("eq5d3l_value_set") }}'

),

problems as (

    select 'no value set named {{ var("eq5d3l_value_set") }} in seed eq5d3l_value_sets'
        as problem
    where not exists (select 1 from value_set where term = 'FullHealth')

    union all

    select 'unsupported term ' || term
    from value_set
    where term not in ({% for t in known %}'{{ t }}'{{ ', ' if not loop.last }}{% endfor %})

)

select * from problems
