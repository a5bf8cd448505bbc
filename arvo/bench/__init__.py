"""The benchmark harness (`arvo bench`, `make bench`; figures in docs/operations.md).

- `arvo.bench.runs`: the measured runs, each an `arvo` command in a child process
  (generate, a monthly and a cold steering period), stage by stage: wall, rows, peak memory;
- `arvo.bench.replay`: the same compiled SQL as the dbt stage, run directly in DuckDB;
- `arvo.bench.figures`: the CSV of every measured stage, the docs table, the exponents;
- `arvo.bench.quick`: the quick commands as a provider runs them (`arvo bench --quick`).
"""

from arvo.server import start_prefect_server

__all__ = ["start_prefect_server"]
