"""PROM collection obligations as both reports show them: status, shortfall, peers' median."""

from __future__ import annotations

import math
from typing import Any

from arvo.report.disclosure import MIN_PEERS, SINGLE_PEER, SUPPRESSED, is_small, suppress
from arvo.report.labels import Names, scope, timepoint

#: The order of one provider's mart_prom_compliance rows in the reports. It ends with the
#: scope: a segment's obligations have no package_code, and rows that tie would come in
#: whatever order the engine returns them, so one warehouse could render two ways.
COMPLIANCE_ORDER = "package_code, instrument, timepoint, scope, scope_code"


def peer_median(r: dict[str, Any]) -> Any:
    """The peers' median rate, hidden over fewer than MIN_PEERS providers or few episodes."""
    n_peers = r.get("peer_providers")
    if r.get("peer_median_rate") is None or not n_peers:
        return None
    if n_peers < MIN_PEERS:
        return SINGLE_PEER
    return suppress(r["peer_median_rate"], r.get("peer_eligible_episodes"))


def compliance_view(rows: list[dict[str, Any]], names: Names,
                    suppress_small: bool) -> list[dict[str, Any]]:
    """Compliance rows for the reports. `scope_fi` labels the obligation: the package's
    name, or the segment's for a segment obligation (whose package_* are None)."""
    out = []
    for r in rows:
        n = r["eligible_episodes"]
        small = suppress_small and is_small(n)
        # a numerator of 1-4 is hidden too, and with it every figure it could be read from
        few = small or (suppress_small and is_small(r["collected"]))
        rate, min_rate = r["rate"], r["min_rate"]
        if small or (few and r.get("verdict_tells_small")):
            status = "small"  # neither shown nor assessed: the verdict would tell the count
        elif rate is None or not n:
            status = "none"
        else:
            status = "pass" if r["meets_obligation"] else "fail"
        needed = None
        if status == "fail" and min_rate is not None and not few:
            needed = max(0, math.ceil(min_rate * n - 1e-9) - (r["collected"] or 0))
        tp_fi, tp_en = timepoint(r["timepoint"])
        sc = scope(r, names)
        package = sc["scope_code"] if sc["scope"] == "package" else None
        pk_fi, pk_en = names.package(package) if package else (None, None)
        below = rate is not None and min_rate is not None and rate < min_rate
        out.append({
            "provider_id": r["provider_id"],
            "provider_name": names.provider(r["provider_id"], r["provider_name"]),
            "package_code": package, "package_fi": pk_fi, "package_en": pk_en, **sc,
            "instrument_code": r["instrument"],
            "instrument": names.instrument(r["instrument"]),
            "timepoint": r["timepoint"], "timepoint_fi": tp_fi, "timepoint_en": tp_en,
            "timepoint_order": r.get("timepoint_order"),
            "measure": r.get("measure") or ("participation" if r["timepoint"] == "baseline"
                                             else "paired"),
            "eligible": SUPPRESSED if small else n,
            "collected": SUPPRESSED if few else r["collected"],
            "rate": SUPPRESSED if few else rate,
            "rate_ci_upper": None if few else r.get("rate_ci_upper"),
            "min_rate": min_rate,
            "distance": (None if few or rate is None or min_rate is None
                         else rate - min_rate),
            "needed": needed, "status": status,
            # below the threshold, but the shortfall is within sampling noise
            "within_noise": status == "pass" and below and not few,
            "peer_median": peer_median(r),
            "open_windows": None if small else r.get("open_windows"),
        })
    return out
