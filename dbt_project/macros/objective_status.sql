{#-
  An objective's status from a measurable figure (docs/objectives.md#status), the one
  place the rule is written: `met` on the target's side (margin >= 0, margin = value -
  target for at_least, target - value for at_most, cut to 9 decimals), `near` within
  `near` of it or with the target inside the figure's 95 % interval, else `missed`.
  Reads the columns `comparison`, `target` and `near` of the row; `value`, `ci_lower`
  and `ci_upper` are SQL expressions. mart_objective_attainment judges each unit's
  figure with it, and each count a report hides, to tell whether the status would give
  that count away.
-#}

{% macro arvo_objective_margin(value) -%}
    round(case
        when comparison = 'at_least' then {{ value }} - target
        else target - {{ value }}
    end, 9)
{%- endmacro %}

{% macro arvo_objective_status(value, ci_lower, ci_upper) -%}
    case
        when {{ arvo_objective_margin(value) }} >= 0 then 'met'
        when {{ arvo_objective_margin(value) }} >= -round(near, 9)
            or case
                when comparison = 'at_least' then {{ ci_upper }} >= target
                else {{ ci_lower }} <= target
            end
            then 'near'
        else 'missed'
    end
{%- endmacro %}

{#-
  A share's 95 % interval bound (Wilson, clamped to [0, 1]): `successes` of `n`, SQL
  expressions; side `lower` or `upper`. A share objective's interval
  (arvo_objective_units), and that of each count a report hides of it.
-#}

{% macro arvo_share_bound(successes, n, side) -%}
    {%- if side == 'lower' -%}
    greatest(0, {{ arvo_wilson_bound('(1.0 * ' ~ successes ~ ')', n, 'lower') }})
    {%- else -%}
    least(1, {{ arvo_wilson_bound('(1.0 * ' ~ successes ~ ')', n, 'upper') }})
    {%- endif -%}
{%- endmacro %}
