{#-
  A bound of the Wilson score interval of a proportion `successes` / `trials` (SQL
  expressions, `trials` > 0; where `/` of integers truncates, pass a double):
  side `lower` or `upper`; z = 1.959963984540054 gives the 95 % interval. Not clamped
  to [0, 1].
-#}

{% macro arvo_wilson_bound(successes, trials, side, z=1.959963984540054) -%}
    {%- if side not in ('lower', 'upper') -%}
        {{ exceptions.raise_compiler_error("arvo_wilson_bound: side is lower or upper, not " ~ side) }}
    {%- endif -%}
    (
            {{ successes }} / {{ trials }} + power({{ z }}, 2) / (2 * {{ trials }})
            {{ '-' if side == 'lower' else '+' }} {{ z }} * sqrt(
                {{ successes }} / {{ trials }} * (1 - {{ successes }} / {{ trials }})
                / {{ trials }}
                + power({{ z }}, 2) / (4 * power({{ trials }}, 2)))
        ) / (1 + power({{ z }}, 2) / {{ trials }})
{%- endmacro %}
