{#-
  The steering period (var `period`, YYYY-MM) and the dates derived from it.
  The window is the `window_months` calendar months ending with the period's month.
  The macros return SQL literals, so DuckDB can prune hive partitions on them.
-#}

{% macro arvo_period() -%}
  {%- set period = var('period', none) -%}
  {%- if period is none or (period | string | trim) == '' -%}
    {%- if execute -%}
      {{ exceptions.raise_compiler_error(
          "Arvo needs the steering period: pass --vars '{period: YYYY-MM}' "
          ~ "(the last month of the 12-month window), e.g. --vars '{period: \"2024-12\"}'") }}
    {%- endif -%}
    {#- parsing without a period: any valid month keeps the parser going -#}
    {%- do return('1900-01') -%}
  {%- endif -%}
  {%- set period = period | string | trim -%}
  {%- if not modules.re.match('^[0-9]{4}-(0[1-9]|1[0-2])$', period) -%}
    {{ exceptions.raise_compiler_error(
        "Arvo var 'period' must be YYYY-MM (e.g. 2024-12), got '" ~ period ~ "'") }}
  {%- endif -%}
  {%- do return(period) -%}
{%- endmacro %}

{% macro arvo_window_months() -%}
  {%- set n = var('window_months', 12) | int -%}
  {%- if n < 1 -%}
    {{ exceptions.raise_compiler_error("Arvo var 'window_months' must be a positive integer") }}
  {%- endif -%}
  {%- do return(n) -%}
{%- endmacro %}

{#- (year, month) of the first month of the window, as a 'YYYY-MM' string -#}
{% macro arvo_window_start_month() -%}
  {%- set parts = arvo_period().split('-') -%}
  {%- set index = (parts[0] | int) * 12 + (parts[1] | int) - 1 - (arvo_window_months() - 1) -%}
  {%- do return('%04d-%02d' | format(index // 12, index % 12 + 1)) -%}
{%- endmacro %}

{#- a condition: `month` (a 'YYYY-MM' column) is a month of the window, from its first
    month to the period, e.g. submission_month between '2024-01' and '2024-12' -#}
{% macro arvo_in_window(month) -%}
  {{ month }} between '{{ arvo_window_start_month() }}' and '{{ arvo_period() }}'
{%- endmacro %}

{#- first day of the window, e.g. date '2024-01-01' -#}
{% macro arvo_window_start() -%}
  date '{{ arvo_window_start_month() }}-01'
{%- endmacro %}

{#- last day of the period's month, e.g. date '2024-12-31' -#}
{% macro arvo_period_end() -%}
  {%- set parts = arvo_period().split('-') -%}
  {%- set y = parts[0] | int -%}
  {%- set m = parts[1] | int -%}
  {%- set next_first = modules.datetime.date(y + (m // 12), m % 12 + 1, 1) -%}
  {%- set last = next_first - modules.datetime.timedelta(days=1) -%}
  date '{{ last.isoformat() }}'
{%- endmacro %}

{#- on-run-start: fail the whole invocation at once when the period is missing or bad -#}
{% macro arvo_check_vars() -%}
  {%- if execute -%}
    {%- do arvo_period() -%}
    {%- do arvo_window_months() -%}
  {%- endif -%}
{%- endmacro %}

{#-
  pre-hook of every mart: delete the period's rows before delete+insert, so a
  rerun that yields no rows for a period still replaces (empties) it.
-#}
{% macro arvo_clear_period() -%}
  {%- if execute -%}
    {%- set existing = adapter.get_relation(this.database, this.schema, this.identifier) -%}
    {%- if existing is not none and not should_full_refresh() -%}
      delete from {{ this }} where period = '{{ arvo_period() }}'
    {%- endif -%}
  {%- endif -%}
{%- endmacro %}

{#- whole years from `birth_date` to `at_date` (a datediff in years counts boundaries) -#}
{% macro age_in_years(birth_date, at_date) -%}
  (extract(year from {{ at_date }}) - extract(year from {{ birth_date }})
    - case when extract(month from {{ at_date }}) * 100 + extract(day from {{ at_date }})
                < extract(month from {{ birth_date }}) * 100 + extract(day from {{ birth_date }})
           then 1 else 0 end)
{%- endmacro %}

{#- the period `months` months before the steering period, as a 'YYYY-MM' string -#}
{% macro arvo_period_before(months) -%}
  {%- set parts = arvo_period().split('-') -%}
  {%- set index = (parts[0] | int) * 12 + (parts[1] | int) - 1 - (months | int) -%}
  {%- do return('%04d-%02d' | format(index // 12, index % 12 + 1)) -%}
{%- endmacro %}
