"""Compare Arvo's case-mix adjusted results on an imported NHS pack with NHS's own.

For the primary procedures (ProvComm "Hip Replacement Primary" / "Knee Replacement
Primary", Arvo's HIP_PRIMARY / KNEE_PRIMARY) and each of their three measures, per
provider NHS published and Arvo has:

- **adjusted health gain.** NHS's "Adjusted Average Health Gain" (its adjusted post-op
  score minus the national mean pre-op score) against mart_provider_funnel's
  `adjusted_gain`: Pearson r over the providers both have, where NHS published figures.
- **the funnel.** NHS draws its funnels around the national mean post-op score with
  limits of its model's residual standard deviation over the square root of a
  provider's modelled records, without overdispersion correction. That SD is the one
  ProvComm publishes for England (the SD of post-op minus NHS's predicted score over
  England's records). NHS's z: (adjusted post-op - England's mean post-op) / (SD /
  sqrt(modelled records)). Arvo's z: its adjusted mean follow-up around its own
  population mean, with the same SD over the square root of its pairs, judged by the one
  funnel rule (`arvo.verdicts.funnel.judge`, overdispersion "none", the register's
  min_pairs). The limits are then the same for both, and any difference in the flags
  comes from the adjusted scores, i.e. from the case-mix models.

Targets (the issue's): r >= 0.90 for each joint x measure and >= 0.93 on average; every
provider NHS's figures place far beyond the 99.8 % limit (|z| > 4) an alarm in Arvo on
the same side; at most one per joint x measure of those NHS places well inside the 95 %
limit (|z| < 1.96) an alarm. NHS's adjusted scores are only compared, never an input.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from arvo.nhs import provcomm
from arvo.verdicts import funnel

# ProvComm's primary procedure -> Arvo's package, and the joint's measures
JOINTS = {
    "Hip Replacement Primary": ("HIP_PRIMARY", ("EQ-5D Index", "EQ VAS", "Oxford Hip Score")),
    "Knee Replacement Primary": ("KNEE_PRIMARY", ("EQ-5D Index", "EQ VAS", "Oxford Knee Score")),
}
MIN_R = 0.90
MIN_MEAN_R = 0.93
FAR = 4.0  # |z| beyond which NHS's figures place a provider far beyond the 99.8 % limit
WELL_INSIDE = funnel.Z95  # |z| under which they place it well inside the 95 % limit
MAX_INSIDE_ALARMS = 1  # per joint x measure

NHS_POST = "Adjusted Post-Op Q Score"
NHS_GAIN = "Adjusted Average Health Gain"


@dataclass(frozen=True)
class Comparison:
    """Per provider x joint x measure (`rows`) and per joint x measure (`summary`)."""

    rows: pd.DataFrame
    summary: pd.DataFrame

    @property
    def mean_r(self) -> float:
        return float(self.summary["r"].mean())

    def missed(self) -> list[str]:
        """The targets missed, one line each (empty: every target met)."""
        out = []
        for s in self.summary.itertuples():
            name = f"{s.procedure}, {s.measure}"
            if not s.r >= MIN_R:
                out.append(f"{name}: r = {s.r:.3f} < {MIN_R}")
            if s.far_alarms < s.far:
                out.append(f"{name}: {s.far - s.far_alarms} of {s.far} providers NHS places "
                           f"beyond |z| {FAR:g} are not Arvo alarms on the same side")
            if s.inside_alarms > MAX_INSIDE_ALARMS:
                out.append(f"{name}: {s.inside_alarms} providers NHS places within |z| "
                           f"{WELL_INSIDE:.2f} are Arvo alarms (at most {MAX_INSIDE_ALARMS})")
        if not self.mean_r >= MIN_MEAN_R:
            out.append(f"mean r = {self.mean_r:.3f} < {MIN_MEAN_R}")
        return out

    def lines(self) -> list[str]:
        out = ["NHS's adjusted results (ProvComm, primary procedures) against Arvo's "
               "(mart_provider_funnel):"]
        for s in self.summary.itertuples():
            out.append(
                f"{s.procedure}, {s.measure}: {s.providers} providers; model {s.model_pairs:,} "
                f"pairs, R^2 {s.r_squared:.3f}; r = {s.r:.3f}; England mean post-op "
                f"{s.nhs_mean:.4g} (Arvo {s.arvo_mean:.4g}), SD {s.sd:.4g}; "
                f"NHS |z| > {FAR:g}: {s.far}, Arvo alarms among them {s.far_alarms}; "
                f"NHS |z| < {WELL_INSIDE:.2f}: {s.inside}, Arvo alarms among them "
                f"{s.inside_alarms}; NHS beyond 99.8 %: {s.nhs_alarms}, Arvo: "
                f"{s.arvo_alarms}, both: {s.both_alarms}")
        out.append(f"mean r over the {len(self.summary)}: {self.mean_r:.3f}")
        missed = self.missed()
        out += [f"target missed: {m}" for m in missed] or ["every target met"]
        return out


def _published(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows with NHS's adjusted figures (not `*` or `-`), those columns as numbers."""
    frame = frame[~frame[NHS_POST].str.strip().isin(["*", "-", ""])].copy()
    for column in ("Modelled Records", "Average Post-Op Q Score", NHS_POST, NHS_GAIN,
                   "Standard Deviation"):
        frame[column] = pd.to_numeric(frame[column])
    return frame


def arvo_funnel(warehouse: Path, period: str) -> pd.DataFrame:
    """mart_provider_funnel's rows of the primary packages for the period."""
    packages = [package for package, _ in JOINTS.values()]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "select provider_id, package_code, instrument, measure, pairs, adjusted, "
            "adjusted_gain, population_mean, higher_is_better, min_pairs, model_pairs, "
            "r_squared, residual_sd from mart_provider_funnel where period = ? "
            f"and package_code in ({', '.join('?' * len(packages))})",
            [period, *packages]).df()


def _judge(part: pd.DataFrame, england: pd.Series) -> pd.DataFrame:
    """NHS's and Arvo's z and bands for one joint x measure, under NHS's limits."""
    sd = float(england["Standard Deviation"])
    mean = float(england["Average Post-Op Q Score"])
    n_nhs = part["Modelled Records"].to_numpy(dtype=float)
    nhs_z = (part[NHS_POST].to_numpy(dtype=float) - mean) / (sd / np.sqrt(n_nhs))
    pairs = part["pairs"].to_numpy(dtype=float)
    judged = funnel.judge(part["adjusted"].to_numpy(), sd / np.sqrt(pairs), pairs,
                          float(part["population_mean"].iloc[0]),
                          bool(part["higher_is_better"].iloc[0]),
                          funnel.Rules(min_pairs=int(part["min_pairs"].iloc[0]),
                                       overdispersion="none"))
    return part.assign(nhs_mean=mean, sd=sd, nhs_z=nhs_z, arvo_z=judged.z,
                       arvo_flag=judged.level, arvo_direction=judged.direction)


def compare(pack_dir: Path, warehouse: Path, period: str) -> Comparison:
    """Every provider x primary procedure x measure both have, and the figures per model."""
    nhs = _published(provcomm.read_provcomm(pack_dir))
    england = _published(provcomm.read_provcomm(pack_dir, "England")).set_index(
        ["Procedure", "Measure"])
    arvo = arvo_funnel(warehouse, period)
    parts, summary = [], []
    for procedure, (package, measures) in JOINTS.items():
        for measure in measures:
            instrument, arvo_measure = provcomm.MEASURES[measure]
            part = nhs[(nhs["Procedure"] == procedure) & (nhs["Measure"] == measure)].merge(
                arvo[(arvo["package_code"] == package) & (arvo["instrument"] == instrument)
                     & (arvo["measure"] == arvo_measure)], on="provider_id")
            if part.empty:
                continue
            part = _judge(part.sort_values("provider_id"), england.loc[(procedure, measure)])
            parts.append(part)
            summary.append(_summarise(part, procedure, measure))
    rows = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    return Comparison(rows=rows, summary=pd.DataFrame(summary))


def _summarise(part: pd.DataFrame, procedure: str, measure: str) -> dict[str, object]:
    far = part["nhs_z"].abs() > FAR
    inside = part["nhs_z"].abs() < WELL_INSIDE
    alarm = part["arvo_flag"] == "alarm"
    same_side = np.sign(part["nhs_z"]) == np.sign(part["arvo_z"])
    nhs_alarm = part["nhs_z"].abs() > funnel.Z998
    first = part.iloc[0]
    return {
        "procedure": procedure, "measure": measure, "providers": len(part),
        "model_pairs": int(first["model_pairs"]), "r_squared": float(first["r_squared"]),
        "residual_sd": float(first["residual_sd"]),
        "r": float(np.corrcoef(part["adjusted_gain"], part[NHS_GAIN])[0, 1]),
        "nhs_mean": float(first["nhs_mean"]), "arvo_mean": float(first["population_mean"]),
        "sd": float(first["sd"]),
        "far": int(far.sum()), "far_alarms": int((far & alarm & same_side).sum()),
        "inside": int(inside.sum()), "inside_alarms": int((inside & alarm).sum()),
        "nhs_alarms": int(nhs_alarm.sum()), "arvo_alarms": int(alarm.sum()),
        "both_alarms": int((nhs_alarm & alarm & same_side).sum()),
    }


def write(comparison: Comparison, path: Path) -> Path:
    """Provider by provider: NHS's figures and z beside Arvo's, and Arvo's flag."""
    path.parent.mkdir(parents=True, exist_ok=True)
    columns = {"Procedure": "procedure", "Measure": "measure", "provider_id": "provider_id",
               "Modelled Records": "nhs_records", "pairs": "arvo_pairs",
               NHS_POST: "nhs_adjusted_post_op", "adjusted": "arvo_adjusted_post_op",
               NHS_GAIN: "nhs_adjusted_gain", "adjusted_gain": "arvo_adjusted_gain",
               "nhs_mean": "nhs_england_mean_post_op", "population_mean": "arvo_mean_post_op",
               "sd": "sd", "nhs_z": "nhs_z", "arvo_z": "arvo_z", "arvo_flag": "arvo_flag",
               "arvo_direction": "arvo_direction"}
    comparison.rows[list(columns)].rename(columns=columns).to_csv(path, index=False)
    return path
