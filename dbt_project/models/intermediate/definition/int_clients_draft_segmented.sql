-- One row per client (client_id) with the segment the definition phase's draft
-- segmentation (stg_definitions__draft_segments / _rules; the current segments when no
-- draft is given) places the client in, by the same rule as int_clients_segmented
-- (macro arvo_segment_assignment).

with

profiles as (

    select * from {{ ref('int_clients_profiled') }}

),

segments as (

    select * from {{ ref('stg_definitions__draft_segments') }}

),

segment_rules as (

    select * from {{ ref('stg_definitions__draft_segment_rules') }}

),

{{ arvo_segment_assignment('profiles', 'segments', 'segment_rules') }}

select * from final
