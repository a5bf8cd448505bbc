"""NHS PROMs data packs: `arvo import nhs-proms` and the check against NHS's published figures.

`pack` reads a record-level data pack (zips or CSVs), `submission` turns its records into
provider submissions in Arvo's contract with a definitions register, and `provcomm`
compares Arvo's per-provider outcomes with NHS's `ProvComm` table (docs/nhs-proms.md).
"""
