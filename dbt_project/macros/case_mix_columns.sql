{#-
  The optional case-mix fields of an episode (arvo/contract.py CASE_MIX_CODES,
  docs/submission-contract.md "Case-mix fields"), the one list in dbt: typed as integer
  codes (cast=true, for the lake staging model) or named as they are (cast=false, for
  the models that carry them on), each column name after `prefix` (e.g. 'e.').
  Comma-separated, without a trailing comma.
-#}

{% macro arvo_case_mix_columns(cast=true, prefix='') -%}
    {%- set columns = [
        'living_arrangement', 'disability', 'assisted_at_baseline', 'symptom_duration',
        'previous_surgery', 'general_health',
        'comorbidity_heart_disease', 'comorbidity_high_blood_pressure', 'comorbidity_stroke',
        'comorbidity_circulation', 'comorbidity_lung_disease', 'comorbidity_diabetes',
        'comorbidity_kidney_disease', 'comorbidity_nervous_system',
        'comorbidity_liver_disease', 'comorbidity_cancer', 'comorbidity_depression',
        'comorbidity_arthritis',
    ] -%}
    {%- for column in columns %}
        {% if cast %}cast({{ prefix }}{{ column }} as integer) as {{ column }}{% else %}{{ prefix }}{{ column }}{% endif %}{{ ',' if not loop.last }}
    {%- endfor -%}
{%- endmacro %}
