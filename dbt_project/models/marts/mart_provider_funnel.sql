-- Grain: period x provider x package x instrument x measure with pairs: the provider's
-- case-mix adjusted outcome and its funnel-plot verdict (docs/verdicts.md).
-- observed / expected: the provider's mean follow-up and the mean its clients' case-mix
-- predictions expect (int_case_mix_predicted); adjusted = population mean + observed -
-- expected (indirect standardisation, NHS PROMs); adjusted_gain = adjusted - population
-- mean baseline (NHS's adjusted average health gain). The limits at 95 % and 99.8 %
-- around the population mean, widened by the overdispersion correction the data call
-- for (Spiegelhalter 2005); flag: alarm (beyond 99.8 %), alert (beyond 95 %), none, or
-- too_few_pairs (under definitions/verdicts.yml min_pairs: never flagged); direction:
-- better, worse or as_expected by the measure's direction. The unadjusted_ columns
-- give the same rule on the observed mean follow-up, so what adjustment changed is
-- visible. The rule is arvo.verdicts.funnel (int_provider_funnels_judged).

with

{{ arvo_import_ctes([
    ('judged', 'int_provider_funnels_judged'),
    ('prom_measures', 'prom_measures'),
    ('providers', 'stg_definitions__providers'),
]) }},

final as (

    select
        {{ arvo_provider_columns('j', ['package_code', 'instrument', 'measure']) }},
        cast(m.is_primary as boolean) as is_primary,
        cast(j.pairs as bigint) as pairs,
        cast(j.baseline_mean as double) as baseline_mean,
        cast(j.observed as double) as observed,
        cast(j.expected as double) as expected,
        cast(j.adjusted as double) as adjusted,
        cast(j.adjusted_gain as double) as adjusted_gain,
        cast(j.population_mean as double) as population_mean,
        cast(j.population_baseline_mean as double) as population_baseline_mean,
        cast(j.se as double) as se,
        cast(j.z as double) as z,
        cast(j.lower95 as double) as lower95,
        cast(j.upper95 as double) as upper95,
        cast(j.lower998 as double) as lower998,
        cast(j.upper998 as double) as upper998,
        cast(j.overdispersion as varchar) as overdispersion,
        cast(j.phi as double) as phi,
        cast(j.tau2 as double) as tau2,
        cast(j.inflation as double) as inflation,
        cast(j.flag in ('alert', 'alarm') as boolean) as beyond_95,
        cast(j.flag = 'alarm' as boolean) as beyond_998,
        cast(j.flag as varchar) as flag,
        cast(j.direction as varchar) as direction,
        cast(j.unadjusted_se as double) as unadjusted_se,
        cast(j.unadjusted_z as double) as unadjusted_z,
        cast(j.unadjusted_lower95 as double) as unadjusted_lower95,
        cast(j.unadjusted_upper95 as double) as unadjusted_upper95,
        cast(j.unadjusted_lower998 as double) as unadjusted_lower998,
        cast(j.unadjusted_upper998 as double) as unadjusted_upper998,
        cast(j.unadjusted_overdispersion as varchar) as unadjusted_overdispersion,
        cast(j.unadjusted_phi as double) as unadjusted_phi,
        cast(j.unadjusted_tau2 as double) as unadjusted_tau2,
        cast(j.unadjusted_flag as varchar) as unadjusted_flag,
        cast(j.unadjusted_direction as varchar) as unadjusted_direction,
        cast(j.model_pairs as bigint) as model_pairs,
        cast(j.r_squared as double) as r_squared,
        cast(j.residual_sd as double) as residual_sd,
        cast(j.min_pairs as integer) as min_pairs,
        -- how the reports show the measure
        {{ arvo_measure_display('m', ['instrument_label', 'measure_label',
                                      'higher_is_better', 'decimals']) }}

    from judged as j
    inner join prom_measures as m
        on {{ arvo_same_keys('m', 'j', ['instrument', 'measure']) }}
    left join providers as pr
        on pr.provider_id = j.provider_id

)

{{ arvo_final_with_version() }}
