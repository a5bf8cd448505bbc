"""Planted data defects: a handful of rows in three providers that break a contract rule."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from arvo import hetu as hetu_codes
from arvo.definitions import Definitions
from arvo.demo.providers import ProviderPlan


def _wrong_check(code: str) -> str:
    """The identity code with a check character that does not match."""
    right = code[-1]
    chars = hetu_codes.CHECK_CHARS
    return code[:-1] + chars[(chars.index(right) + 7) % len(chars)]


def plant_defects(rng: np.random.Generator, events: pd.DataFrame, proms: pd.DataFrame,
                  plan: ProviderPlan, defs: Definitions) -> list[dict[str, Any]]:
    """Plant a handful of row-level defects in three providers (mutates the frames)."""
    ids = [p.id for p in plan.providers]
    fmt = {p.id: p.submission_format for p in plan.providers}
    names = {p.id: p.name for p in plan.providers}

    def ext(pid: str) -> str:
        return "parquet" if fmt[pid] == "parquet" else "csv"

    unknown_code = "LAB_TEST"
    while unknown_code in defs.service_codes:
        unknown_code += "_X"
    # (provider, entity, kind, how many)
    wanted = [
        ("2358253-3", "events", "unknown_service_code", 3),
        ("2358253-3", "events", "invalid_hetu", 2),
        ("2358253-3", "proms", "phq9_item_out_of_range", 1),
        ("3247652-1", "events", "invalid_hetu", 2),
        ("3247652-1", "events", "duplicate_event_id", 1),
        ("2533810-4", "events", "negative_cost", 3),
    ]
    # Fall back to other providers if the register differs from the demo's.
    planted = set(plan.planted.roles.values()) if plan.planted else set()
    fallback = [p for i, p in enumerate(ids) if i not in planted]
    used: set[tuple[str, int]] = set()
    defects: list[dict[str, Any]] = []
    for pid, entity, kind, count in wanted:
        if pid not in ids:
            pid = fallback[len(defects) % len(fallback)]
        frame = events if entity == "events" else proms
        cand = frame.index[(frame["provider_id"] == pid).to_numpy()].to_numpy()
        if entity == "proms":
            cand = cand[(frame.loc[cand, "instrument"] == "PHQ9").to_numpy()
                        & frame.loc[cand, "q1"].notna().to_numpy()]
        if kind == "duplicate_event_id":
            cand = cand[frame.loc[cand, "source_row"].to_numpy() > 1]
        cand = np.array([c for c in cand if (entity, c) not in used and not (
            kind == "duplicate_event_id" and (entity, c - 1) in used)])
        if len(cand) == 0:
            continue
        picks = np.sort(rng.choice(cand, size=min(count, len(cand)), replace=False))
        for r in picks:
            used.add((entity, int(r)))
            row = frame.loc[r]
            rec_col = "event_id" if entity == "events" else "response_id"
            d = {"provider_id": pid, "provider_name": names[pid], "month": row["month"],
                 "file": f"{entity}.{ext(pid)}", "entity": entity,
                 "record_id": row[rec_col], "source_row": int(row["source_row"]), "kind": kind}
            if kind == "invalid_hetu":
                frame.loc[r, "hetu"] = _wrong_check(row["hetu"])
                d.update(column="hetu", rule="hetu_valid",
                         sentence=f"Row {d['source_row']} ({d['record_id']}) has a personal "
                                  "identity code whose check character does not match.")
            elif kind == "unknown_service_code":
                frame.loc[r, "service_code"] = unknown_code
                d.update(column="service_code", rule="service_code_known", value=unknown_code,
                         sentence=f"Row {d['source_row']} ({d['record_id']}) has service code "
                                  f"{unknown_code}, which is not in the commissioner's list.")
            elif kind == "negative_cost":
                val = -float(row["cost_eur"])
                frame.loc[r, "cost_eur"] = val
                d.update(column="cost_eur", rule="cost_in_range", value=val,
                         sentence=f"Row {d['source_row']} ({d['record_id']}) has a negative "
                                  f"cost ({val:.2f} €), like a credit note sent as an event.")
            elif kind == "phq9_item_out_of_range":
                frame.loc[r, "q3"] = 4
                d.update(column="q3", rule="item_in_range", value=4,
                         sentence=f"Row {d['source_row']} ({d['record_id']}) has PHQ-9 item "
                                  "q3 = 4; PHQ-9 items range 0-3.")
            elif kind == "duplicate_event_id":
                same = frame[(frame["provider_id"] == pid) & (frame["month"] == row["month"])
                             & (frame["source_row"] == row["source_row"] - 1)]
                first = same.index[0]
                used.add((entity, int(first)))
                dup_id = frame.loc[first, "event_id"]
                frame.loc[r, "event_id"] = dup_id
                d.update(record_id=dup_id, column="event_id", rule="event_id_unique",
                         rows=[int(row["source_row"]) - 1, int(row["source_row"])],
                         overwritten_record_id=row["event_id"],
                         sentence=f"Rows {int(row['source_row']) - 1} and "
                                  f"{int(row['source_row'])} share event_id {dup_id}; "
                                  "event IDs must be unique within the provider.")
            defects.append(d)
    defects.sort(key=lambda d: (d["provider_id"], d["month"], d["file"], d["source_row"]))
    return defects

