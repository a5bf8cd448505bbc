-- PROM responses as known at the end of the period (latest submission of each
-- provider_id + response_id wins), each with its instrument score.
-- One CTE per instrument returns (provider_id, response_id, score); add an
-- instrument by adding a CTE and a line to `scores`.

with

proms as (

    select * from {{ ref('stg_lake__proms') }}

),

eq5d5l_value_sets as (

    select * from {{ ref('eq5d5l_value_sets') }}

),

responses as (

    select *
    from proms
    where submission_month <= '{{ arvo_period() }}'
    qualify row_number() over (
        partition by provider_id, response_id
        order by submission_month desc, source_row desc
    ) = 1

),

-- EQ-5D-5L index: start value (+ intercept unless 11111) + one decrement per
-- dimension level, from the value set `eq5d5l_value_set` (default England,
-- Devlin et al. 2018). No index if any dimension is missing or out of 1-5.
eq5d5l_value_set as (

    select dimension, level, decrement
    from eq5d5l_value_sets
    where country = '{{ var("eq5d5l_value_set") }}'
      and dimension is not null

),

eq5d5l_constants as (

    select
        coalesce(max(decrement) filter (where term = 'StartValue'), 1) as start_value,
        coalesce(max(decrement) filter (where term = 'Intercept'), 0) as intercept
    from eq5d5l_value_sets
    where country = '{{ var("eq5d5l_value_set") }}'

),

eq5d5l_responses as (

    select
        provider_id,
        response_id,
        q1 as mo,
        q2 as sc,
        q3 as ua,
        q4 as pd,
        q5 as ad
    from responses
    where instrument = 'EQ5D5L'

),

eq5d5l_scores as (

    select
        r.provider_id,
        r.response_id,
        case
            when r.mo between 1 and 5 and r.sc between 1 and 5 and r.ua between 1 and 5
                and r.pd between 1 and 5 and r.ad between 1 and 5
            then cast(
                k.start_value
                + case when r.mo + r.sc + r.ua + r.pd + r.ad = 5 then 0 else k.intercept end
                + coalesce(mo.decrement, 0) + coalesce(sc.decrement, 0)
                + coalesce(ua.decrement, 0) + coalesce(pd.decrement, 0)
                + coalesce(ad.decrement, 0)
                as double)
        end as score
    from eq5d5l_responses as r
    cross join eq5d5l_constants as k
    left join eq5d5l_value_set as mo on mo.dimension = 'MO' and mo.level = r.mo
    left join eq5d5l_value_set as sc on sc.dimension = 'SC' and sc.level = r.sc
    left join eq5d5l_value_set as ua on ua.dimension = 'UA' and ua.level = r.ua
    left join eq5d5l_value_set as pd on pd.dimension = 'PD' and pd.level = r.pd
    left join eq5d5l_value_set as ad on ad.dimension = 'AD' and ad.level = r.ad

),

-- PHQ-9 total 0-27: no score if more than one item is missing (or any item is out
-- of 0-3); otherwise the mean of the answered items x 9, rounded.
phq9_responses as (

    select
        provider_id,
        response_id,
        {% for i in range(1, 10) -%}
        (q{{ i }} is not null)::integer{{ ' +' if not loop.last }}
        {% endfor -%} as answered,
        {% for i in range(1, 10) -%}
        coalesce(q{{ i }}, 0){{ ' +' if not loop.last }}
        {% endfor -%} as item_sum,
        {% for i in range(1, 10) -%}
        coalesce(q{{ i }} not between 0 and 3, false){{ ' or' if not loop.last }}
        {% endfor -%} as has_invalid_item
    from responses
    where instrument = 'PHQ9'

),

phq9_scores as (

    select
        provider_id,
        response_id,
        case
            when answered >= 8 and not has_invalid_item
            then cast(round(item_sum * 9.0 / answered) as double)
        end as score
    from phq9_responses

),

scores as (

    select * from eq5d5l_scores
    union all
    select * from phq9_scores

),

final as (

    select
        r.provider_id,
        r.response_id,
        r.episode_id,
        r.client_id,
        r.instrument,
        r.timepoint,
        r.response_date,
        s.score,
        r.submission_month

    from responses as r
    left join scores as s
        on s.provider_id = r.provider_id
        and s.response_id = r.response_id

)

select * from final
