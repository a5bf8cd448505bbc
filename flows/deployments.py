"""Register the deployments of prefect.yaml with a Prefect server (`arvo deploy`).

prefect.yaml is the one statement of Arvo's deployments: entry points, parameters,
schedules (cron, Europe/Helsinki) and work pool. `prefect deploy --all` reads it too, but
in Prefect 3.8.8 it stops after the first deployment with an HTTP 422 from the server
(its client asks for the pool's workers with `limit: null`), so Arvo registers them
through Prefect's Python API (`Flow.from_source(...).to_deployment(...).apply()`). The
flows' code is taken from this repository's folder on the worker (`ARVO_REPO`, default
this checkout).
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from arvo.config import REPO_ROOT

PREFECT_FILE = REPO_ROOT / "prefect.yaml"


def declared(prefect_file: Path = PREFECT_FILE) -> list[dict]:
    """The deployments prefect.yaml declares."""
    return yaml.safe_load(prefect_file.read_text(encoding="utf-8"))["deployments"]


def register(prefect_file: Path = PREFECT_FILE) -> list[str]:
    """Create or update every deployment of `prefect_file` on the server at
    PREFECT_API_URL; their names, `flow/deployment`."""
    from prefect import Flow
    from prefect.schedules import Cron, Interval

    source = os.environ.get("ARVO_REPO") or str(REPO_ROOT)
    names = []
    for d in declared(prefect_file):
        flow = Flow.from_source(source=source, entrypoint=d["entrypoint"])
        flow.to_deployment(
            name=d["name"], work_pool_name=d["work_pool"]["name"],
            parameters=d.get("parameters") or {},
            description=" ".join(str(d.get("description", "")).split()),
            schedules=[Cron(s["cron"], timezone=s.get("timezone")) if "cron" in s
                       else Interval(s["interval"], timezone=s.get("timezone"))
                       for s in d.get("schedules") or []]).apply()
        names.append(f"{flow.name}/{d['name']}")
    return names
