{#-
  Sums, means and standard deviations of scores that are the same on every run.
  DuckDB sums doubles in parallel, in an order that changes from run to run, so the last
  digits of a double sum or mean differ between two runs of the same period. These macros
  sum exact decimals instead: each value is rounded to 9 decimals (more than PROM scores
  and value set indexes carry: int_prom_measures_scored, seeds/), summed exactly, and only
  the final division is done in floating point, on operands that are the same on every run
  (docs/reruns.md). Money is summed as decimal euros where it is used, never through these.
-#}

{% macro arvo_exact(expr) -%}
    cast({{ expr }} as decimal(18, 9))
{%- endmacro %}

{% macro arvo_exact_sum(expr) -%}
    sum({{ arvo_exact(expr) }})
{%- endmacro %}

{% macro arvo_exact_mean(expr) -%}
    (cast(sum({{ arvo_exact(expr) }}) as double)
        / nullif(count({{ expr }}), 0))
{%- endmacro %}

{% macro arvo_exact_stddev(expr) -%}
    {%- set x = 'cast(' ~ expr ~ ' as decimal(38, 9))' -%}
    case when count({{ expr }}) > 1 then sqrt(
        cast(count({{ expr }}) * sum({{ x }} * {{ x }}) - sum({{ x }}) * sum({{ x }})
            as double)
        / (count({{ expr }}) * (count({{ expr }}) - 1))) end
{%- endmacro %}
