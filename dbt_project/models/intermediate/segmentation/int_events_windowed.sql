-- Service events that count for the period: submissions up to the period's month,
-- the latest submission of each event (provider_id + event_id) wins, dated in the window.
-- Only the window's month folders are read: no row is dated after its folder's month
-- (rule event_date_in_folder_month), so the latest version of an event dated in the
-- window was sent in a folder of the window's months, and the versions in older folders
-- lose to it anyway. The cost follows the window, not the history.
--
-- Incremental: the table the previous run left is brought to this period, so that a
-- monthly run writes the new month's events, not the whole window's.
-- - Each row keeps the version of the lake folder it was read from (lake_version: its
--   events file's sha256 and ingest time, from the ingest log). A table of an earlier
--   Arvo gets the column as nulls, so its first run here reads every folder again.
-- - The pre-hooks add that column where missing and drop the rows dated before the
--   window.
-- - A folder is changed when the table holds no row of its version: a new month, a
--   re-sent or withdrawn file, or a folder whose every row was superseded.
-- - Every event of a changed folder, as the table holds it or as the lake holds it now,
--   is looked up again among the window's folders. Strategy arvo_replace_records
--   (macros/replace_records.sql) replaces its row, or deletes it when no version is
--   dated in the window any longer (such an event comes with a null event_date).
-- - When the window begins before the table's earliest submission month (a longer
--   window, or an earlier period than the table's), every folder counts as changed:
--   the same as a full build.
-- tests/dbt_project/test_incremental_events.py compares the incremental table with a
-- full build over new months, corrections, withdrawals and an earlier period.

{{ config(
    materialized='incremental',
    incremental_strategy='arvo_replace_records',
    unique_key=['provider_id', 'event_id'],
    record_present_column='event_date',
    on_schema_change='append_new_columns',
    pre_hook=["{{ arvo_add_missing_columns({'lake_version': 'varchar'}) }}",
              "{{ arvo_delete_before_window('event_date') }}"]
) }}

{#- the columns of an event the table keeps, its key first -#}
{%- set event_columns = ['provider_id', 'event_id', 'client_id', 'birth_date', 'sex',
                         'episode_id', 'event_date', 'service_code', 'diagnosis', 'cost_eur',
                         'municipality', 'submission_month'] -%}

{#- the folders changed since the table was built: CTEs over events and ingest_logs -#}
{%- set folder_ctes -%}

logged_versions as (

    -- the file whose rows each events folder holds, and when it was ingested
    select
        provider_id,
        submission_month,
        max(file_sha256 || '@' || cast(ingested_at as varchar)) as lake_version
    from ingest_logs
    where entity = 'events'
      and status in ('accepted', 'partial', 'standing')
      and {{ arvo_in_window('submission_month') }}
    group by provider_id, submission_month

)
{%- if is_incremental() %},

folder_versions as (

    -- the window's events folders and their versions (null when the ingest log has none:
    -- such a folder counts as changed in every incremental run)
    select
        folders.provider_id,
        folders.submission_month,
        logged_versions.lake_version
    from (
        select distinct provider_id, submission_month
        from events
        where {{ arvo_in_window('submission_month') }}
    ) as folders
    left join logged_versions
        on {{ arvo_same_keys('logged_versions', 'folders',
                             ['provider_id', 'submission_month']) }}

),

held_folders as (

    -- the folders and versions of the rows the table keeps (the pre-hook drops the rows
    -- dated before the window)
    select provider_id, submission_month, lake_version
    from {{ this }}
    where event_date >= {{ arvo_window_start() }}
    group by provider_id, submission_month, lake_version

),

rebuild_all as (

    -- the window reaches back before what the table holds (or the table is empty)
    select coalesce(min(submission_month) > '{{ arvo_window_start_month() }}', true)
        as is_needed
    from held_folders

),

changed as (

    -- the window's folders whose version the table does not hold ...
    select lake.provider_id, lake.submission_month
    from folder_versions as lake
    where (select is_needed from rebuild_all)
       or not exists (
            select 1
            from held_folders as held
            where {{ arvo_same_keys('held', 'lake',
                                    ['provider_id', 'submission_month', 'lake_version']) }}
       )

    union

    -- ... and the folders whose rows the table holds but whose version is gone
    select held.provider_id, held.submission_month
    from held_folders as held
    where not exists (
            select 1
            from folder_versions as lake
            where {{ arvo_same_keys('lake', 'held',
                                    ['provider_id', 'submission_month', 'lake_version']) }}
       )

),

changed_folders as (

    -- reads_all: the provider's events in unchanged folders are looked up too, unless
    -- each of its changed folders is a month after every folder the table holds of it
    -- (the versions sent then win over all the earlier ones)
    select
        changed.provider_id,
        changed.submission_month,
        (select is_needed from rebuild_all)
            or coalesce(changed.submission_month <= (
                select max(held.submission_month)
                from held_folders as held
                where held.provider_id = changed.provider_id
            ), false) as reads_all
    from changed

)
{%- endif %}
{%- endset -%}

{%- set imports -%}

{{ arvo_import_ctes([
    ('events', 'stg_lake__events'),
    ('ingest_logs', 'stg_lake__ingest_logs'),
]) }},
{%- endset -%}

{#-
  In a run (not a unit test, not the first run on a table without lake_version), the
  changed folders are found first, so that DuckDB reads the rows of those folders and
  providers only (stg_lake__events is a table kept a folder at a time, its rows stored
  month after month): the same CTEs, their answer written into the SQL as values.
-#}
{%- set prune_changed, prune_providers = 'true', 'true' -%}
{%- set planned = none -%}
{%- if execute and is_incremental() and model.resource_type != 'unit_test' -%}
  {%- set held = adapter.get_relation(this.database, this.schema, this.identifier) -%}
  {%- if 'lake_version' in adapter.get_columns_in_relation(held) | map(attribute='name')
                           | map('lower') | list -%}
    {%- set planned = run_query('with ' ~ imports ~ folder_ctes ~ '\nselect provider_id, '
                                ~ 'submission_month, reads_all from changed_folders').rows -%}
    {%- set providers, months, read_all = [], [], [] -%}
    {%- for row in planned -%}
      {%- do providers.append("'" ~ row[0] | replace("'", "''") ~ "'") -%}
      {%- do months.append("'" ~ row[1] ~ "'") -%}
      {%- if row[2] -%}{%- do read_all.append("'" ~ row[0] | replace("'", "''") ~ "'") -%}{%- endif -%}
    {%- endfor -%}
    {%- set prune_changed = ('events.provider_id in (' ~ (providers | unique | join(', '))
                             ~ ') and events.submission_month in ('
                             ~ (months | unique | join(', ')) ~ ')')
                            if planned else '1 = 0' -%}
    {%- set prune_providers = ('events.provider_id in (' ~ (read_all | unique | join(', '))
                                ~ ')')
                              if read_all else '1 = 0' -%}
  {%- endif -%}
{%- endif %}

with
{{ imports }}
{{ folder_ctes }},

{% if is_incremental() %}

folders_to_read as (

    {% if planned is none -%}
    select * from changed_folders
    {%- elif planned -%}
    select * from (values
        {%- for row in planned %}
        ('{{ row[0] | replace("'", "''") }}', '{{ row[1] }}', {{ 'true' if row[2] else 'false' }})
        {{- ',' if not loop.last }}
        {%- endfor %}
    ) as planned (provider_id, submission_month, reads_all)
    {%- else -%}
    select
        cast(null as varchar) as provider_id,
        cast(null as varchar) as submission_month,
        false as reads_all
    where 1 = 0
    {%- endif %}

),

changed_events as (

    -- the events of the changed folders: as the table holds them, as the lake does now
    select previous.provider_id, previous.event_id
    from {{ this }} as previous
    inner join folders_to_read as folders
        on {{ arvo_same_keys('folders', 'previous', ['provider_id', 'submission_month']) }}

    union

    select events.provider_id, events.event_id
    from events
    inner join folders_to_read as folders
        on {{ arvo_same_keys('folders', 'events', ['provider_id', 'submission_month']) }}
    where {{ prune_changed }}

),

versions as (

    -- their versions: those of the changed folders, and for a provider that reads all,
    -- those of its other folders of the window
    select events.*
    from events
    inner join folders_to_read as folders
        on {{ arvo_same_keys('folders', 'events', ['provider_id', 'submission_month']) }}
    where {{ prune_changed }}

    union all

    select events.*
    from events
    inner join changed_events as changed
        on {{ arvo_same_keys('changed', 'events', ['provider_id', 'event_id']) }}
    where {{ prune_providers }}
      and exists (
            select 1
            from folders_to_read as folders
            where folders.provider_id = events.provider_id
              and folders.reads_all
      )
      and not exists (
            select 1
            from folders_to_read as folders
            where {{ arvo_same_keys('folders', 'events',
                                    ['provider_id', 'submission_month']) }}
      )

),

{% else %}

versions as (

    select * from events

),

{% endif %}

latest_submission as (

    {{- arvo_latest_submission('versions', ['provider_id', 'event_id'],
                               since=arvo_window_start_month()) }}

),

windowed as (

    select
        {%- for column in event_columns %}
        latest.{{ column }},
        {%- endfor %}
        logged_versions.lake_version

    from latest_submission as latest
    left join logged_versions
        on {{ arvo_same_keys('logged_versions', 'latest',
                             ['provider_id', 'submission_month']) }}
    where latest.event_date between {{ arvo_window_start() }} and {{ arvo_period_end() }}

),

{% if is_incremental() %}

final as (

    -- one row per changed event: its row now, or nulls when it left the window
    select
        changed.provider_id,
        changed.event_id,
        {%- for column in event_columns[2:] %}
        windowed.{{ column }},
        {%- endfor %}
        windowed.lake_version

    from changed_events as changed
    left join windowed
        on {{ arvo_same_keys('windowed', 'changed', ['provider_id', 'event_id']) }}

)

{% else %}

final as (

    select * from windowed

)

{% endif %}

select * from final
