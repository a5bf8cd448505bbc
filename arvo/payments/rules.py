"""Payment rules (`definitions/payments.yml`, key `payments`): validated on load.

One rule per package and provider sector (`sector: all` unless a sector's own rule
replaces it, as obligations.yml does): a base price per episode, adjustments (an
`uplift` paid, or a `withhold` share of the base kept back, by conditions) and a cap on
the uplifts a provider is paid per package and period. Money is Decimal euros.

A condition is one of the `Condition` union below, told apart by `kind`: PROM
participation, the case-mix adjusted outcome, the obligations, and targets (objectives of
definitions/objectives.yml met). A new kind is one class added to the union and one
evaluator in `arvo.payments.compute.EVALUATORS` (docs/payments.md).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from arvo import prom_measures

Sector = Literal["all", "public", "private", "third"]
Euros = Annotated[Decimal, Field(ge=0, max_digits=16, decimal_places=2)]
Share = Annotated[Decimal, Field(ge=0, le=1, max_digits=6, decimal_places=4)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Participation(_Strict):
    """Baseline PROM participation of the provider's episodes of the package (the
    baseline `rate` of mart_prom_compliance: eligible episodes with a baseline response)
    at least `min_rate` on every listed instrument (default: every instrument the
    package's obligation collects). No eligible episode yet: met (nothing was due). An
    instrument with 1 to 4 eligible episodes is not judged, as the steering report does
    not assess it (docs/disclosure.md): it passes (`when_not_judged: met`, default) or
    fails (`not_met`)."""

    kind: Literal["participation"]
    min_rate: Share
    instruments: list[str] | None = None
    when_not_judged: Literal["met", "not_met"] = "met"


class Outcome(_Strict):
    """Case-mix adjusted outcome not significantly below average: on none of the measures
    (default the package's primary measures) a funnel flag at `level` or beyond in the
    worse direction (`alarm`: beyond 99.8 %, as NHS's Best Practice Tariff; `alert`:
    beyond 95 %). A provider with too few pairs to be judged passes (`when_not_judged:
    met`, default) or fails (`not_met`)."""

    kind: Literal["outcome"]
    level: Literal["alarm", "alert"] = "alarm"
    measures: list[str] | None = None
    when_not_judged: Literal["met", "not_met"] = "met"


class Obligations(_Strict):
    """Every PROM collection obligation of the package met (mart_prom_compliance
    `meets_obligation`, the Best Practice Tariff's pass rule with its allowance for
    sampling noise). An obligation with 1 to 4 eligible episodes is not judged, as the
    steering report does not assess it: it passes (`when_not_judged: met`, default) or
    fails (`not_met`)."""

    kind: Literal["obligations"]
    when_not_judged: Literal["met", "not_met"] = "met"


class Target(_Strict):
    """Every listed objective (definitions/objectives.yml) reads `met` for the provider
    (mart_objective_attainment, the provider's own row); with `accept_near`, `near` is
    enough. An objective not yet measurable for the provider (before it applies, too few
    clients or pairs) passes (`when_not_measurable: met`, default) or fails (`not_met`)."""

    kind: Literal["target"]
    objectives: list[str] = Field(min_length=1)
    accept_near: bool = False
    when_not_measurable: Literal["met", "not_met"] = "met"


Condition = Annotated[Participation | Outcome | Obligations | Target,
                      Field(discriminator="kind")]


class Adjustment(_Strict):
    """An uplift paid when every condition holds, or a share of the base withheld unless
    every condition holds."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    kind: Literal["uplift", "withhold"]
    per_episode: Euros | None = None
    share_of_base: Share | None = None
    when: list[Condition] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_amount(self) -> Adjustment:
        if (self.per_episode is None) == (self.share_of_base is None):
            raise ValueError("give exactly one of per_episode (euros per episode) and "
                             "share_of_base (0-1)")
        if self.kind == "withhold" and self.per_episode is not None:
            raise ValueError("a withhold is a share of the base: give share_of_base (0-1)")
        return self


class Cap(_Strict):
    """The most a provider's uplifts of the package may add in a period: `amount` euros
    or `share_of_base` of its base amount."""

    amount: Euros | None = None
    share_of_base: Share | None = None

    @model_validator(mode="after")
    def _one_limit(self) -> Cap:
        if (self.amount is None) == (self.share_of_base is None):
            raise ValueError("give exactly one of amount (euros) and share_of_base (0-1)")
        return self


class PaymentRule(_Strict):
    package: str
    sector: Sector = "all"
    base_per_episode: Euros
    adjustments: list[Adjustment] = []
    cap: Cap | None = None

    @model_validator(mode="after")
    def _unique_names(self) -> PaymentRule:
        names = [a.name for a in self.adjustments]
        if len(set(names)) != len(names):
            raise ValueError("two adjustments share a name")
        return self


class PaymentRules(_Strict):
    """Every payment rule; `rule_for` picks the one that applies to a provider."""

    rules: list[PaymentRule] = []

    def rule_for(self, package: str, sector: str) -> PaymentRule | None:
        """The sector's own rule for the package, else its `all` rule, else None."""
        by_key = {(r.package, r.sector): r for r in self.rules}
        return by_key.get((package, sector)) or by_key.get((package, "all"))


def cross_check(rules: PaymentRules, packages: dict[str, list[str]],
                objectives: set[str] = frozenset()) -> tuple[str, str] | None:
    """(key, problem) for the first rule naming an unknown package, instrument, measure or
    objective, or a package x sector given twice; None when the rules fit the definitions.
    `packages`: package code -> its instruments; `objectives`: the objectives' codes."""
    measures = prom_measures.measures_by_instrument()
    seen: dict[tuple[str, str], int] = {}
    for i, rule in enumerate(rules.rules):
        if rule.package not in packages:
            return (f"payments.rules[{i}].package",
                    f"unknown package {rule.package!r} (packages.yml has "
                    f"{', '.join(sorted(packages))})")
        if (rule.package, rule.sector) in seen:
            return (f"payments.rules[{i}].sector",
                    f"package {rule.package} already has a rule for sector {rule.sector!r} "
                    f"(payments.rules[{seen[(rule.package, rule.sector)]}]); one per "
                    "package and sector")
        seen[(rule.package, rule.sector)] = i
        instruments = packages[rule.package]
        known = [ms for inst in instruments for ms in measures.get(inst, [])]
        # per list a condition may name: what it may hold, and how a stranger is told
        allowed = {
            "instruments": (instruments, f"is not an instrument of package {rule.package} "
                                         f"({', '.join(instruments)})"),
            "objectives": (objectives, "is not an objective of objectives.yml ("
                                       f"{', '.join(sorted(objectives)) or 'none defined'})"),
            "measures": (known, f"is not a measure of package {rule.package}'s instruments "
                                f"({', '.join(known)})"),
        }
        for j, adj in enumerate(rule.adjustments):
            for k, cond in enumerate(adj.when):
                for field, (values, problem) in allowed.items():
                    for m, value in enumerate(getattr(cond, field, None) or []):
                        if value not in values:
                            return (f"payments.rules[{i}].adjustments[{j}].when[{k}]"
                                    f".{field}[{m}]", f"{value!r} {problem}")
    return None


def from_table(frame) -> PaymentRules:
    """The rules back from their compiled table (stg_definitions__payment_rules:
    package_code, sector, rule_json; arvo.definition_tables)."""
    return PaymentRules(rules=[PaymentRule.model_validate_json(j)
                               for j in frame["rule_json"]])
