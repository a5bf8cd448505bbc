{#-
  The scope columns of a compiled obligation table (obligations.csv,
  obligation_restarts.csv), where exactly one of package_code and segment_code is
  filled: scope (`package` or `segment`), scope_code (that package's or segment's code),
  and package_code / segment_code with empty cells as null.
-#}
{% macro arvo_obligation_scope() %}
        case
            when nullif(trim(package_code), '') is not null then 'package'
            else 'segment'
        end as scope,
        upper(coalesce(nullif(trim(package_code), ''), trim(segment_code))) as scope_code,
        upper(nullif(trim(package_code), '')) as package_code,
        upper(nullif(trim(segment_code), '')) as segment_code,
{%- endmacro %}

{#-
  The terms of an obligation entry that its schedule and its compliance read, as the
  commissioner's definitions state them (definitions/obligations.yml, compiled to
  obligations.csv: docs/architecture.md): the timepoint's order and days (target,
  window from and to), the measure (participation or paired), the minimum rate,
  while_open and the severity. Carried from
  int_provider_obligations_resolved through int_episode_obligations_bound to
  int_episode_windows_scheduled, so a new term is added here once. `alias`: the
  relation the columns are read from, if the query joins several. Comma-separated,
  without a trailing comma.
-#}
{% macro arvo_obligation_terms(alias=none) -%}
  {%- set prefix = alias ~ '.' if alias else '' -%}
  {%- for column in ['timepoint_order', 'at_days', 'from_days', 'to_days', 'measure',
                     'min_rate', 'while_open', 'severity'] %}
        {{ prefix }}{{ column }}{{ ',' if not loop.last }}
  {%- endfor %}
{%- endmacro %}

{#-
  The pass rule of a PROM collection obligation (NHS Best Practice Tariff manner):
  `collected` of `eligible` meets `min_rate` when the rate is at least the minimum, or the
  upper bound of its Wilson 95 % score interval is (a shortfall within sampling noise does
  not fail). mart_prom_compliance judges each obligation by it, and asks it of the
  collected counts a report hides too (verdict_tells_small).
-#}
{% macro arvo_obligation_met(collected, eligible, min_rate) -%}
    (cast({{ collected }} as double) / {{ eligible }} >= {{ min_rate }}
        or {{ arvo_wilson_bound('cast(' ~ collected ~ ' as double)', eligible, 'upper') }}
            >= {{ min_rate }})
{%- endmacro %}
