-- The lake's folders of the entities kept as tables, as this build finds them: listed
-- once a build, so that each kept table's compile and hooks read the listing here
-- rather than list the lake again (macros/lake_folders.sql). A table: a view would list
-- the lake at every read.

{{ config(materialized='table') }}

with

files as (

    {{- arvo_list_lake_files(arvo_kept_lake_entities()) }}

),

final as (

    select entity, provider_id, submission_month, file_stamp from files

)

select * from final
