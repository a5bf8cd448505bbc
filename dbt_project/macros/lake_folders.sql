{#-
  A lake staging model kept as a table, brought up to date folder by folder.

  The lake holds one file per provider and submission month (a folder). A staging view
  over every month ever sent (stg_lake__events, stg_lake__episodes, stg_lake__proms,
  stg_lake__ingest_logs, stg_lake__check_results) opens every folder's file each time a
  model reads it: about 1,100 files per entity at county scale over 48 months, 0.15 to
  0.4 s a read however few rows they hold, and the restarts read the whole history's
  events so: a cost that grows with the history.
  Kept as a table, a build reads only the folders that changed:

  - A folder's version is its file's name, size and modification time (ingest replaces
    a file whole, as a new file) and `code_version`: a digest of the model's SQL for
    its columns, so that changed SQL reads the lake again.
  - The versions the table holds are in a small table beside it, `<model>__folders`
    (provider_id, submission_month, lake_version), written by the post-hook
    `arvo_record_folders` after each build: the lake's folders as the build read them.
  - `arvo_folders_to_read` are the lake's folders whose version that table does not
    hold (new or re-sent); all on a full build, or when the folders' table is missing.
    The model's source is filtered to them, and on DuckDB read from their files alone
    (`arvo_lake_source`).
  - The pre-hook `arvo_forget_changed_folders` deletes the rows of the folders whose
    version changed, went or is about to be read, so the append is exact even after a
    build that failed half way. The hooks and the insert are one transaction.

  The table holds every submission month, whatever the period; the models downstream
  keep the months up to the period (arvo_latest_submission). The lake is listed once a
  build, by stg_lake__files, which every kept table depends on: with DuckDB's read_blob,
  which opens no file (listing it in each model's compile and hooks cost 0.025 s a time
  at 1,100 files, 20 times a build). On another engine the sources are tables, their
  folders carry no version (null), and every build reads everything, as a view would.
  tests/dbt_project/test_lake_folders.py compares the tables kept this way with full
  builds. Docs: macros/_macros.yml.
-#}

{#- The lake entities kept as tables a folder at a time (the models that call
    arvo_lake_rows_to_read): stg_lake__files lists these -#}
{% macro arvo_kept_lake_entities() %}
  {{- return(['episodes', 'events', 'proms', 'ingest_log', 'check_results']) -}}
{%- endmacro %}

{#- The lake's folders of the kept `entities` as this build finds them (entity,
    provider_id, submission_month) and a stamp that tells a rewritten file from the one
    before (null where the engine cannot tell): the body of stg_lake__files, the one
    listing of the lake a build makes. -#}
{% macro arvo_list_lake_files(entities) %}
  {{- return(arvo_implementation(adapter.dispatch('arvo_list_lake_files', 'arvo'),
                                 default__arvo_list_lake_files)(entities)) -}}
{%- endmacro %}

{% macro default__arvo_list_lake_files(entities) %}
    {%- for entity in entities %}
    select distinct
        '{{ entity }}' as entity,
        cast(provider_id as varchar) as provider_id,
        cast(month as varchar) as submission_month,
        cast(null as varchar) as file_stamp
    from {{ source('lake', entity) }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}

{#- DuckDB: the files' names (under the lake), sizes and modification times, without
    opening one: one glob a build, whatever the entities -#}
{% macro duckdb__arvo_list_lake_files(entities) %}
    {%- set globs = [] -%}
    {%- for entity in entities -%}
        {%- do globs.append("'" ~ var('lake_dir') ~ '/' ~ entity ~ "/*/*/*.parquet'") -%}
    {%- endfor %}
    select
        regexp_extract(filename, '([^/\\]+)[/\\]provider_id=', 1) as entity,
        regexp_extract(filename, 'provider_id=([^/\\]+)', 1) as provider_id,
        regexp_extract(filename, 'month=([^/\\]+)', 1) as submission_month,
        string_agg(replace(filename, '{{ var("lake_dir") }}/', '') || '@'
                   || cast(size as varchar) || '@' || cast(last_modified as varchar), ','
                   order by filename) as file_stamp
    from read_blob([{{ globs | join(', ') }}])
    group by 1, 2, 3
{%- endmacro %}

{#- The body of a CTE: the lake's folders of `entity` (provider_id, submission_month)
    and their stamps, as stg_lake__files listed them at the start of this build; listed
    here when the build does not build stg_lake__files (a selection without it: its
    table, if any, is an earlier build's listing) -#}
{% macro arvo_lake_files(entity) %}
    {%- if entity not in arvo_kept_lake_entities() -%}
      {#- unlisted, its every folder would look gone and its rows be deleted -#}
      {{- exceptions.raise_compiler_error("the lake entity '" ~ entity ~ "' is kept as a "
          ~ "table but not listed by stg_lake__files: add it to arvo_kept_lake_entities") -}}
    {%- endif %}
    select
        provider_id,
        submission_month,
        file_stamp
    {%- if 'model.' ~ project_name ~ '.stg_lake__files' in selected_resources %}
    from {{ ref('stg_lake__files') }}
    where entity = '{{ entity }}'
    {%- else %}
    from ({{ arvo_list_lake_files([entity]) }}) as listed
    {%- endif %}
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

{#- The relation of the folder versions a kept table holds -#}
{% macro arvo_held_folders() %}
  {{- return(this.incorporate(path={'identifier': this.identifier ~ '__folders'})) -}}
{%- endmacro %}

{#- The folders (provider_id, submission_month) of the lake whose version the held
    folders' table does not hold, and when `gone` also the held ones the lake no longer
    has at that version; none when the table is missing (read everything). -#}
{% macro arvo_changed_folders(entity, code_version, gone=false) %}
  {%- set held = arvo_held_folders() -%}
  {%- if adapter.get_relation(held.database, held.schema, held.identifier) is none -%}
    {{- return(none) -}}
  {%- endif -%}
  {%- set lake = '(' ~ arvo_lake_folders(entity, code_version) ~ ')' -%}
  {%- set same = arvo_same_keys('a', 'b', ['provider_id', 'submission_month', 'lake_version']) -%}
  {%- set query -%}
    select a.provider_id, a.submission_month from {{ lake }} as a
    where not exists (select 1 from {{ held }} as b where {{ same }})
    {%- if gone %}
    union
    select a.provider_id, a.submission_month from {{ held }} as a
    where not exists (select 1 from {{ lake }} as b where {{ same }})
    {%- endif %}
  {%- endset -%}
  {{- return(run_query(query).rows) -}}
{%- endmacro %}

{#- A condition on `provider` and `month` (SQL) that holds for the `folders` only -#}
{% macro arvo_in_folders(folders, provider, month) %}
  {%- if not folders -%}
    {{- return('1 = 0') -}}
  {%- endif -%}
  {%- set providers, months, pairs = [], [], [] -%}
  {%- for row in folders -%}
    {%- do providers.append("'" ~ row[0] | replace("'", "''") ~ "'") -%}
    {%- do months.append("'" ~ row[1] | replace("'", "''") ~ "'") -%}
    {%- do pairs.append("'" ~ (row[0] ~ '/' ~ row[1]) | replace("'", "''") ~ "'") -%}
  {%- endfor -%}
  {{- return(provider ~ ' in (' ~ providers | unique | join(', ') ~ ')'
             ~ '\n      and ' ~ month ~ ' in (' ~ months | unique | join(', ') ~ ')'
             ~ '\n      and ' ~ dbt.concat([provider, "'/'", month])
             ~ ' in (' ~ pairs | join(', ') ~ ')') -}}
{%- endmacro %}

{#-
  The folders whose version the table does not hold, asked of the warehouse when the
  model compiles; none on a full build (read everything).
-#}
{% macro arvo_folders_to_read(entity, code_version) %}
  {%- if not (execute and is_incremental() and model.resource_type != 'unit_test') -%}
    {{- return(none) -}}
  {%- endif -%}
  {{- return(arvo_changed_folders(entity, code_version)) -}}
{%- endmacro %}

{#- The relation to read the `folders` of `entity` from (none: all of them) -#}
{% macro arvo_lake_source(entity, folders) %}
  {{- return(arvo_implementation(adapter.dispatch('arvo_lake_source', 'arvo'),
                                 default__arvo_lake_source)(entity, folders)) -}}
{%- endmacro %}

{#- Anywhere: the source, which the filter narrows -#}
{% macro default__arvo_lake_source(entity, folders) %}
  {{- return(source('lake', entity)) -}}
{%- endmacro %}

{#- DuckDB: only the folders' files, so that the files of the other folders are not
    even opened (the source's glob, uniting its files' columns by name, opens every
    footer of the history: 0.07 to 0.17 s an entity at 1,104 files, against 0.005 s) -#}
{% macro duckdb__arvo_lake_source(entity, folders) %}
  {%- if folders is none -%}
    {{- return(source('lake', entity)) -}}
  {%- endif -%}
  {%- if not folders -%}
    {#- nothing to read: one folder's file gives the columns (the filter keeps no row);
        the source's glob would open every footer of the history to bind them -#}
    {%- set folders = run_query('select provider_id, submission_month from ('
                                ~ arvo_lake_files(entity) ~ ') as files '
                                ~ 'order by 1, 2 limit 1').rows -%}
    {%- if not folders -%}
      {{- return(source('lake', entity)) -}}
    {%- endif -%}
  {%- endif -%}
  {%- set globs = [] -%}
  {%- for row in folders -%}
    {%- do globs.append("'" ~ (var('lake_dir') ~ '/' ~ entity ~ '/provider_id=' ~ row[0]
                               ~ '/month=' ~ row[1] ~ '/*.parquet') | replace("'", "''") ~ "'") -%}
  {%- endfor -%}
  {{- return('read_parquet([' ~ globs | join(', ') ~ '], hive_partitioning=true, '
             ~ 'union_by_name=true, hive_types_autocast=false)') -}}
{%- endmacro %}

{#- Pre-hook: delete the rows of the folders about to be read again or gone (all rows
    when the folders' table is missing) -#}
{% macro arvo_forget_changed_folders(entity, code_version) %}
  {%- if execute and is_incremental() -%}
    {%- set changed = arvo_changed_folders(entity, code_version, gone=true) -%}
    {%- if changed is none -%}
    delete from {{ this }}
    {%- elif changed -%}
    delete from {{ this }}
    where {{ arvo_in_folders(changed, 'provider_id', 'submission_month') }}
    {%- endif -%}
  {%- endif -%}
{%- endmacro %}

{#- Post-hook: record the folders' versions the table now holds (the lake's, as read) -#}
{% macro arvo_record_folders(entity, code_version) %}
  {%- if execute -%}
    {%- set held = arvo_held_folders() -%}
    {%- do run_query('create table if not exists ' ~ held ~ ' (provider_id varchar, '
                     ~ 'submission_month varchar, lake_version varchar)') -%}
    {%- do run_query('delete from ' ~ held) %}
    insert into {{ held }} (provider_id, submission_month, lake_version)
    select provider_id, submission_month, lake_version
    from ({{ arvo_lake_folders(entity, code_version) }}) as lake
    where lake_version is not null
  {%- endif -%}
{%- endmacro %}

{#- The config of such a staging model (materialized incremental, the hooks) -#}
{% macro arvo_lake_table_config(entity, code_version) %}
  {%- set arguments = "('" ~ entity ~ "', '" ~ code_version ~ "')" -%}
  {{- return({
        'materialized': 'incremental',
        'incremental_strategy': 'append',
        'on_schema_change': 'sync_all_columns',
        'pre_hook': ["{{ arvo_forget_changed_folders" ~ arguments ~ " }}"],
        'post_hook': ["{{ arvo_record_folders" ~ arguments ~ " }}"],
  }) -}}
{%- endmacro %}

{#- The body of a CTE: the source rows of the folders to read; `optional_columns`
    ({name: type}): the columns the contract added later, null where a file lacks them
    (arvo_with_optional_columns) -#}
{% macro arvo_lake_rows_to_read(entity, code_version, optional_columns=none) %}
    -- depends_on: {{ ref('stg_lake__files') }}
    {%- set folders = arvo_folders_to_read(entity, code_version) -%}
    {%- set relation = arvo_lake_source(entity, folders) %}
    select *
    {%- if optional_columns %}
    from ({{ arvo_with_optional_columns(relation, optional_columns) }}) as source
    {%- else %}
    from {{ relation }} as source
    {%- endif %}
    where {{ 'true' if folders is none else arvo_in_folders(
        folders, 'cast(source.provider_id as varchar)', 'cast(source.month as varchar)') }}
{%- endmacro %}
