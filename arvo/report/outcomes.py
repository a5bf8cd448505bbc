"""Providers' paired outcomes against their peers: the difference, its standard error and
the better/worse mark, grouped by package and instrument for both reports."""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

from arvo.report.charts import plot
from arvo.report.disclosure import COMPLEMENTARY, SMALL_CELL, hidden, is_small, suppress
from arvo.report.labels import Names

FLAG_Z = 2.0
"""A provider is marked better/worse than peers when |change - peer change| > FLAG_Z * SE."""


def flag(row: dict[str, Any]) -> dict[str, Any]:
    """Difference to peers, its standard error and the better/worse mark (FLAG_Z rule).

    Which way is better is the row's `higher_is_better` (seed prom_measures, carried by
    the outcome marts); without it there is no better/worse mark.
    """
    pairs, peer_pairs = row.get("pairs") or 0, row.get("peer_pairs") or 0
    mean, peer, sd = row.get("change_mean"), row.get("peer_change_mean"), row.get("change_sd")
    out: dict[str, Any] = {"diff": None, "se": None, "z": None, "flag": None}
    if mean is None or peer is None or pairs < SMALL_CELL or peer_pairs < SMALL_CELL:
        return out
    out["diff"] = mean - peer
    if sd is None or pairs < 2:
        return out
    se = sd / math.sqrt(pairs)
    out["se"] = se
    if se <= 0:
        return out
    z = out["diff"] / se
    out["z"] = z
    if row.get("higher_is_better") is None:
        return out
    sign = 1 if row["higher_is_better"] else -1
    if sign * z > FLAG_Z:
        out["flag"] = "better"
    elif sign * z < -FLAG_Z:
        out["flag"] = "worse"
    else:
        out["flag"] = "same"
    return out


def outcome_groups(rows: list[dict[str, Any]], names: Names,
                   suppress_own: bool) -> list[dict[str, Any]]:
    """Provider outcome rows grouped by package and instrument, with flags and plots.

    `suppress_own`: the providers' own figures are suppressed too (the commissioner's
    view); a provider's own feedback shows its own figures whatever their size. Labels,
    decimals and direction come from the rows (mart columns from seed prom_measures).
    """
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        groups[(r["package_code"], r["instrument"])].append(r)
    out = []
    for (package, instrument), members in sorted(groups.items()):
        items = []
        for r in sorted(members, key=lambda r: names.provider(r["provider_id"],
                                                              r["provider_name"])):
            n, peer_n = r["pairs"], r["peer_pairs"]
            marks = flag(r)
            own = (lambda v, n=n: suppress(v, n)) if suppress_own else (lambda v: v)
            items.append({
                "provider_id": r["provider_id"],
                "provider_name": names.provider(r["provider_id"], r["provider_name"]),
                "pairs": own(n), "baseline_mean": own(r["baseline_mean"]),
                "followup_mean": own(r["followup_mean"]),
                "change_mean": own(r["change_mean"]),
                "peer_pairs": suppress(peer_n, peer_n),
                "peer_change_mean": suppress(r["peer_change_mean"], peer_n),
                "diff": marks["diff"], "se": marks["se"], "flag": marks["flag"],
                # plot inputs: only when the provider's own mean may be shown
                "mean": None if hidden(own(r["change_mean"])) else r["change_mean"],
                "peer": None if is_small(peer_n) else r["peer_change_mean"],
            })
        if suppress_own and any(is_small(r["pairs"]) for r in members):
            # Every other provider's peer group holds the small provider: its pairs and mean
            # would follow from peer figures minus the rows shown, so peer figures are hidden.
            for it in items:
                if not hidden(it["pairs"]):
                    it.update(peer_pairs=COMPLEMENTARY, peer_change_mean=COMPLEMENTARY,
                              diff=COMPLEMENTARY, peer=None)
        plot(items, FLAG_Z)
        name_fi, name_en = names.package(package)
        first = members[0]  # the instrument's metadata is the same on every row
        out.append({
            "package_code": package, "package_fi": name_fi, "package_en": name_en,
            "instrument": instrument,
            "instrument_label": first.get("instrument_label") or instrument,
            "decimals": first.get("decimals") if first.get("decimals") is not None else 1,
            "higher_is_better": first.get("higher_is_better"),
            "value_set": first.get("value_set"),
            "members": items,
        })
    return out
