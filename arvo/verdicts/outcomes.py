"""Providers' case-mix adjusted outcomes and their funnel verdicts, per package x measure.

Indirect standardisation, as NHS PROMs adjusts (NHS Digital, "Patient Reported Outcome
Measures (PROMs) in England: a guide to PROMs methodology"): a provider's expected mean
follow-up is the mean of its clients' predictions from the pooled case-mix model
(`casemix`), and its adjusted mean follow-up is

    adjusted = population mean follow-up + observed mean - expected mean.

Its adjusted health gain is the adjusted follow-up minus the population mean baseline
(NHS's "adjusted average health gain"). The standard error of a provider's adjusted
mean is the model's residual standard deviation over the square root of its pairs; the
unadjusted comparison judges the observed mean follow-up against the same population
mean with the standard deviation of the follow-up scores. Both go through the one
funnel rule (`funnel.judge`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from arvo.verdicts import funnel

KEYS = ["package_code", "instrument", "measure"]
#: the columns of int_case_mix_predicted that `judge_providers` reads: the dbt model reads
#: only these (the model records' text, e.g. factors_dropped, would cost more to convert
#: to pandas than the judging itself at county scale: docs/performance-history.md, `365f61e`)
PAIR_COLUMNS = [*KEYS, "provider_id", "episode_id", "cycle", "baseline_score",
                "followup_score", "expected", "model_pairs", "r_squared", "residual_sd"]


def rules_from(table: pd.DataFrame) -> funnel.Rules:
    """The funnel rules of stg_definitions__verdict_rules (one row; defaults if none)."""
    if table.empty:
        return funnel.Rules()
    row = table.iloc[0]
    return funnel.Rules(int(row["min_pairs"]), str(row["overdispersion"]),
                        float(row["winsorise"]))


def _judged(prefix: str, j: funnel.Judgement) -> dict[str, object]:
    return {f"{prefix}z": j.z, f"{prefix}lower95": j.lower95, f"{prefix}upper95": j.upper95,
            f"{prefix}lower998": j.lower998, f"{prefix}upper998": j.upper998,
            f"{prefix}flag": j.level, f"{prefix}direction": j.direction,
            f"{prefix}phi": j.phi, f"{prefix}overdispersion": j.method,
            f"{prefix}tau2": j.tau2, f"{prefix}inflation": j.inflation}


def judge_model(providers: pd.DataFrame, theta: float, baseline_mean: float,
                residual_sd: float | None, followup_sd: float | None,
                higher_is_better: bool, rules: funnel.Rules) -> pd.DataFrame:
    """One package x measure: adjusted outcomes and both verdicts per provider row.

    `providers` has pairs, observed and expected (mean follow-up) per provider.
    """
    out = providers.copy()
    n = out["pairs"].to_numpy(dtype=float)
    out["adjusted"] = theta + out["observed"] - out["expected"]
    out["adjusted_gain"] = out["adjusted"] - baseline_mean
    out["population_mean"] = theta
    out["population_baseline_mean"] = baseline_mean
    for prefix, value, sd in (("", out["adjusted"], residual_sd),
                              ("unadjusted_", out["observed"], followup_sd)):
        usable = sd is not None and np.isfinite(sd) and sd > 0
        se = sd / np.sqrt(n) if usable else np.full(len(out), np.nan)
        out[f"{prefix}se"] = se
        if usable:
            judged = funnel.judge(value.to_numpy(), se, n, theta, higher_is_better, rules)
            for column, values in _judged(prefix, judged).items():
                out[column] = values
        else:  # no model: nobody can be judged
            for column, values in _judged(prefix, funnel.unjudged(len(out))).items():
                out[column] = values
    return out


def judge_providers(pairs: pd.DataFrame, rules: funnel.Rules,
                    measures: pd.DataFrame) -> pd.DataFrame:
    """Every provider x package x measure of int_case_mix_predicted, judged.

    `pairs` needs the columns `PAIR_COLUMNS`; others are ignored.
    """
    direction = {(r.instrument, r.measure): bool(r.higher_is_better)
                 for r in measures.itertuples()}
    parts = []
    pairs = pairs.sort_values([*KEYS, "provider_id", "episode_id", "cycle"], kind="stable")
    for (package, instrument, measure), rows in pairs.groupby(KEYS, sort=True):
        providers = rows.groupby("provider_id", sort=True).agg(
            pairs=("followup_score", "size"), baseline_mean=("baseline_score", "mean"),
            observed=("followup_score", "mean"), expected=("expected", "mean")).reset_index()
        first = rows.iloc[0]
        residual_sd = first["residual_sd"]
        judged = judge_model(
            providers, float(rows["followup_score"].mean()), float(rows["baseline_score"].mean()),
            None if pd.isna(residual_sd) else float(residual_sd),
            float(rows["followup_score"].std(ddof=1)) if len(rows) > 1 else None,
            direction.get((instrument, measure), True), rules)
        parts.append(judged.assign(
            package_code=package, instrument=instrument, measure=measure,
            model_pairs=int(first["model_pairs"]), r_squared=first["r_squared"],
            residual_sd=residual_sd, min_pairs=rules.min_pairs))
    if not parts:
        return pd.DataFrame(columns=COLUMNS)
    return pd.concat(parts, ignore_index=True)[COLUMNS]


COLUMNS = [
    *KEYS[:1], "provider_id", *KEYS[1:], "pairs", "baseline_mean", "observed", "expected",
    "adjusted", "adjusted_gain", "population_mean", "population_baseline_mean",
    "model_pairs", "r_squared", "residual_sd", "min_pairs",
    *(f"{p}{c}" for p in ("", "unadjusted_")
      for c in ("se", "z", "lower95", "upper95", "lower998", "upper998", "flag", "direction",
                "phi", "overdispersion", "tau2", "inflation")),
]
