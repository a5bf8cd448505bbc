-- The obligations that bind each registered provider: per package (scope package) and per
-- client segment (scope segment), the entry for the provider's own sector (public,
-- private, third) when the commissioner defined one, else the package's or segment's
-- `all` entry. One row per provider x scope x scope_code x instrument x timepoint.
-- Package rows carry package_code (segment_code null); segment rows segment_code
-- (package_code null), so `where scope = 'package'` gives the package obligations only.

with

{{ arvo_import_ctes([
    ('providers', 'stg_definitions__providers'),
    ('obligations', 'stg_definitions__obligations'),
]) }},

candidates as (

    select
        pr.provider_id,
        pr.sector as provider_sector,
        ob.*
    from providers as pr
    inner join obligations as ob
        on ob.sector = 'all'
        or ob.sector = lower(pr.sector)

),

most_specific as (

    -- the most specific entry of a package (or segment) wins for the provider
    {{- arvo_first_ranked('candidates', ['provider_id', 'scope', 'scope_code'],
                          ["case when sector = 'all' then 1 else 0 end"],
                          rank_function='dense_rank') }}

),

final as (

    select
        provider_id,
        scope,
        scope_code,
        package_code,
        segment_code,
        instrument,
        timepoint,
        provider_sector,
        sector as obligation_sector,
        {{ arvo_obligation_terms() }},
        restarts,
        rationale

    from most_specific

)

select * from final
