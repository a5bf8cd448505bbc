-- Grain: period x objective x scope_type x scope_id. Each objective of
-- definitions/objectives.yml judged for its scope as a whole (scope_type segment, package
-- or sector) and for each provider in it (scope_type provider: the provider's pairs,
-- windows or obligations within the scope; every provider of a sector objective's type,
-- also one without data). Measures: int_objective_units_measured.
--
-- Status (docs/objectives.md#status; Arvo's choice, the "near" on noise after the NHS
-- Best Practice Tariff's rule that a shortfall within sampling noise does not fail):
--   not_measurable  reason before_applies_from (period < applies_from), no_data (n = 0),
--                   too_few_clients (clients < min_clients: 5, the reports' small-cell
--                   rule, compiled from arvo/objectives.py),
--                   too_few (n < min_n), no_previous_level (target previous_year and no
--                   measurable figure of the same unit 12 periods earlier)
--   met             the value is on the target's side (at_least: value >= target)
--   near            not met, but within `near` of the target, or the target inside the
--                   value's 95 % interval
--   missed          otherwise
-- `margin` = value - target (at_least) or target - value (at_most), cut to 9 decimals:
-- positive or zero meets (the rule: macros/objective_status.sql). The previous year's
-- level and the trend come from this mart's own rows of earlier periods (a period built
-- later than the one after it is not revisited). status_tells_small: the reports hide
-- the status beside a hidden share whose count it would tell (docs/disclosure.md).

{#- what a period reads of the earlier ones: its own rows, or none on the first build -#}
{%- set earlier_columns = {
    'period': 'varchar', 'objective_code': 'varchar', 'scope_type': 'varchar',
    'scope_id': 'varchar', 'value': 'double', 'value_measurable': 'boolean',
    'status': 'varchar'} %}

with

{{ arvo_import_ctes([
    ('objectives', 'stg_definitions__objectives'),
    ('measured', 'int_objective_units_measured'),
    ('providers', 'stg_definitions__providers'),
]) }},

earlier as (

    {% if is_incremental() %}
    select {{ earlier_columns.keys() | join(', ') }}
    from {{ this }}
    where period < '{{ arvo_period() }}'
    {% else %}
    {{ arvo_empty_relation(earlier_columns) }}
    {% endif %}

),

units as (

    -- the scope as a whole, always
    select
        objective_code,
        scope as scope_type,
        scope_code as scope_id,
        cast(null as varchar) as provider_id
    from objectives

    union

    -- every provider of a sector objective's type
    select
        o.objective_code,
        'provider' as scope_type,
        p.provider_id as scope_id,
        p.provider_id
    from objectives as o
    inner join providers as p
        on o.scope = 'sector'
        and p.sector = o.scope_code

    union

    -- every provider with something measured in the scope
    select
        objective_code,
        scope_type,
        scope_id,
        provider_id
    from measured
    where scope_type = 'provider'

),

previous_year as (

    select * from earlier
    where period = '{{ arvo_period_before(12) }}'
        and value_measurable

),

previous as (

    select
        *,
        row_number() over (
            partition by objective_code, scope_type, scope_id order by period desc
        ) as recency
    from earlier

),

joined as (

    select
        u.objective_code,
        o.name_fi,
        o.name_en,
        o.name_sv,
        o.scope,
        o.scope_code,
        u.scope_type,
        u.scope_id,
        u.provider_id,
        o.measure,
        o.instrument,
        o.comparison,
        o.target_kind,
        case when o.target_kind = 'previous_year' then py.value else o.target end as target,
        o.near,
        o.applies_from,
        o.min_n,
        o.min_clients,
        coalesce(m.n, 0) as n,
        m.successes,
        coalesce(m.clients, 0) as clients,
        m.value,
        m.ci_lower,
        m.ci_upper,
        py.period as previous_year_period,
        py.value as previous_year_value,
        pv.period as previous_period,
        pv.value as previous_value,
        pv.status as previous_status
    from units as u
    inner join objectives as o
        on o.objective_code = u.objective_code
    left join measured as m
        on {{ arvo_same_keys('m', 'u', ['objective_code', 'scope_type', 'scope_id']) }}
    left join previous_year as py
        on {{ arvo_same_keys('py', 'u', ['objective_code', 'scope_type', 'scope_id']) }}
    left join previous as pv
        on {{ arvo_same_keys('pv', 'u', ['objective_code', 'scope_type', 'scope_id']) }}
        and pv.recency = 1

),

judged as (

    select
        *,
        n >= min_n and clients >= min_clients as value_measurable,
        {{ arvo_objective_margin('value') }} as margin,
        {{ arvo_objective_status('value', 'ci_lower', 'ci_upper') }} as figure_status
    from joined

),

statuses as (

    select
        *,
        case
            when '{{ arvo_period() }}' < applies_from then 'before_applies_from'
            when n = 0 then 'no_data'
            when clients < min_clients then 'too_few_clients'
            when n < min_n then 'too_few'
            when target is null then 'no_previous_level'
        end as reason
    from judged

),

-- the counts a report hides of a share (arvo.report.disclosure.share_is_small): its
-- successes, or the rest, from 1 to var small_cell - 1
small_counts as (

    {{ arvo_small_counts('k') }}

),

-- a measurable share the reports hide: every count its reader cannot tell apart from
-- the true one, given n: 1 to 4 successes where the successes are hidden, 1 to 4 not
-- counted where the rest is (the side is no secret: "met" beside 95 of 100 says which).
-- Not obligations_met_share: it counts obligations whose every verdict the obligations
-- matrix shows (arvo_objective_units), so its status tells nothing the matrix does not
hidden_alternatives as (

    select
        s.objective_code,
        s.scope_type,
        s.scope_id,
        s.comparison,
        s.target,
        s.near,
        s.n,
        case when r.of_rest then s.n - c.k else c.k end as successes
    from statuses as s
    cross join small_counts as c
    cross join (select false as of_rest union all select true as of_rest) as r
    where c.k < s.n
        and s.reason is null
        and s.successes is not null
        and s.measure <> 'obligations_met_share'
        and case
            when r.of_rest then {{ arvo_is_hidden_count('s.n - s.successes') }}
            else {{ arvo_is_hidden_count('s.successes') }}
        end

),

-- whether the status would tell the hidden count apart: not the same for all of them
-- ("met" beside a hidden 33 of 34 against a target of 97 % leaves only 33)
small_statuses as (

    select
        objective_code,
        scope_type,
        scope_id,
        count(distinct {{ arvo_objective_status(
            '1.0 * successes / n', arvo_share_bound('successes', 'n', 'lower'),
            arvo_share_bound('successes', 'n', 'upper')) }}) > 1 as status_tells_small
    from hidden_alternatives
    group by objective_code, scope_type, scope_id

),

told as (

    select
        s.*,
        t.status_tells_small
    from statuses as s
    left join small_statuses as t
        on {{ arvo_same_keys('t', 's', ['objective_code', 'scope_type', 'scope_id']) }}

),

final as (

    select
        cast('{{ arvo_period() }}' as varchar) as period,
        cast(objective_code as varchar) as objective_code,
        cast(name_fi as varchar) as objective_name_fi,
        cast(name_en as varchar) as objective_name_en,
        cast(name_sv as varchar) as objective_name_sv,
        cast(scope as varchar) as objective_scope,
        cast(scope_code as varchar) as objective_scope_code,
        cast(scope_type as varchar) as scope_type,
        cast(scope_id as varchar) as scope_id,
        cast(provider_id as varchar) as provider_id,
        cast(measure as varchar) as measure,
        cast(instrument as varchar) as instrument,
        cast(comparison as varchar) as comparison,
        cast(target_kind as varchar) as target_kind,
        cast(target as double) as target,
        cast(near as double) as near,
        cast(applies_from as varchar) as applies_from,
        cast(min_n as integer) as min_n,
        cast(n as bigint) as n,
        cast(successes as bigint) as successes,
        cast(clients as bigint) as clients,
        cast(value as double) as value,
        cast(ci_lower as double) as ci_lower,
        cast(ci_upper as double) as ci_upper,
        cast(value_measurable as boolean) as value_measurable,
        cast(case when reason is null then margin end as double) as margin,
        cast(case
            when reason is not null then 'not_measurable'
            else figure_status
        end as varchar) as status,
        cast(reason is null and margin >= 0 as boolean) as met,
        cast(coalesce(status_tells_small, false) as boolean) as status_tells_small,
        cast(reason as varchar) as reason,
        cast(previous_year_period as varchar) as previous_year_period,
        cast(previous_year_value as double) as previous_year_value,
        cast(previous_period as varchar) as previous_period,
        cast(previous_value as double) as previous_value,
        cast(previous_status as varchar) as previous_status

    from told

)

{{ arvo_final_with_version() }}
