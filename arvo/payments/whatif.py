"""What if a draft rule set paid the period: read the warehouse read-only, run the one
computation (`arvo.payments.compute`) on the period's published marts with the draft
rules, and set it beside the published payments (mart_provider_payments). Nothing is
written to the warehouse or the reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import yaml
from pydantic import TypeAdapter, ValidationError

from arvo import definitions
from arvo.payments import compute
from arvo.payments.rules import PaymentRules, cross_check
from arvo.report.disclosure import COMPLEMENTARY, SUPPRESSED, complement, is_small

#: The marts the computation reads (the same the dbt build reads).
INPUTS = ("mart_provider_value", "mart_provider_funnel", "mart_prom_compliance")
PUBLISHED = "mart_provider_payments"
TARGETS = "mart_objective_attainment"  # optional: a warehouse built before objectives
AMOUNTS = ("published_eur", "draft_eur", "difference_eur")


def load_rules(path: Path, defs: definitions.Definitions) -> PaymentRules:
    """A draft rules file (the layout of definitions/payments.yml), validated and checked
    against the definitions; an invalid one raises DefinitionError naming file and key."""
    path = Path(path)
    if not path.is_file():
        raise definitions.DefinitionError(f"{path}: file is missing")
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise definitions.DefinitionError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(doc, dict) or "payments" not in doc:
        raise definitions.DefinitionError(f"{path}: key 'payments' is missing")
    try:
        rules = TypeAdapter(PaymentRules).validate_python(doc["payments"])
    except ValidationError as exc:
        err = exc.errors()[0]
        msg = err["msg"].removeprefix("Value error, ")
        key = definitions._loc(("payments", *err["loc"]))
        raise definitions.DefinitionError(f"{path}: {key}: {msg}") from None
    problem = cross_check(rules, {p.code: list(p.instruments) for p in defs.packages})
    if problem:
        raise definitions.DefinitionError(f"{path}: {problem[0]}: {problem[1]}")
    return rules


@dataclass(frozen=True)
class Comparison:
    """Per provider x package: published and draft totals (Decimal euros) and the
    difference; `lines` the draft's payment lines."""

    period: str
    by_package: pd.DataFrame
    lines: pd.DataFrame

    def by_provider(self) -> pd.DataFrame:
        cols = ["published_eur", "draft_eur", "difference_eur"]
        g = self.by_package.groupby(["provider_id", "provider_name"], sort=True)
        out = g[cols].agg(lambda s: sum(s, Decimal(0)))
        out["episodes"] = g["episodes"].agg(lambda s: min((n for n in s if n), default=0))
        return out.reset_index()

    def shown(self, frame: pd.DataFrame) -> pd.DataFrame:
        """`frame` (by_package or by_provider) as the commissioner may see it: the amounts
        of a row resting on 1 to 4 episodes hidden ("<5"), and a further row too ("..")
        where the total would still give one away (disclosure.complement)."""
        out = frame.copy().astype({c: object for c in AMOUNTS})
        rows = frame.to_dict("records")
        for i, r in enumerate(rows):
            if is_small(r["episodes"]):
                out.loc[out.index[i], list(AMOUNTS)] = str(SUPPRESSED)
        for i in complement(rows, "episodes"):
            out.loc[out.index[i], list(AMOUNTS)] = str(COMPLEMENTARY)
        return out.drop(columns="episodes")

    def total(self) -> dict[str, Decimal]:
        return {c: sum(self.by_package[c], Decimal(0))
                for c in ("published_eur", "draft_eur", "difference_eur")}


def compare(warehouse: Path, period: str, draft: PaymentRules) -> Comparison:
    """The draft's payments of `period` beside the published ones (warehouse read-only)."""
    warehouse = Path(warehouse)
    if not warehouse.is_file():
        raise FileNotFoundError(f"no warehouse at {warehouse}: run `arvo steer` first")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = {r[0] for r in con.execute(
            "select table_name from information_schema.tables").fetchall()}
        missing = [t for t in INPUTS if t not in tables]
        if missing:
            raise LookupError(f"{warehouse} has no {', '.join(missing)}: run `arvo steer`")
        frames = [con.execute(f'select * from "{t}" where period = ?', [period]).df()
                  for t in INPUTS]
        frames.append(con.execute(f'select * from "{TARGETS}" where period = ?',
                                  [period]).df() if TARGETS in tables else None)
        published = pd.DataFrame(columns=["provider_id", "provider_name", "package_code",
                                          "episodes", "amount_eur"])
        if PUBLISHED in tables:
            published = con.execute(
                f"select provider_id, provider_name, package_code, episodes, "
                f"cast(amount_eur as varchar) as amount_eur from {PUBLISHED} "
                "where period = ? and line = 'total'", [period]).df()
    if frames[0].empty:
        raise LookupError(f"{warehouse} has no results for period {period}")
    lines = compute.compute(draft, *frames)
    new = compute.totals(lines).rename(columns={"total_eur": "draft_eur"})
    new = new.merge(frames[0][["provider_id", "package_code", "episodes"]],
                    on=["provider_id", "package_code"], how="left")
    old = published.rename(columns={"amount_eur": "published_eur"})
    old["published_eur"] = old["published_eur"].map(Decimal)
    both = old.merge(new, on=["provider_id", "package_code"], how="outer",
                     suffixes=("", "_draft"))
    both["provider_name"] = both["provider_name"].fillna(both.pop("provider_name_draft"))
    both["episodes"] = both["episodes"].fillna(both.pop("episodes_draft")).astype(int)
    for c in ("published_eur", "draft_eur"):
        both[c] = both[c].map(lambda v: v if isinstance(v, Decimal) else Decimal("0.00"))
    both["difference_eur"] = both["draft_eur"] - both["published_eur"]
    both = both.sort_values(["provider_id", "package_code"]).reset_index(drop=True)
    return Comparison(period, both[["provider_id", "provider_name", "package_code",
                                    "episodes", *AMOUNTS]], lines)
