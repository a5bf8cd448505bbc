-- Grain: period x package x instrument x measure with follow-ups in the period: the
-- case-mix model behind mart_provider_funnel (arvo.verdicts.casemix, docs/verdicts.md).
-- followups: follow-ups dated in the period's window; pairs: those with a baseline, the
-- rows the model was fitted on; left_out_no_baseline: follow-ups the model cannot use
-- for want of a baseline (clients are never left out for a missing factor: a missing
-- case-mix answer is a level of its own, as NHS PROMs models it). parameters,
-- r_squared and residual_sd describe the fit; factors_used and factors_dropped (with
-- why: one value only, or too few pairs per parameter) the factors.

with

{{ arvo_import_ctes([
    ('inputs', 'int_case_mix_inputs'),
    ('predicted', 'int_case_mix_predicted'),
    ('prom_measures', 'prom_measures'),
]) }},

followups as (

    select
        package_code,
        instrument,
        measure,
        count(*) as followups,
        count(case when left_out_reason = 'no baseline' then 1 end) as left_out_no_baseline
    from inputs
    group by package_code, instrument, measure

),

models as (

    select
        package_code,
        instrument,
        measure,
        count(*) as pairs,
        count(distinct provider_id) as providers,
        min(model_parameters) as parameters,
        min(r_squared) as r_squared,
        min(residual_sd) as residual_sd,
        min(factors_used) as factors_used,
        min(factors_dropped) as factors_dropped
    from predicted
    group by package_code, instrument, measure

),

final as (

    select
        cast('{{ arvo_period() }}' as varchar) as period,
        cast(f.package_code as varchar) as package_code,
        cast(f.instrument as varchar) as instrument,
        cast(f.measure as varchar) as measure,
        cast(m.is_primary as boolean) as is_primary,
        cast(f.followups as bigint) as followups,
        cast(coalesce(d.pairs, 0) as bigint) as pairs,
        cast(f.left_out_no_baseline as bigint) as left_out_no_baseline,
        cast(coalesce(d.providers, 0) as bigint) as providers,
        cast(d.parameters as integer) as parameters,
        cast(d.r_squared as double) as r_squared,
        cast(d.residual_sd as double) as residual_sd,
        cast(d.factors_used as varchar) as factors_used,
        cast(d.factors_dropped as varchar) as factors_dropped,
        {{ arvo_measure_display('m', ['instrument_label', 'measure_label']) }}

    from followups as f
    inner join prom_measures as m
        on {{ arvo_same_keys('m', 'f', ['instrument', 'measure']) }}
    left join models as d
        on {{ arvo_same_keys('d', 'f', ['package_code', 'instrument', 'measure']) }}

)

{{ arvo_final_with_version() }}
