"""Data quality: Great Expectations on provider submissions and on the PROM obligations.

- `arvo.quality.gx`: the one context of the process and the one way a suite is run.
- `arvo.quality.suites`: the submission suites (`expectations/suites/<entity>.json`) on
  typed rows at ingest: failing rows and a result per rule and file.
- `arvo.quality.obligations`: the obligation suite on the compliance mart, its results
  stored in the warehouse.
"""
