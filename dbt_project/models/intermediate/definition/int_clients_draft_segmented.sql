-- One row per client (client_id) with the segment the definition phase's draft
-- segmentation (stg_definitions__draft_segments / _rules; the current segments when no
-- draft is given) places the client in, by the same rule as int_clients_segmented
-- (macro arvo_segment_assignment).

with

{{ arvo_import_ctes([
    ('profiles', 'int_clients_profiled'),
    ('segments', 'stg_definitions__draft_segments'),
    ('segment_rules', 'stg_definitions__draft_segment_rules'),
]) }},

{{ arvo_segment_assignment('profiles', 'segments', 'segment_rules') }}

select * from final
