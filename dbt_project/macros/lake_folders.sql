{#-
  A lake staging model kept as a table, brought up to date folder by folder.

  The lake holds one file per provider and submission month (a folder). A staging view
  over every month ever sent (stg_lake__episodes, stg_lake__proms) opens every folder's
  file each time a model reads it: about 1,100 files per entity at county scale over 48
  months, 0.15 to 0.4 s a read however few rows they hold, a cost that grows with the
  history. Kept as a table, a build reads only the folders that changed:

  - A folder's version (`lake_version`) is its file's name, size and modification time
    (ingest replaces a file whole, as a new file), and `code_version`: a digest of the
    model's SQL for its columns, so that changed SQL reads the lake again.
  - The pre-hook `arvo_forget_changed_folders` deletes the rows of every folder whose
    version the lake no longer holds (re-sent or withdrawn).
  - `arvo_folders_to_read` is the filter of the model's source: the lake's folders the
    table holds no row of at their version (new or re-sent). A full build reads them
    all. The rows are appended (incremental_strategy 'append').

  The table holds every submission month, whatever the period; the models downstream
  keep the months up to the period (arvo_latest_submission). Listing the files with
  their sizes and times is DuckDB's read_blob, which opens no file; on another engine
  the sources are tables, their folders carry no version (null), and every build reads
  everything, as a view would. tests/dbt_project/test_lake_folders.py compares the
  tables kept this way with full builds. Docs: macros/_macros.yml.
-#}

{#- The body of a CTE: the lake's folders of `entity` now (provider_id,
    submission_month) and a stamp that tells a rewritten file from the one before (null
    where the engine cannot tell). -#}
{% macro arvo_lake_files(entity) %}
  {{- return(arvo_implementation(adapter.dispatch('arvo_lake_files', 'arvo'),
                                 default__arvo_lake_files)(entity)) -}}
{%- endmacro %}

{% macro default__arvo_lake_files(entity) %}
    select distinct
        cast(provider_id as varchar) as provider_id,
        cast(month as varchar) as submission_month,
        cast(null as varchar) as file_stamp
    from {{ source('lake', entity) }}
{%- endmacro %}

{#- DuckDB: the files' names, sizes and modification times, without opening one -#}
{% macro duckdb__arvo_lake_files(entity) %}
    select
        regexp_extract(filename, 'provider_id=([^/\\]+)', 1) as provider_id,
        regexp_extract(filename, 'month=([^/\\]+)', 1) as submission_month,
        string_agg(filename || '@' || cast(size as varchar) || '@'
                   || cast(last_modified as varchar), ',' order by filename) as file_stamp
    from read_blob('{{ var("lake_dir") }}/{{ entity }}/*/*/*.parquet')
    group by 1, 2
{%- endmacro %}

{#- The body of a CTE: the lake's folders of `entity` and their versions, for a model
    whose column SQL has the digest `code_version` -#}
{% macro arvo_lake_folders(entity, code_version) %}
    select
        provider_id,
        submission_month,
        file_stamp || '@' || '{{ code_version }}' as lake_version
    from ({{ arvo_lake_files(entity) }}) as files
{%- endmacro %}

{#- Pre-hook: delete the rows of the folders whose version the lake no longer holds -#}
{% macro arvo_forget_changed_folders(entity, code_version) %}
  {%- if execute and is_incremental() -%}
    delete from {{ this }} as held
    where not exists (
        select 1
        from ({{ arvo_lake_folders(entity, code_version) }}) as lake
        where {{ arvo_same_keys('lake', 'held',
                                ['provider_id', 'submission_month', 'lake_version']) }}
    )
  {%- endif -%}
{%- endmacro %}

{#-
  The filter of the model's source `source` (its path columns provider_id and month):
  the folders the table holds no row of at their version now; true on a full build.
  Asked of the warehouse when the model compiles (before the pre-hook deletes), and
  written into the SQL as lists, so that DuckDB opens only those folders' files.
-#}
{% macro arvo_folders_to_read(entity, code_version) %}
  {%- if not (execute and is_incremental() and model.resource_type != 'unit_test') -%}
    {{- return('true') -}}
  {%- endif -%}
  {%- set held = adapter.get_relation(this.database, this.schema, this.identifier) -%}
  {%- if 'lake_version' not in adapter.get_columns_in_relation(held)
                               | map(attribute='name') | map('lower') | list -%}
    {{- return('true') -}}  {#- a table of an earlier Arvo: the pre-hook empties it -#}
  {%- endif -%}
  {%- set unread = run_query(
        'select lake.provider_id, lake.submission_month\nfrom ('
        ~ arvo_lake_folders(entity, code_version) ~ ') as lake\n'
        ~ 'where not exists (select 1 from ' ~ this ~ ' as held where '
        ~ arvo_same_keys('held', 'lake', ['provider_id', 'submission_month', 'lake_version'])
        ~ ')').rows -%}
  {%- if not unread -%}
    {{- return('1 = 0') -}}
  {%- endif -%}
  {%- set providers, months, folders = [], [], [] -%}
  {%- for row in unread -%}
    {%- do providers.append("'" ~ row[0] | replace("'", "''") ~ "'") -%}
    {%- do months.append("'" ~ row[1] | replace("'", "''") ~ "'") -%}
    {%- do folders.append("'" ~ (row[0] ~ '/' ~ row[1]) | replace("'", "''") ~ "'") -%}
  {%- endfor -%}
  {%- set provider, month = 'cast(source.provider_id as varchar)',
                            'cast(source.month as varchar)' -%}
  {{- return(provider ~ ' in (' ~ providers | unique | join(', ') ~ ')'
             ~ '\n      and ' ~ month ~ ' in (' ~ months | unique | join(', ') ~ ')'
             ~ '\n      and ' ~ dbt.concat([provider, "'/'", month])
             ~ ' in (' ~ folders | join(', ') ~ ')') -}}
{%- endmacro %}

{#- The config of such a staging model (materialized incremental, the pre-hooks) -#}
{% macro arvo_lake_table_config(entity, code_version) %}
  {{- return({
        'materialized': 'incremental',
        'incremental_strategy': 'append',
        'on_schema_change': 'sync_all_columns',
        'pre_hook': [
            "{{ arvo_add_missing_columns({'lake_version': 'varchar'}) }}",
            "{{ arvo_forget_changed_folders('" ~ entity ~ "', '" ~ code_version ~ "') }}",
        ],
  }) -}}
{%- endmacro %}

{#- The body of a CTE: the source rows of the folders to read, each with its folder's
    lake_version; `optional_columns` ({name: type}): the columns the contract added later,
    null where a file lacks them (arvo_with_optional_columns) -#}
{% macro arvo_lake_rows_to_read(entity, code_version, optional_columns=none) %}
    select
        source.*,
        folders.lake_version
    {%- if optional_columns %}
    from ({{ arvo_with_optional_columns(source('lake', entity), optional_columns) }}) as source
    {%- else %}
    from {{ source('lake', entity) }} as source
    {%- endif %}
    left join ({{ arvo_lake_folders(entity, code_version) }}) as folders
        on folders.provider_id = cast(source.provider_id as varchar)
        and folders.submission_month = cast(source.month as varchar)
    where {{ arvo_folders_to_read(entity, code_version) }}
{%- endmacro %}
