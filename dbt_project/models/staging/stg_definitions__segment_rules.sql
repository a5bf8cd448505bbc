-- Grain: one row per condition of a segment (segment_code x feature x op x value); the
-- default segment has none. The draft's are staged by the same macro.

{{ arvo_segment_rules_staged(source('definitions', 'segment_rules')) }}
