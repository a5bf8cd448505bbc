-- Grain: one row per segment of the draft segmentation (or of the current one when
-- `arvo define` is given no draft).

{{ arvo_segments_staged(source('definitions', 'draft_segments')) }}
