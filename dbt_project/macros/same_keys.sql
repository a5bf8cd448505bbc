{#-
  The condition of a join on a composite key: `left.k1 = right.k1 and left.k2 = right.k2
  ...` for each column of `keys`, in their order. One spelling of "the same record in
  both" (an episode's obligation cycle, a provider's package and instrument), so that no
  join pairs one key with another by a slip. Portable SQL. Docs: macros/_macros.yml.
-#}

{% macro arvo_same_keys(left, right, keys) -%}
  {%- if keys is string or keys | length == 0 -%}
    {{ exceptions.raise_compiler_error(
        "arvo_same_keys needs a non-empty list of key columns, got " ~ keys) }}
  {%- endif -%}
  {%- for key in keys -%}
    {{ left }}.{{ key }} = {{ right }}.{{ key }}
    {%- if not loop.last %}
        and {% endif -%}
  {%- endfor -%}
{%- endmacro %}
