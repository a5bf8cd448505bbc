{#-
  Fails on every lake folder month (submission_month) holding a row dated after it: the
  rule that lets int_events_windowed read only the window's folders (the contract's
  *_in_folder_month). One comparison per month, on the month's latest date, not one a
  row: the table holds every event ever sent.
-#}
{% test dated_in_folder_month(model, date_column) %}

select
    submission_month,
    max({{ date_column }}) as latest_date
from {{ model }}
group by submission_month
having max({{ date_column }})
    >= {{ dbt.dateadd('month', 1, "cast(submission_month || '-01' as date)") }}

{% endtest %}
