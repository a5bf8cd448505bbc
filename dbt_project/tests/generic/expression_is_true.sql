{#-
  Fails on every row where the SQL boolean `expression` is not true (a row-level rule
  between columns, e.g. `improved + unchanged + worsened = pairs`).
-#}
{% test expression_is_true(model, column_name, expression) %}

select *
from {{ model }}
where not coalesce(({{ expression }}), false)

{% endtest %}
