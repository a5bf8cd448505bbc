{#-
  How the reports show a measure, as seed prom_measures states it and the marts' contracts
  type it: instrument_label, measure_label, higher_is_better (which way is better),
  decimals (how many a mean prints with) and mid (its minimal important difference).
  `alias` is the CTE or table holding prom_measures' columns; `columns` a subset, in the
  order given. Rendered comma-separated, without a trailing comma.
-#}

{% macro arvo_measure_display(alias, columns=['instrument_label', 'measure_label',
                                              'higher_is_better', 'decimals', 'mid']) -%}
    {%- set types = {'instrument_label': 'varchar', 'measure_label': 'varchar',
                     'higher_is_better': 'boolean', 'decimals': 'integer',
                     'mid': 'double'} -%}
    {%- for column in columns -%}
        cast({{ alias }}.{{ column }} as {{ types[column] }}) as {{ column }}
        {{- ",\n        " if not loop.last }}
    {%- endfor -%}
{%- endmacro %}
