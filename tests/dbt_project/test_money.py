"""Money in the marts is exact: every mart contract column that holds euros is a DECIMAL
(docs/reruns.md). A binary double sums euros differently from run to run (DuckDB sums in
parallel) and cannot hold a cent exactly; the reports round decimals only when shown."""

from __future__ import annotations

import re

import yaml

from arvo.config import REPO_ROOT

MARTS = REPO_ROOT / "dbt_project" / "models" / "marts" / "_marts__models.yml"

#: A column holds euros when its name ends in _eur or starts with cost (cost_eur, ...).
EUROS = re.compile(r"(_eur$|^cost)")

#: Columns named like money that are not euros, and why.
NOT_EUROS = {
    "cost_share": "a share of costs (euros / euros), a ratio of two exact decimal sums",
    "cost_per_gain_reason": "text: why cost_per_gain_eur is null",
}


def _contract_columns() -> list[tuple[str, str, str]]:
    models = yaml.safe_load(MARTS.read_text(encoding="utf-8"))["models"]
    return [(m["name"], c["name"], str(c.get("data_type", "")).lower())
            for m in models for c in m.get("columns", [])]


def test_every_euro_column_of_every_mart_is_decimal():
    euros = [(m, c, t) for m, c, t in _contract_columns()
             if EUROS.search(c) and c not in NOT_EUROS]
    assert len(euros) >= 25  # the rule finds the money columns at all
    assert {m for m, _, _ in euros} >= {"mart_provider_payments", "mart_cost_concentration",
                                        "mart_cost_lorenz", "mart_provider_value"}
    not_decimal = [(m, c, t) for m, c, t in euros if not t.startswith("decimal(")]
    assert not_decimal == []


def test_the_exceptions_are_not_euros():
    types = {}
    for _, c, t in _contract_columns():
        types.setdefault(c, set()).add(t)
    assert types["cost_share"] == {"double"}
    assert types["cost_per_gain_reason"] == {"varchar"}
    assert set(NOT_EUROS) <= set(types)
