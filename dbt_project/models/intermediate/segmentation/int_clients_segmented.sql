-- One row per client with the segment for the period. Generic over the rules in
-- definitions/segments.yml: a segment matches a client when every one of its
-- conditions holds (a segment without conditions is the default and matches
-- everybody); of the matching segments the lowest priority number wins. The rule is
-- the macro arvo_segment_assignment (also used by the definition phase's draft).

with

{{ arvo_import_ctes([
    ('profiles', 'int_clients_profiled'),
    ('segments', 'stg_definitions__segments'),
    ('segment_rules', 'stg_definitions__segment_rules'),
]) }},

{{ arvo_segment_assignment('profiles', 'segments', 'segment_rules') }}

select * from final
