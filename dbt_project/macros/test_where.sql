{#-
  dbt's `where` config of a data test, with the steering window in it: the
  placeholders __window_start_month__ and __period__ become the window's first month
  and the period ('YYYY-MM'). A test's config is rendered when dbt parses, before the
  run's period is known; this is rendered when the test runs. So the staging tests of a
  lake entity can check the folders of the window's months only (the earlier folders
  were checked by the runs of their periods), and their cost follows the window, not
  the history. Overrides dbt's own get_where_subquery (the same, without placeholders).
-#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}
        {%- set where = where
              | replace('__window_start_month__', arvo_window_start_month())
              | replace('__period__', arvo_period()) -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') dbt_subquery') -%}
    {%- endif -%}
    {%- do return(relation) -%}
{%- endmacro %}
