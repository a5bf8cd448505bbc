{#-
  Fails on every combination of `combination_of_columns` that occurs more than
  once: the uniqueness test for a compound grain (e.g. period x provider_id). Each
  failing row is a combination and its count (n_records), on every engine.
-#}
{% test unique_combination(model, combination_of_columns) %}
{{ arvo_unique_combination(model, combination_of_columns) }}
{% endtest %}
