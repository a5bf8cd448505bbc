"""Arvo: the value-based steering cycle of health and social care services.

The package holds the Prefect flows (`flows.steering`), the stages they wire
together (`flows.ingest`, `flows.transform`, `flows.report`), the demo region
generator (`flows.demo`) and the `arvo` command line (`flows.cli`).
"""
