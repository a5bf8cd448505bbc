"""Check that the demo's planted truth tests a case-mix adjusted funnel method (issue 9).

An independent sketch of the method, on the generated frames (no pipeline): per package x
primary measure, pairs (baseline and 6-month follow-up of the same episode and cycle)
whose follow-up falls in the latest steering period's 12-month window; an OLS of the
follow-up score on the baseline score (linear and squared), 10-year age band at episode
start, sex, chronic condition groups diagnosed in the window, social care use in the
window and the case-mix fields the episode was sent with (empty as its own category).
Indirect standardisation, z = (O - E) / (residual SD / sqrt(pairs)); Spiegelhalter (2005)
overdispersion from z-scores winsorised at 10 % / 90 % among providers with at least
the truth's min_pairs pairs, added as a random effect when I x phi exceeds chi-square(I - 1) 95 %;
alarms beyond |z| 3.09, alerts beyond 1.96, providers under min_pairs never flagged. The
same on the unadjusted follow-up mean against the population's.

Run: `.venv/bin/python -m tests.demo.funnel_check [seed ...]` (default: 42 1 2 3 4 5); it
prints per seed what the planted truth says against what the sketch finds and exits 1 if
a promise of the truth is broken. tests/demo/test_funnel.py runs it on two seeds.
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import yaml
from scipy import stats

from arvo import definitions
from arvo.contract import CASE_MIX_CODES
from arvo.demo.generate import DEFAULT_DEFINITIONS
from arvo.demo.region import Region, build_region

RESIDENTS = 50_000  # the default demo (arvo demo, make demo)
MONTHS = 24
SEEDS = (42, 1, 2, 3, 4, 5)
ALARM, ALERT = stats.norm.ppf(0.999), stats.norm.ppf(0.975)
EQ_ITEMS = [f"q{i}" for i in range(1, 6)]
PHQ_ITEMS = [f"q{i}" for i in range(1, 10)]


def _eq5d_index(proms: pd.DataFrame) -> np.ndarray:
    """EQ-5D-5L index, England value set from the dbt seed (null if a dimension is missing)."""
    vs = pd.read_csv(DEFAULT_DEFINITIONS.parent / "dbt_project" / "seeds" /
                     "eq5d5l_value_sets.csv")
    vs = vs[(vs["country"] == "England") & vs["dimension"].notna()]
    score = np.ones(len(proms))
    for q, dim in zip(EQ_ITEMS, ("MO", "SC", "UA", "PD", "AD"), strict=True):
        table = dict(zip(vs.loc[vs["dimension"] == dim, "level"].astype(int),
                         vs.loc[vs["dimension"] == dim, "decrement"], strict=True))
        score = score + proms[q].map(table).to_numpy(dtype=float, na_value=np.nan)
    return score


def _phq9_total(proms: pd.DataFrame) -> np.ndarray:
    """PHQ-9 total: null if more than one item missing, else mean of answered x 9, rounded."""
    items = proms[PHQ_ITEMS].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    items[(items < 0) | (items > 3)] = np.nan
    answered = np.isfinite(items).sum(axis=1)
    total = np.round(np.nansum(items, axis=1) * 9 / np.maximum(answered, 1))
    return np.where(answered >= 8, total, np.nan)


def pairs(region: Region, window: tuple[str, str]) -> pd.DataFrame:
    """One row per pair with its follow-up in `window`: scores and the model's covariates."""
    pr = region.proms
    scored = []
    for inst, measure, fn in (("EQ5D5L", "eq5d_index", _eq5d_index),
                              ("PHQ9", "phq9_total", _phq9_total)):
        sub = pr[pr["instrument"] == inst]
        scored.append(sub[["episode", "cycle", "timepoint", "response_date", "package_code",
                           "provider_id", "person"]].assign(instrument=inst, measure=measure,
                                                            score=fn(sub)))
    s = pd.concat(scored, ignore_index=True).dropna(subset=["score"])
    keys = ["episode", "cycle", "instrument", "measure"]
    b = s[s["timepoint"] == "baseline"].drop_duplicates(keys)
    f = s[s["timepoint"] == "followup_6m"].drop_duplicates(keys)
    lo = pd.Timestamp(window[0] + "-01")
    hi = pd.Timestamp(window[1] + "-01") + pd.offsets.MonthEnd(0)
    f = f[(f["response_date"] >= lo) & (f["response_date"] <= hi)]
    p = f.merge(b[keys + ["score"]], on=keys, suffixes=("_f", "_b"))
    ep = region.episodes.drop_duplicates("episode").set_index("episode")
    p = p.join(ep[["start_date", *[c for c in CASE_MIX_CODES if c in ep.columns]]], on="episode")
    res = region.residents.set_index("person")
    age = (p["start_date"] - pd.to_datetime(res.loc[p["person"], "birth_date"]).to_numpy()).dt.days
    p["age_band"] = (age / 365.25 // 10).clip(upper=9).astype(int)
    p["sex"] = res.loc[p["person"], "sex"].to_numpy()
    chronic, social = _client_features(region, lo, hi)
    p["chronic"] = p["person"].map(chronic).fillna(0)
    p["social"] = p["person"].map(social).fillna(0)
    return p


def _client_features(region: Region, lo: pd.Timestamp, hi: pd.Timestamp):
    """Chronic condition groups diagnosed, and any social service, per person in the window."""
    ev = region.events
    ev = ev[(ev["event_date"] >= lo) & (ev["event_date"] <= hi)]
    seg = yaml.safe_load((DEFAULT_DEFINITIONS / "segments.yml").read_text("utf-8"))
    diag = ev.dropna(subset=["diagnosis"])[["person", "diagnosis"]].drop_duplicates()
    code = diag["diagnosis"].str.replace(".", "", regex=False)
    group = pd.Series(None, index=diag.index, dtype=object)
    for g in seg["chronic_conditions"]:
        for prefix in g["prefixes"]:
            group[code.str.startswith(prefix)] = g["group"]
    chronic = diag.assign(g=group).dropna(subset=["g"]).groupby("person")["g"].nunique()
    types = yaml.safe_load((DEFAULT_DEFINITIONS / "service_types.yml").read_text("utf-8"))
    social_codes = [t["code"] for t in types["service_types"] if t["domain"] == "social"]
    social = ev[ev["service_code"].isin(social_codes)].groupby("person").size().clip(upper=1)
    return chronic, social


def design(p: pd.DataFrame) -> np.ndarray:
    """The case-mix model's design matrix (no provider terms)."""
    cols = [np.ones(len(p)), p["score_b"], p["score_b"] ** 2, p["chronic"], p["social"],
            (p["sex"] == "F").astype(float)]
    cats = [pd.get_dummies(p["age_band"], prefix="age", drop_first=True, dtype=float)]
    for c in CASE_MIX_CODES:
        if c in p.columns:
            cats.append(pd.get_dummies(p[c].astype("Float64").fillna(-1), prefix=c,
                                       drop_first=True, dtype=float))
    x = np.column_stack([np.asarray(c, dtype=float) for c in cols]
                        + [d.to_numpy() for d in cats if d.shape[1]])
    return x


def _flags(diff: np.ndarray, se: np.ndarray, n: np.ndarray, min_pairs: int) -> tuple:
    """z and flag per provider, with the overdispersion allowance (Spiegelhalter 2005)."""
    z = diff / se
    ok = n >= min_pairs
    tau2 = 0.0
    if ok.sum() >= 3:
        zs = z[ok]
        zw = np.clip(zs, np.percentile(zs, 10), np.percentile(zs, 90))
        i = len(zs)
        phi = float(np.mean(zw ** 2))
        if i * phi > stats.chi2.ppf(0.95, i - 1):
            w = 1 / se[ok] ** 2
            tau2 = max(0.0, (i * phi - (i - 1)) / (w.sum() - (w ** 2).sum() / w.sum()))
    z = diff / np.sqrt(se ** 2 + tau2)
    level = np.where(~ok, "too_few", np.where(np.abs(z) > ALARM, "alarm",
                                              np.where(np.abs(z) > ALERT, "alert", "")))
    return z, level, tau2


def funnel(p: pd.DataFrame, min_pairs: int, better_high: bool) -> pd.DataFrame:
    """The funnel of one package x measure: per provider n, z and level, both ways."""
    x = design(p)
    y = p["score_f"].to_numpy(dtype=float)
    beta, *_ = np.linalg.lstsq(x, y, rcond=None)
    fit = x @ beta
    rank = np.linalg.matrix_rank(x)
    sd = float(np.sqrt(((y - fit) ** 2).sum() / max(len(y) - rank, 1)))
    g = p.assign(fit=fit).groupby("provider_id")
    t = pd.DataFrame({"n": g.size(), "observed": g["score_f"].mean(), "expected": g["fit"].mean()})
    n = t["n"].to_numpy(dtype=float)
    sign = 1 if better_high else -1
    t["z"], t["level"], tau_adj = _flags(sign * (t["observed"] - t["expected"]).to_numpy(),
                                         sd / np.sqrt(n), n, min_pairs)
    t["z_unadj"], t["level_unadj"], _ = _flags(sign * (t["observed"] - y.mean()).to_numpy(),
                                               y.std(ddof=1) / np.sqrt(n), n, min_pairs)
    t.attrs["tau2"] = tau_adj
    return t


def check_seed(seed: int, residents: int = RESIDENTS, months: int = MONTHS) -> dict:
    """Generate the region with `seed`, run the sketch and compare with the planted truth."""
    defs = definitions.load(DEFAULT_DEFINITIONS)
    region = build_region(defs, seed=seed, residents=residents, months=months)
    truth = region.truth
    labels = region.calendar.labels
    p = pairs(region, (labels[-12], labels[-1]))
    expected = {(f["provider_id"], f["package_code"], f["measure"]): f["direction"]
                for f in truth["expected_flags"]}
    unadj = {(f["provider_id"], f["package_code"], f["measure"])
             for f in truth["expected_unadjusted_flags"]}
    few = {(f["provider_id"], f["package_code"], f["measure"]) for f in truth["too_few_pairs"]}
    tables, problems, null_alarms = {}, [], []
    for (pkg, measure), sub in p.groupby(["package_code", "measure"]):
        t = funnel(sub, truth["min_pairs"], better_high=measure != "phq9_total")
        tables[(pkg, measure)] = t
        for pid, row in t.iterrows():
            cell = (pid, pkg, measure)
            if cell in expected:
                want = 1 if expected[cell] == "better" else -1
                if row["level"] != "alarm" or np.sign(row["z"]) != want:
                    problems.append(f"planted {expected[cell]} {cell} not an alarm: {row['z']:.2f}")
            elif row["level"] == "alarm":
                null_alarms.append(f"{cell} z={row['z']:.2f}")
            if cell in unadj:
                if row["level_unadj"] not in ("alarm", "alert") or row["z_unadj"] > 0:
                    problems.append(f"sicker {cell} not flagged unadjusted: {row['z_unadj']:.2f}")
                if row["level"] == "alarm":
                    problems.append(f"sicker {cell} flagged adjusted: {row['z']:.2f}")
            if cell in few and row["n"] >= truth["min_pairs"]:
                problems.append(f"small {cell} has {row['n']} pairs")
    if len(null_alarms) > 1:
        problems.append(f"{len(null_alarms)} alarms on null cells")
    dep = tables.get((truth["drawn_effects"]["package_code"], "eq5d_index"))
    judged = {k[0]: int((t["n"] >= truth["min_pairs"]).sum()) for k, t in tables.items()
              if k[1] == "eq5d_index"}
    if dep is None or (dep["n"] >= truth["min_pairs"]).sum() < 8:
        problems.append("fewer than 8 judged providers in the planted package")
    return {"seed": seed, "truth": truth, "tables": tables, "null_alarms": null_alarms,
            "judged": judged, "problems": problems}


def report(result: dict) -> str:
    """The figures of one seed, as text."""
    truth, tables = result["truth"], result["tables"]
    roles = truth["roles"]
    pkg = truth["drawn_effects"]["package_code"]
    lines = [f"seed {result['seed']}: roles "
             + ", ".join(f"{r}={pid}" for r, pid in roles.items())
             + f"; drawn {truth['drawn_effects']}",
             f"  providers with >= {truth['min_pairs']} EQ-5D pairs, per package: "
             f"{result['judged']}"]
    for measure in ("eq5d_index", "phq9_total"):
        t = tables[(pkg, measure)]
        lines.append(f"  {pkg} {measure} (tau2 {t.attrs['tau2']:.4g}):")
        for r, pid in roles.items():
            if pid in t.index:
                row = t.loc[pid]
                lines.append(f"    {r:16s} n={int(row['n']):4d} z={row['z']:6.2f} "
                             f"[{row['level'] or '-'}] unadjusted z={row['z_unadj']:6.2f} "
                             f"[{row['level_unadj'] or '-'}]")
    lines.append(f"  null-cell alarms: {result['null_alarms'] or 'none'}")
    lines.append(f"  problems: {result['problems'] or 'none'}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """Check the seeds given (default SEEDS); 1 if any breaks a promise of the truth."""
    seeds = [int(a) for a in argv] or list(SEEDS)
    bad = 0
    for seed in seeds:
        result = check_seed(seed)
        print(report(result), flush=True)
        bad += bool(result["problems"])
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
