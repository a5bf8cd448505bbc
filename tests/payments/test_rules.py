"""Payment rules (definitions/payments.yml): an invalid rule stops with file and key named."""

from pathlib import Path

import pytest

from arvo import definition_tables, definitions
from arvo.config import REPO_ROOT
from arvo.payments import rules, whatif
from tests.conftest import first_version_copy

DEFS = REPO_ROOT / "definitions"


@pytest.fixture
def defs_copy(tmp_path) -> Path:
    first_version_copy(tmp_path / "definitions")
    return tmp_path / "definitions"


def test_the_shipped_rules_load_and_compile(tmp_path):
    defs = definitions.load(DEFS)
    dep = defs.payments.rule_for("DEPRESSION", "private")
    assert dep is not None and str(dep.base_per_episode) == "1200.00"
    assert [a.kind for a in dep.adjustments] == ["uplift", "withhold"]
    out = definition_tables.compile_for_dbt(defs, tmp_path / "compiled")
    import pandas as pd
    table = pd.read_csv(out / "payment_rules.csv", dtype=str)
    assert rules.from_table(table) == defs.payments


def test_without_the_file_nothing_is_paid_by_rule(defs_copy):
    (defs_copy / "payments.yml").unlink()
    assert definitions.load(defs_copy).payments.rules == []


def test_a_sectors_own_rule_replaces_the_all_rule():
    base = {"package": "DEPRESSION", "base_per_episode": "100"}
    r = rules.PaymentRules(rules=[base, base | {"sector": "third", "base_per_episode": "90"}])
    assert r.rule_for("DEPRESSION", "third").base_per_episode == 90
    assert r.rule_for("DEPRESSION", "public").base_per_episode == 100
    assert r.rule_for("HIP_KNEE", "public") is None


@pytest.mark.parametrize("old, new, expected", [
    ('base_per_episode: "1200.00"', 'base_per_episode: "12.005"',
     r"payments.yml: payments.rules\[0\].base_per_episode: Decimal input should have no more "
     r"than 2 decimal places"),
    ("package: DEPRESSION", "package: DEPRESSON",
     r"payments.yml: payments.rules\[0\].package: unknown package 'DEPRESSON'"),
    ("share_of_base: 0.08", "share_of_base: 1.5",
     r"payments.rules\[0\].adjustments\[0\].share_of_base: Input should be less than or "
     r"equal to 1"),
    ("{kind: outcome, level: alarm}", "{kind: outcome, level: red}",
     r"payments.rules\[0\].adjustments\[0\].when\[1\].outcome.level: Input should be "
     r"'alarm' or 'alert'"),
    ("{kind: outcome, level: alarm}", "{kind: budget, objective: X}",
     r"payments.rules\[0\].adjustments\[0\].when\[1\]: Input tag 'budget' found using "
     r"'kind' does not match any of the expected tags"),
    ("{kind: outcome, level: alarm}", "{kind: target, objectives: [NO_SUCH]}",
     r"when\[1\].objectives\[0\]: 'NO_SUCH' is not an objective of objectives.yml \("),
    ("{kind: outcome, level: alarm}", "{kind: target, objectives: []}",
     r"when\[1\].target.objectives: List should have at least 1 item"),
    ("{kind: outcome, level: alarm}", "{kind: outcome, measures: [oks_total]}",
     r"when\[1\].measures\[0\]: 'oks_total' is not a measure of package DEPRESSION"),
    ("{kind: participation, min_rate: 0.50}",
     "{kind: participation, min_rate: 0.50, instruments: [OHS]}",
     r"when\[0\].instruments\[0\]: 'OHS' is not an instrument of package DEPRESSION"),
    ("          share_of_base: 0.02", "          per_episode: \"5.00\"",
     r"payments.rules\[0\].adjustments\[1\]: a withhold is a share of the base"),
    ('cap: {amount: "12000.00"}', 'cap: {amount: "12000.00", share_of_base: 0.1}',
     r"payments.rules\[0\].cap: give exactly one of amount"),
    ("    - package: HIP_KNEE", "    - package: DEPRESSION",
     r"payments.rules\[1\].sector: package DEPRESSION already has a rule for sector 'all'"),
])
def test_an_invalid_rule_names_file_and_key(defs_copy, old, new, expected):
    path = defs_copy / "payments.yml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(definitions.DefinitionError, match=expected):
        definitions.load(defs_copy)
    # a draft for the what-if is checked the same way
    with pytest.raises(definitions.DefinitionError, match=expected.replace("payments.yml: ", "")):
        whatif.load_rules(path, definitions.load(DEFS))
