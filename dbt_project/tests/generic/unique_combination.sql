{#-
  Fails on every combination of `combination_of_columns` that occurs more than
  once: the uniqueness test for a compound grain (e.g. period x provider_id).
-#}
{% test unique_combination(model, combination_of_columns) %}

select
    {{ combination_of_columns | join(', ') }},
    count(*) as n_records
from {{ model }}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1

{% endtest %}
