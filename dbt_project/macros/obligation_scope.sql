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
