"""Compare Arvo's per-provider outcomes on an imported NHS pack with NHS's `ProvComm` table.

NHS publishes, per provider, procedure and measure: modelled records, average pre-op and
post-op scores, health gain (post - pre), and improved / same / worse counts, with `*`
where it suppressed a small cell. Arvo's figures come from mart_provider_measure_outcomes
of the steering period the import was run for. A row matches when the record count is
equal and the three averages agree to the 6 significant digits NHS prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from arvo.nhs import pack

# ProvComm's Procedure -> Arvo packages (the totals pool primary and revision).
PROCEDURES = {
    "Hip Replacement Primary": ("HIP_PRIMARY",),
    "Hip Replacement Revision": ("HIP_REVISION",),
    "Total Hip Replacement": ("HIP_PRIMARY", "HIP_REVISION"),
    "Knee Replacement Primary": ("KNEE_PRIMARY",),
    "Knee Replacement Revision": ("KNEE_REVISION",),
    "Total Knee Replacement": ("KNEE_PRIMARY", "KNEE_REVISION"),
}
# ProvComm's Measure -> Arvo instrument and measure.
MEASURES = {
    "EQ-5D Index": ("EQ5D3L", "eq5d_index"),
    "EQ VAS": ("EQ5D3L", "eq_vas"),
    "Oxford Hip Score": ("OHS", "ohs_total"),
    "Oxford Knee Score": ("OKS", "oks_total"),
}
AVERAGES = (("Average Pre-Op Q Score", "baseline_mean"),
            ("Average Post-Op Q Score", "followup_mean"),
            ("Health Gain", "change_mean"))
COUNTS = (("Improved", "improved"), ("Same", "unchanged"), ("Worse", "worsened"))


MATCH = "match"
TOTAL_COUNT = "match; NHS's total counts only unsuppressed cells"
SUPPRESSED = "suppressed by NHS (*)"
NO_RECORDS = "no modelled records (NHS -)"
NOT_IN_PACK = "provider and procedure not in the record-level file"
RECORDS_DIFFER = "record count differs"
UNPUBLISHED = (SUPPRESSED, NO_RECORDS)


@dataclass(frozen=True)
class Comparison:
    """The row-by-row comparison and its counts."""

    rows: pd.DataFrame

    def count(self, *statuses: str) -> int:
        return int(self.rows["status"].isin(statuses).sum())

    @property
    def published(self) -> int:
        """Provider rows NHS published figures for."""
        return len(self.rows) - self.count(*UNPUBLISHED)

    @property
    def averages_matched(self) -> int:
        """Published rows whose average pre-op, post-op and health gain Arvo matches."""
        return self.count(MATCH, TOTAL_COUNT)

    @property
    def match_rate(self) -> float:
        return self.averages_matched / self.published if self.published else 0.0

    def lines(self) -> list[str]:
        reasons = self.rows["status"].value_counts().to_dict()
        counts_equal = int((self.rows["status"].isin([MATCH, TOTAL_COUNT])
                            & self.rows["counts_equal"]).sum())
        return [
            f"NHS ProvComm provider rows: {len(self.rows):,}; with published figures: "
            f"{self.published:,}",
            f"average pre-op, post-op and health gain matched by Arvo: "
            f"{self.averages_matched:,} of {self.published:,} = {self.match_rate:.2%} "
            f"(record count equal too: {self.count(MATCH):,})",
            f"improved / same / worse also equal: {counts_equal:,}",
            "rows by status: " + "; ".join(f"{k}: {v:,}" for k, v in reasons.items()),
        ]


def _close(arvo: float, nhs: float) -> bool:
    """Equal to the 6 significant digits ProvComm prints."""
    return abs(arvo - nhs) <= max(1e-6, 1e-5 * abs(nhs))


def read_provcomm(pack_dir: Path, organisation: str = "Provider") -> pd.DataFrame:
    """ProvComm's rows of one organisation type (Provider, England) for the procedures and
    measures Arvo imports."""
    frame = pack.read_csv(pack.find(pack_dir, pack.PROVCOMM_PATTERN))
    frame = frame[(frame["Organisation Type"].str.strip() == organisation)
                  & frame["Procedure"].isin(list(PROCEDURES))
                  & frame["Measure"].isin(list(MEASURES))]
    return frame.rename(columns={"Organisation Code": "provider_id"}).reset_index(drop=True)


def arvo_outcomes(warehouse: Path, period: str) -> pd.DataFrame:
    """Arvo's per provider x ProvComm procedure x measure figures for the period."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        mart = con.execute(
            "select provider_id, package_code, instrument, measure, pairs, baseline_mean, "
            "followup_mean, change_mean, improved, unchanged, worsened "
            "from mart_provider_measure_outcomes where period = ?", [period]).df()
    rows = []
    for procedure, packages in PROCEDURES.items():
        for nhs_measure, (instrument, measure) in MEASURES.items():
            part = mart[mart["package_code"].isin(packages) & (mart["instrument"] == instrument)
                        & (mart["measure"] == measure)]
            if part.empty:
                continue
            weighted = part.assign(**{c: part[c] * part["pairs"] for _, c in AVERAGES},
                                   first_package_pairs=part["pairs"].where(
                                       part["package_code"] == packages[0], 0))
            pooled = weighted.groupby("provider_id")[
                ["pairs", "first_package_pairs", *(c for _, c in AVERAGES),
                 *(c for _, c in COUNTS)]].sum()
            for _, c in AVERAGES:
                pooled[c] = pooled[c] / pooled["pairs"]
            pooled = pooled.reset_index().assign(Procedure=procedure, Measure=nhs_measure)
            rows.append(pooled)
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()


def compare(pack_dir: Path, warehouse: Path, period: str) -> Comparison:
    """Every ProvComm provider row beside Arvo's figures, with a status each."""
    nhs = read_provcomm(pack_dir)
    arvo = arvo_outcomes(warehouse, period)
    rows = nhs.merge(arvo, on=["provider_id", "Procedure", "Measure"], how="left")
    checked = [_status(rec) for rec in rows.to_dict("records")]
    rows["status"] = [status for status, _ in checked]
    rows["counts_equal"] = [equal for _, equal in checked]
    return Comparison(rows=rows)


def _status(rec: dict) -> tuple[str, bool]:
    """The row's status, and whether improved / same / worse agree."""
    published = str(rec["Modelled Records"]).strip()
    if published == "*":
        return SUPPRESSED, False
    if published in ("-", ""):
        return NO_RECORDS, False
    if pd.isna(rec.get("pairs")):
        # NHS leaves a provider's records out of the record-level files where it would
        # hold fewer than 6 of them (CSV footnotes, "Low numbers")
        return NOT_IN_PACK, False
    counts_ok = all(str(rec[n]).strip() not in ("*", "-", "") and int(rec[n]) == int(rec[c])
                    for n, c in COUNTS)
    differing = [nhs_col for nhs_col, arvo_col in AVERAGES
                 if not _close(float(rec[arvo_col]), float(rec[nhs_col]))]
    if not differing and int(published) == int(rec["pairs"]):
        return MATCH, counts_ok
    if not differing and rec["Procedure"].startswith("Total") \
            and int(published) == int(rec["first_package_pairs"]):
        # "Totals for providers ... are based on unsuppressed figures": the total's count
        # leaves out a suppressed revision cell, its averages do not
        return TOTAL_COUNT, counts_ok
    if int(published) != int(rec["pairs"]):
        return RECORDS_DIFFER, counts_ok
    return f"{differing[0].lower()} differs", counts_ok


def write(comparison: Comparison, path: Path) -> Path:
    """The comparison as a CSV: NHS's columns, Arvo's beside them, and the status."""
    path.parent.mkdir(parents=True, exist_ok=True)
    cols = ["provider_id", "Procedure", "Measure", "Modelled Records", "pairs",
            *(c for pair in AVERAGES for c in pair), *(c for pair in COUNTS for c in pair),
            "status", "counts_equal"]
    comparison.rows[cols].rename(columns={
        "pairs": "arvo_pairs", **{a: f"arvo_{a}" for _, a in (*AVERAGES, *COUNTS)},
    }).to_csv(path, index=False)
    return path
