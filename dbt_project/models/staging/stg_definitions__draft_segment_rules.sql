-- Grain: one row per condition of a draft segment (segment_code x feature x op x
-- value); the draft's default segment has none.

{{ arvo_segment_rules_staged(source('definitions', 'draft_segment_rules')) }}
