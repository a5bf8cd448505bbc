{#-
  Incremental strategy arvo_replace_records: the new rows replace the records they name.
  Every record (`unique_key`, e.g. ['provider_id', 'event_id']) among the new rows loses
  its row in the table; the new rows are inserted, except those whose
  `record_present_column` is null: a record that has no row any longer (an event that
  left the window) comes with nulls, so it is deleted and nothing takes its place.
  dbt's delete+insert cannot delete a record without inserting one. Portable SQL (a
  correlated exists), so the strategy moves with the models. Used by
  int_events_windowed; docs: macros/_macros.yml.
-#}
{% macro get_incremental_arvo_replace_records_sql(arg_dict) -%}
  {%- set target = arg_dict['target_relation'] -%}
  {%- set source = arg_dict['temp_relation'] -%}
  {%- set keys = arg_dict['unique_key'] -%}
  {%- set present = config.get('record_present_column') -%}
  {%- if not keys or keys is string or not present -%}
    {{ exceptions.raise_compiler_error(
        "arvo_replace_records needs unique_key (a list of columns) and "
        ~ "record_present_column in the model's config") }}
  {%- endif -%}
  {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ target }} as replaced
    where exists (
        select 1
        from {{ source }} as replacing
        where {% for key in keys -%}
            replacing.{{ key }} = replaced.{{ key }}{{ ' and ' if not loop.last }}
        {%- endfor %}
    );

    insert into {{ target }} ({{ columns }})
    select {{ columns }}
    from {{ source }}
    where {{ present }} is not null
{%- endmacro %}

{#-
  Pre-hook of an incremental model over the window: before the new rows are computed,
  delete the rows dated before the window (`date_column`), which no run of this period
  counts. Nothing on a full build.
-#}
{% macro arvo_delete_before_window(date_column) -%}
  {%- if execute and is_incremental() -%}
    delete from {{ this }} where {{ date_column }} < {{ arvo_window_start() }}
  {%- endif -%}
{%- endmacro %}

{#-
  Pre-hook of an incremental model that reads a column of its own earlier table: add
  the `columns` ({name: type}) a table built by an earlier version of the model lacks,
  as nulls, before the model reads it (dbt's on_schema_change acts only after). Through
  dbt's adapter macro, so it is the adapter's own ALTER TABLE. Nothing on a full build.
-#}
{% macro arvo_add_missing_columns(columns) -%}
  {%- if execute and is_incremental() -%}
    {%- set relation = adapter.get_relation(this.database, this.schema, this.identifier) -%}
    {%- set existing = adapter.get_columns_in_relation(relation) | map(attribute='name')
                       | map('lower') | list -%}
    {%- set missing = [] -%}
    {%- for name, data_type in columns.items() if name | lower not in existing -%}
      {%- do missing.append(api.Column(name, data_type)) -%}
    {%- endfor -%}
    {%- if missing -%}
      {%- do alter_relation_add_remove_columns(relation, missing, none) -%}
    {%- endif -%}
  {%- endif -%}
{%- endmacro %}
