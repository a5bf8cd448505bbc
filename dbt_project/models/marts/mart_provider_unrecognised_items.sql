-- Grain: period x provider x path: the files and folders under a provider's folder
-- that the ingest does not read, as found at the provider's latest ingest run, with
-- what their names should be. Shown in the provider's feedback and counted in the
-- steering report, so nothing a provider sends is ignored without a word.

with

{{ arvo_import_ctes([
    ('unrecognised', 'stg_lake__unrecognised_items'),
    ('providers', 'stg_definitions__providers'),
]) }},

final as (

    select
        {{ arvo_provider_columns('u') }},
        cast(u.path as varchar) as path,
        cast(u.kind as varchar) as kind,
        cast(u.message as varchar) as message,
        cast(u.message_json as varchar) as message_json,
        cast(u.found_at as timestamp) as found_at

    from unrecognised as u
    left join providers as pr
        on pr.provider_id = u.provider_id

)

{{ arvo_final_with_version() }}
