-- Grain: period x kind x code: the commissioner's register as it stood when the period
-- was built (definitions/providers.yml, packages.yml, segments.yml): every registered
-- provider with its name and sector, every package and segment with its Finnish and
-- English name. The reports take names and the providers to report on from here, so a
-- period re-rendered later names what was registered then.

with

providers as (

    select * from {{ ref('stg_definitions__providers') }}

),

packages as (

    select * from {{ ref('stg_definitions__packages') }}

),

segments as (

    select * from {{ ref('stg_definitions__segments') }}

),

register as (

    select 'provider' as kind, provider_id as code, provider_name as name_fi,
           cast(null as varchar) as name_en, sector
    from providers

    union all

    select 'package' as kind, package_code as code, name_fi, name_en,
           cast(null as varchar) as sector
    from packages

    union all

    select 'segment' as kind, segment_code as code, name_fi, name_en,
           cast(null as varchar) as sector
    from segments

),

final as (

    select
        cast('{{ arvo_period() }}' as varchar) as period,
        cast(kind as varchar) as kind,
        cast(code as varchar) as code,
        cast(name_fi as varchar) as name_fi,
        cast(name_en as varchar) as name_en,
        cast(sector as varchar) as sector

    from register

)

select * from final
