{#-
  Fails on rows whose `column_name` lies outside [min_value, max_value]
  (either bound may be omitted). Nulls pass: test not_null separately.
-#}
{% test value_between(model, column_name, min_value=none, max_value=none) %}

select {{ column_name }} as value
from {{ model }}
where {{ column_name }} is not null
  and (
    false
    {% if min_value is not none %} or {{ column_name }} < {{ min_value }} {% endif %}
    {% if max_value is not none %} or {{ column_name }} > {{ max_value }} {% endif %}
  )

{% endtest %}
