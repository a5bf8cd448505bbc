-- Grain: one row per segment of the current segmentation (definitions/segments.yml).
-- The draft's segments are staged by the same macro (stg_definitions__draft_segments).

{{ arvo_segments_staged(source('definitions', 'segments')) }}
