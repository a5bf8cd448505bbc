-- Grain: period x kind x code: the commissioner's register as it stood when the period
-- was built (definitions/providers.yml, packages.yml, segments.yml): every registered
-- provider with its name, sector and report language, every package and segment with
-- its Finnish, English and Swedish name. The reports take names and the providers to report on from here, so a
-- period re-rendered later names what was registered then.

with

{{ arvo_import_ctes([
    ('providers', 'stg_definitions__providers'),
    ('packages', 'stg_definitions__packages'),
    ('segments', 'stg_definitions__segments'),
]) }},

register as (

    select 'provider' as kind, provider_id as code, provider_name as name_fi,
           cast(null as varchar) as name_en, provider_name_sv as name_sv, sector,
           language
    from providers

    union all

    select 'package' as kind, package_code as code, name_fi, name_en, name_sv,
           cast(null as varchar) as sector, cast(null as varchar) as language
    from packages

    union all

    select 'segment' as kind, segment_code as code, name_fi, name_en, name_sv,
           cast(null as varchar) as sector, cast(null as varchar) as language
    from segments

),

final as (

    select
        cast('{{ arvo_period() }}' as varchar) as period,
        cast(kind as varchar) as kind,
        cast(code as varchar) as code,
        cast(name_fi as varchar) as name_fi,
        cast(name_en as varchar) as name_en,
        cast(sector as varchar) as sector,
        cast(name_sv as varchar) as name_sv,
        cast(language as varchar) as language,
        cast({{ "'" ~ var('definitions_in_force_from') ~ "'" if var('definitions_in_force_from', none)
                else 'null' }} as varchar) as definitions_in_force_from

    from register

)

{{ arvo_final_with_version() }}
