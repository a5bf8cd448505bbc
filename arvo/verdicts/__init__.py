"""Fair verdicts on providers: case-mix models (`casemix`) and funnel-plot judgements
(`funnel`), each rule written once and documented in docs/verdicts.md.

The dbt Python models under dbt_project/models/intermediate/verdicts/ call them, so the
lineage from the lake to mart_provider_funnel stays in dbt; the NHS comparison
(`arvo.nhs.adjusted`) calls the same functions on NHS's published figures.
"""
