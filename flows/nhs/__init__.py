"""The NHS PROMs flows: `arvo import nhs-proms` and `arvo compare nhs-provcomm` (`flows.nhs.flows`).

The work is done by `arvo.nhs` (docs/nhs-proms.md).
"""
