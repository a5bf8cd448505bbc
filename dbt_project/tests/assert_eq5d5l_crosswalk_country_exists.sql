-- The EQ-5D-5L crosswalk country Arvo scores with (var eq5d5l_crosswalk_country) must
-- be a column of seed eq5d5l_crosswalk with a value for all 3,125 states.
-- Returns a row when it is not.
{{ config(severity='error', tags=['endangers:int_prom_measures_scored']) }}

with

crosswalk as (

    unpivot {{ ref('eq5d5l_crosswalk') }}
    on columns(* exclude (state))
    into name country value index_value

)

select
    '{{ var("eq5d5l_crosswalk_country") }}' as country,
    count(index_value) as states_with_a_value
from crosswalk
where country = '{{ var("eq5d5l_crosswalk_country") }}'
having count(index_value) <> 3125
