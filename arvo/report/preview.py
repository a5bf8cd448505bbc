"""What the reports say about a period's state and the submissions it includes.

A period is in preview until the commissioner freezes it (arvo.freeze): its reports carry
a banner (results may still change, the data as they stood when the period was built,
the deadline for corrections if one is defined); once frozen, who froze it and when, and
every forced rerun since. Both reports also list the submissions the period includes
(provider, month, entity, file, received, status) and flag the late ones
(mart_provider_data_quality.is_late). All from the warehouse (docs/preview-and-freeze.md).
"""

from __future__ import annotations

import json
from typing import Any

from arvo.freeze import FROZEN, RERUNS, STATES
from arvo.report.labels import ENTITIES, STATUSES, Names
from arvo.report.warehouse import Warehouse

INCLUDED = ("accepted", "partial", "standing")
"""Statuses of the files whose rows a period includes (a rejected or empty file adds none,
a withdrawn one was removed)."""


def period_status(wh: Warehouse, period: str) -> dict[str, Any]:
    """The period's state for the reports' banner: preview (with when the data stood and
    the deadline for corrections) or frozen (when, by whom, the note), and its forced
    reruns. A period the warehouse holds no state for is in preview."""
    found = wh.rows(STATES, period)
    row = found[0] if found else {}
    reruns = [{"at": r["rerun_at"], "by": r["rerun_by"], "reason": r["reason"],
               "command": r["command"], "changes": json.loads(r["changes_json"] or "[]")}
              for r in wh.rows(RERUNS, period, order_by="rerun_at")]
    return {"frozen": row.get("state") == FROZEN, "built_at": row.get("built_at"),
            "corrections_by": row.get("corrections_by"), "frozen_at": row.get("frozen_at"),
            "frozen_by": row.get("frozen_by"), "note": row.get("note"), "reruns": reruns}


def submission_list(rows: list[dict[str, Any]], names: Names | None = None
                    ) -> list[dict[str, Any]]:
    """The files of mart_provider_data_quality rows as the reports list them: provider,
    month, entity, file, received, due by, status, late, and whether the period includes
    its rows; sorted by provider, month, entity."""
    out = []
    for r in rows:
        name = names.provider(r["provider_id"], r.get("provider_name")) if names else None
        out.append({
            "provider_id": r["provider_id"], "provider_name": name or r.get("provider_name"),
            "month": r["month"], "entity_code": r["entity"],
            "entity": ENTITIES.get(r["entity"], (r["entity"],))[0],
            "source_file": r["source_file"], "received_at": r.get("received_at"),
            "due_by": r.get("due_by"), "status": r["status"],
            "status_label": STATUSES.get(r["status"], r["status"]),
            "late": bool(r.get("is_late")), "included": r["status"] in INCLUDED})
    return sorted(out, key=lambda s: (s["provider_name"] or "", s["provider_id"], s["month"],
                                      s["entity_code"], s["source_file"], s["status"]))


def late_count(rows: list[dict[str, Any]]) -> int:
    """How many of the rows' files were late."""
    return sum(bool(r.get("is_late")) for r in rows)
