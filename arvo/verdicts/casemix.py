"""Case-mix models: the follow-up score on the baseline score and client factors.

One ordinary least squares model per package x instrument x measure, fitted on the
pooled pairs of the period (all providers), as NHS PROMs fits its case-mix models
(NHS Digital, "PROMs case-mix adjustment methodology"). The design:

- intercept, the baseline score and its square (the baseline dominates every PROM
  model; the square lets the follow-up flatten towards a scale's ceiling);
- each declared factor (definitions/verdicts.yml `case_mix_factors`, per package
  `packages.yml` `case_mix_factors`): categorical factors as indicator columns against
  their most common level, a missing value a level of its own (NHS keeps records
  whose case-mix answer is "9, missing" in its models the same way); counts linear.

A factor that takes one value only among the pairs is left out of the model (it cannot
explain anything there), and so are factors, last declared first, while the model has
fewer than `PAIRS_PER_PARAMETER` pairs per parameter. Both are recorded per model.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

#: Every factor a package may declare, and how it enters the model. `age_band` and
#: `sex` come from the client's personal identity code, `chronic_conditions` and
#: `social_care` from the client's service events in the period's window, the rest
#: from the episode's optional case-mix fields (docs/submission-contract.md).
CATEGORICAL = ("age_band", "sex", "living_arrangement", "disability", "assisted_at_baseline",
               "symptom_duration", "previous_surgery", "general_health",
               "comorbidity_heart_disease", "comorbidity_high_blood_pressure",
               "comorbidity_stroke", "comorbidity_circulation", "comorbidity_lung_disease",
               "comorbidity_diabetes", "comorbidity_kidney_disease",
               "comorbidity_nervous_system", "comorbidity_liver_disease",
               "comorbidity_cancer", "comorbidity_depression", "comorbidity_arthritis",
               "social_care")
NUMERIC = ("chronic_conditions",)
FACTORS = CATEGORICAL + NUMERIC
#: The default factors, most important first (dropped from the end when pairs are few):
#: those ISAR and NHS PROMs use (age, sex, general health, comorbidities) and the
#: register's (chronic conditions, social care use), then the contract's other fields.
DEFAULT_FACTORS = (
    "age_band", "sex", "chronic_conditions", "social_care", "general_health",
    "living_arrangement", "disability", "symptom_duration", "previous_surgery",
    "assisted_at_baseline", *(f for f in CATEGORICAL if f.startswith("comorbidity_")))
#: The least number of pairs per estimated parameter (a common rule of thumb for linear
#: models: Harrell, Regression Modeling Strategies, 2nd ed., section 4.4: 10 to 20).
PAIRS_PER_PARAMETER = 10
MISSING = "missing"


@dataclass
class Fit:
    """One fitted model: its predictions (in the order of the input rows) and its record."""

    expected: np.ndarray
    pairs: int
    parameters: int
    r_squared: float | None
    residual_sd: float | None
    factors_used: list[str] = field(default_factory=list)
    factors_dropped: dict[str, str] = field(default_factory=dict)


def _levels(values: pd.Series) -> pd.Series:
    """A categorical factor's values as text levels, missing as a level of its own."""
    text = values.astype("string").fillna(MISSING)
    return text.astype(object)


def _values(frame: pd.DataFrame, factor: str) -> pd.Series:
    """A factor's values as the model reads them: counts as they are, categories as levels."""
    return frame[factor] if factor in NUMERIC else _levels(frame[factor])


def _columns(values: pd.Series, factor: str) -> np.ndarray:
    """The design columns of one factor (indicators against the most common level), from
    its `_values`."""
    if factor in NUMERIC:
        return values.astype(float).fillna(0.0).to_numpy()[:, None]
    counts = values.value_counts()
    # reference: the most common level (ties: the first in sorted order)
    reference = sorted(counts.index[counts == counts.max()])[0]
    others = sorted(v for v in counts.index if v != reference)
    levels = values.to_numpy()
    return np.column_stack([levels == v for v in others]).astype(float) if others \
        else np.empty((len(values), 0))


def fit(frame: pd.DataFrame, factors: list[str]) -> Fit:
    """Fit follow-up on baseline (+ square) and `factors` over the rows of `frame`.

    `frame` has `baseline_score`, `followup_score` and a column per factor. Fewer pairs
    than `PAIRS_PER_PARAMETER` times the baseline-only model's three parameters: no
    model (expected = the mean follow-up, recorded with r_squared None).
    """
    n = len(frame)
    unknown = [f for f in factors if f not in FACTORS]
    if unknown:
        raise ValueError(f"unknown case-mix factor(s): {', '.join(unknown)}")
    dropped: dict[str, str] = {}
    used = []
    values = {f: _values(frame, f) for f in factors}
    for f in factors:
        if values[f].nunique(dropna=False) > 1:
            used.append(f)
        else:
            dropped[f] = "one value only"
    base = frame["baseline_score"].to_numpy(dtype=float)
    y = frame["followup_score"].to_numpy(dtype=float)
    core = np.column_stack([np.ones(n), base, base ** 2]) if n else np.empty((0, 3))
    blocks = {f: _columns(values[f], f) for f in used}
    while used and n < PAIRS_PER_PARAMETER * (3 + sum(blocks[f].shape[1] for f in used)):
        dropped[used.pop()] = f"fewer than {PAIRS_PER_PARAMETER} pairs per parameter"
    if n < PAIRS_PER_PARAMETER * 3:
        mean = float(y.mean()) if n else float("nan")
        return Fit(np.full(n, mean), n, 1 if n else 0, None, None, [], dropped)
    design = np.column_stack([core, *(blocks[f] for f in used)])
    coef, _, rank, _ = np.linalg.lstsq(design, y, rcond=None)
    expected = design @ coef
    resid = y - expected
    ss_res = float(resid @ resid)
    ss_tot = float(((y - y.mean()) ** 2).sum())
    dof = max(n - int(rank), 1)
    return Fit(expected, n, int(rank), 1.0 - ss_res / ss_tot if ss_tot > 0 else None,
               float(np.sqrt(ss_res / dof)), used, dropped)


def fit_all(pairs: pd.DataFrame, factors_of: dict[str, list[str]],
            default: list[str]) -> pd.DataFrame:
    """Expected follow-up per pair, one model per package x instrument x measure.

    `pairs` is int_case_mix_inputs' rows with a baseline; `factors_of` the declared
    factors per package (others use `default`). Returns the rows (sorted by model and
    episode, so the fit does not depend on the order DuckDB returns them in) with
    `expected` and the model's record: pairs, parameters, r_squared, residual_sd,
    factors_used, factors_dropped ("factor: reason; ...").
    """
    keys = ["package_code", "instrument", "measure"]
    order = [*keys, "provider_id", "episode_id", "cycle"]
    pairs = pairs.sort_values(order, kind="stable").reset_index(drop=True)
    parts = []
    for (package, _, _), rows in pairs.groupby(keys, sort=True):
        result = fit(rows, factors_of.get(package, default))
        parts.append(rows.assign(
            expected=result.expected, model_pairs=result.pairs,
            model_parameters=result.parameters, r_squared=result.r_squared,
            residual_sd=result.residual_sd, factors_used=", ".join(result.factors_used),
            factors_dropped="; ".join(f"{k}: {v}" for k, v in result.factors_dropped.items())))
    if not parts:
        return pairs.assign(expected=pd.Series(dtype=float), model_pairs=pd.Series(dtype="int64"),
                            model_parameters=pd.Series(dtype="int64"),
                            r_squared=pd.Series(dtype=float), residual_sd=pd.Series(dtype=float),
                            factors_used=pd.Series(dtype=object),
                            factors_dropped=pd.Series(dtype=object))
    return pd.concat(parts, ignore_index=True)
