-- The EQ-5D-5L value set Arvo scores with (var eq5d5l_value_set) must exist and be
-- an additive main-effects model: a start value, optionally an intercept, and a
-- decrement for every level 2-5 of each of the five dimensions, nothing else.
-- Returns one row per problem.
{{ config(severity='error', tags=['endangers:mart_segment_outcomes',
    'endangers:mart_provider_segment_outcomes', 'endangers:mart_provider_package_outcomes']) }}

with

value_set as (

    select * from {{ ref('eq5d5l_value_sets') }}
    where country = '{{ var("eq5d5l_value_set") }}'

),

expected_levels as (

    select d.dimension, l.level
    from (values ('MO'), ('SC'), ('UA'), ('PD'), ('AD')) as d (dimension)
    cross join (values (2), (3), (4), (5)) as l (level)

),

problems as (

    select 'unsupported term ' || term as problem
    from value_set
    where term not in ('StartValue', 'Intercept') and dimension is null

    union all

    select 'missing decrement ' || e.dimension || e.level as problem
    from expected_levels as e
    left join value_set as v
        on v.dimension = e.dimension and v.level = e.level
    where v.term is null

)

select * from problems
