"""Renewal proposals: what the next definitions version should change, and why.

Each rule reads the follow-up's evaluation (arvo.follow_up.evaluate) and the definitions
the span ran on, and proposes a change (file, key, old -> new) or an item for the agenda
(no change), with its reason and the figures behind it. The rules and their sources are
in docs/follow-up.md; every threshold is a constant here. `arvo.follow_up.draft` writes
the changes as a draft definitions version.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from arvo.definitions import Definitions
from arvo.follow_up.evaluate import Evaluation
from arvo.messages import Message, msg
from arvo.report.disclosure import is_small, share_is_small
from arvo.report.objectives import HIDDEN, status

TIGHTEN_STEP = {"rate": 0.05, "mean": 0.01}
"""A tightened target is the 95 % bound rounded toward the old target to this step."""

OBLIGATION_STEP = 0.05
OBLIGATION_ROOM = 0.10
"""A package obligation's baseline minimum, when the region's Wilson lower bound is at
least OBLIGATION_ROOM above it in the first and the last period, is raised to the last
period's bound rounded down to OBLIGATION_STEP (at most OBLIGATION_CEILING)."""
OBLIGATION_CEILING = 0.95

EXTEND_MIN_CLIENTS = 100
EXTEND_MIN_COVERAGE = 0.10
"""A segment obligation is extended to a further segment with at least EXTEND_MIN_CLIENTS
clients at P2 of whom at least EXTEND_MIN_COVERAGE already have a pair on the instrument
(their packages' obligations collect it: collection is feasible)."""

MANY_FAILING = 2
MANY_FAILING_SHARE = 0.25
"""An obligation missed at P2 by at least MANY_FAILING providers and this share of those
judged goes on the agenda unchanged."""

NEW_OBJECTIVE_MIN_N = 10
"""A package or segment with at least this many pairs at P2 (the objectives' default
min_n) and no objective gets one at its current level."""

NOT_SHOWN = "not shown: it rests on, or would give away, a count of 1 to 4 episodes"
"""A figure of a proposal that rests on 1 to 4 episodes, or a share whose numerator or
rest is 1 to 4 (docs/follow-up.md "Disclosure"): the rule still uses it, the proposal
does not show it."""

STATUS = {"near": msg("near"), "missed": msg("not achieved")}
"""An objective's status in the words of the reports."""

@dataclass
class Proposal:
    """One proposal: a change of the definitions (file, key, old -> new) or, with no
    change, an item for the agenda; its reason and the figures behind it."""

    kind: str
    subject: str
    reason: Message
    figures: dict[str, Any]
    file: str | None = None
    key: str | None = None
    old: Any = None
    new: Any = None
    edit: dict[str, Any] = field(default_factory=dict)

    @property
    def changes(self) -> bool:
        return bool(self.edit)

    def as_yaml(self) -> dict[str, Any]:
        out = {"kind": self.kind, "subject": self.subject}
        if self.changes:
            out.update({"file": self.file, "key": self.key, "old": self.old, "new": self.new})
        return {**out, "reason": str(self.reason), "figures": self.figures}


def _r(x: float | None, k: int = 3) -> float | None:
    return None if x is None else round(float(x), k)


def _toward(bound: float, step: float, down: bool) -> float:
    """`bound` rounded to `step` toward the old target (down for at_least)."""
    q = bound / step
    return round((math.floor(q + 1e-9) if down else math.ceil(q - 1e-9)) * step, 6)


def propose(ev: Evaluation, defs: Definitions, in_force_from: str) -> list[Proposal]:
    """Every proposal of the rules, in the order of docs/follow-up.md."""
    ob = obligations(ev, defs)
    raised = {tuple(p.subject.split("/")): p.new for p in ob if p.kind == "raise_obligation"}
    return [*targets(ev, defs), *ob, *widen(ev, defs, in_force_from),
            *payments(ev, defs, raised)]


def _align(ev: Evaluation, defs: Definitions, raised: dict[tuple, float]) -> list[Proposal]:
    """Participation conditions of uplifts below the minimum of the package's obligation
    (as the new version has it), when the span paid the uplift to a provider whose
    baseline participation was below that minimum."""
    out = []
    for i, rule in enumerate(defs.payments.rules):
        entry = next((ob for ob in defs.obligations if ob.package == rule.package
                      and ob.sector == rule.sector), None) or next(
            (ob for ob in defs.obligations if ob.package == rule.package
             and ob.sector == "all"), None)
        if entry is None:
            continue
        minimum = float(entry.min_baseline_rate)  # in force during the span
        new = raised.get((entry.package, entry.sector), minimum)  # in the new version
        for j, adj in enumerate(rule.adjustments):
            for k, cond in enumerate(adj.when):
                if (adj.kind != "uplift" or getattr(cond, "kind", None) != "participation"
                        or float(cond.min_rate) >= minimum):
                    continue
                under = [u for u in ev.payments.get("uplifts_paid", [])
                         if u["package_code"] == rule.package
                         and u["rule_sector"] == rule.sector and u["adjustment"] == adj.name
                         and u["rate"] is not None and float(u["rate"]) < minimum]
                if not under:
                    continue
                paid = sum((Decimal(str(u["amount_eur"])) for u in under), Decimal("0.00"))
                subject = f"{rule.package}/{rule.sector}/{adj.name}"
                # a rate or a sum resting on 1 to 4 episodes is not shown
                small = any(share_is_small(u["collected"], u["eligible"])
                            or is_small(u["episodes"]) for u in under)
                args = {"adjustment": adj.name, "package": rule.package, "n": len(under),
                        "periods": f"{ev.first}..{ev.last}", "minimum": minimum,
                        "old": float(cond.min_rate), "new": new}
                out.append(Proposal(
                    "align_payment", subject,
                    msg("The {adjustment} of {package} was paid {n} times in {periods} to "
                        "providers whose baseline participation was below the obligation's "
                        "minimum {minimum} (their rates and the sum paid rest on fewer than "
                        "5 episodes and are not shown): let the uplift's participation "
                        "threshold follow the obligation, {old} -> {new}.", **args)
                    if small else
                    msg("The {adjustment} of {package} was paid {n} times in {periods} to "
                        "providers whose baseline participation was below the obligation's "
                        "minimum {minimum} (lowest {lowest}; {paid} EUR): let the uplift's "
                        "participation threshold follow the obligation, {old} -> {new}.",
                        **args, lowest=_r(min(float(u["rate"]) for u in under)),
                        paid=str(paid)),
                    {"provider_periods": [
                        f"{u['period']} {u['provider_id']} " + (
                            NOT_SHOWN if share_is_small(u["collected"], u["eligible"])
                            else str(_r(float(u["rate"])))) for u in under],
                     "paid_eur": NOT_SHOWN if small else str(paid),
                     "obligation_minimum": minimum, "new_minimum": new},
                    "payments.yml", f"payments.rules[{i}].adjustments[{j}].when[{k}].min_rate",
                    float(cond.min_rate), new,
                    {"op": "set", "path": ["payments", "rules", i, "adjustments", j, "when", k,
                                           "min_rate"], "value": new}))
    return out


def _told(r: dict | None) -> bool:
    """Whether the reports hide a row's status (arvo.report.objectives.status)."""
    return bool(r) and status(r) == HIDDEN


def targets(ev: Evaluation, defs: Definitions) -> list[Proposal]:
    """A target missed at P2 is kept (near ones flagged); one met at P2 by the scope and by
    every provider judged whose status the reports show (at least one), with the 95 %
    bound beyond the target, is tightened. No proposal where the scope's status is not
    shown: its kind would tell it (docs/follow-up.md "Disclosure")."""
    out = []
    codes = [o.code for o in defs.objectives]
    scopes = {u["objective_code"]: u for u in ev.objectives if u["scope_type"] != "provider"}
    for code in codes:
        unit = scopes.get(code)
        r = unit and unit["series"][-1]
        if not r or r["status"] == "not_measurable" or _told(r):
            continue
        judged = [u["series"][-1] for u in ev.objectives
                  if u["objective_code"] == code and u["scope_type"] == "provider"
                  and u["series"][-1] and u["series"][-1]["status"] != "not_measurable"]
        providers = [p for p in judged if not _told(p)]  # a hidden status counts neither way
        # no figure of a hidden share; no count of periods met beside a hidden status
        hidden = r["successes"] is not None and share_is_small(r["successes"], r["n"])
        met_shown = not any(_told(s) for s in unit["series"])
        figures = {"period": ev.last, "value": NOT_SHOWN if hidden else _r(r["value"]),
                   "ci_lower": NOT_SHOWN if hidden else _r(r["ci_lower"]),
                   "ci_upper": NOT_SHOWN if hidden else _r(r["ci_upper"]), "n": r["n"],
                   "target": _r(r["target"]), "status": r["status"],
                   "periods_met": unit["periods_met"] if met_shown else NOT_SHOWN,
                   "periods": len(ev.periods), "providers_judged": len(judged),
                   "providers_not_shown": len(judged) - len(providers),
                   "providers_met": sum(p["status"] == "met" for p in providers)}
        if r["status"] in ("missed", "near"):
            kind = "near_target" if r["status"] == "near" else "keep_target"
            if hidden or not met_shown:
                out.append(Proposal(kind, code, msg(
                    "{objective} {status} at {period} against the target {target}; its "
                    "figures would give away a count of 1 to 4 and are not shown. Keep the "
                    "target and take it to the providers.", objective=code,
                    status=STATUS[r["status"]], period=ev.last, target=figures["target"]),
                    figures))
                continue
            out.append(Proposal(
                kind, code,
                msg("{objective} {status} at {period}: {value} against the target {target} "
                    "(95 % interval {lower} to {upper}, n {n}); met in {met} of {periods} "
                    "periods. Keep the target and take it to the providers.",
                    objective=code, status=STATUS[r["status"]], period=ev.last,
                    value=figures["value"],
                    target=figures["target"], lower=figures["ci_lower"],
                    upper=figures["ci_upper"], n=r["n"], met=unit["periods_met"],
                    periods=len(ev.periods)), figures))
            continue
        at_least = r["comparison"] != "at_most"
        bound = r["ci_lower"] if at_least else r["ci_upper"]
        # a hidden share's bound would show through the new target
        if (r["target_kind"] != "value" or bound is None or hidden or not providers
                or figures["providers_met"] != len(providers)):
            continue  # "every provider met it" needs at least one provider judged
        step = TIGHTEN_STEP["mean" if r["measure"] == "mean_gain" else "rate"]
        new = _toward(bound, step, down=at_least)
        if r["measure"] != "mean_gain":
            new = min(max(new, 0.0), 1.0)
        if (new <= r["target"]) if at_least else (new >= r["target"]):
            continue
        index = codes.index(code)
        args = {"objective": code, "period": ev.last, "value": figures["value"],
                "lower": figures["ci_lower"], "upper": figures["ci_upper"], "n": r["n"],
                "providers": len(providers), "target": figures["target"], "new": new}
        out.append(Proposal(
            "tighten_target", code,
            msg("{objective} met at {period} by the scope ({value}, 95 % interval {lower} to "
                "{upper}, n {n}) and by all {providers} providers judged; the bound is beyond "
                "the target {target}: raise the target to {new} (the bound rounded toward the "
                "old target).", **args) if len(providers) == len(judged) else
            msg("{objective} met at {period} by the scope ({value}, 95 % interval {lower} to "
                "{upper}, n {n}) and by all {providers} providers judged whose status is "
                "shown ({hidden} not shown: it would give away a count of 1 to 4); the bound "
                "is beyond the target {target}: raise the target to {new} (the bound rounded "
                "toward the old target).", **args, hidden=len(judged) - len(providers)),
            {**figures, "payment_rules": _paying(defs, code)}, "objectives.yml",
            f"objectives[{index}].target", r["target"], new,
            {"op": "set", "path": ["objectives", index, "target"], "value": new}))
    return out


def _paying(defs: Definitions, code: str) -> list[str]:
    """The payment rules (package/sector/adjustment) with a target condition on `code`."""
    found = []
    for rule in defs.payments.rules:
        for adj in rule.adjustments:
            if any(getattr(c, "kind", None) == "target" and code in c.objectives
                   for c in adj.when):
                found.append(f"{rule.package}/{rule.sector}/{adj.name}")
    return found


def obligations(ev: Evaluation, defs: Definitions) -> list[Proposal]:
    """Extend a segment obligation to a further segment; put an obligation missed by many
    providers on the agenda; raise a baseline minimum every provider keeps with room."""
    return [*_extend(ev, defs), *_agenda(ev), *_raise(ev, defs)]


def _extend(ev: Evaluation, defs: Definitions) -> list[Proposal]:
    entries = [(i, ob) for i, ob in enumerate(defs.obligations) if ob.segment]
    bound = {ob.segment for _, ob in entries}
    sizes = {s["segment_code"]: s for s in ev.segments["sizes"] if s["period"] == ev.last}
    paired = {(o["segment_code"], o["instrument"]): o["pairs"] or 0
              for o in ev.segments["outcomes"] if o["period"] == ev.last}
    out = []
    for source in sorted(bound):
        own = [(i, ob) for i, ob in entries if ob.segment == source]
        # the first of the obligation's instruments with pairs in the period
        instrument = next((i for i in own[0][1].instruments
                           if any(k[1] == i for k in paired)), None)
        if instrument is None:
            continue
        best = None
        for code, s in sizes.items():
            if code in bound or (s["clients"] or 0) < EXTEND_MIN_CLIENTS:
                continue
            pairs = paired.get((code, instrument), 0)
            coverage = pairs / s["clients"]
            if coverage >= EXTEND_MIN_COVERAGE and (best is None or coverage > best[1]):
                best = (code, coverage, pairs, s["clients"])
        if best is None:
            continue
        code, coverage, pairs, clients = best
        bound.add(code)  # one extension per segment, whichever obligation it copies
        items = []
        for _, ob in own:
            item = ob.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
            item.pop("package", None)
            item["rationale"] = (
                f"Extended from the {source} segment's obligation by the follow-up of "
                f"{ev.first}..{ev.last}: {clients} clients at {ev.last}, {coverage:.0%} of "
                f"them already with a {instrument} pair from their packages' obligations.")
            items.append({"segment": code, **{k: v for k, v in item.items() if k != "segment"}})
        out.append(Proposal(
            "extend_obligation", f"segment:{code}",
            msg("Extend the {source} segment's {instrument} obligation to {segment}: "
                "{clients} clients at {period}, {pairs} of them ({coverage}) already with a "
                "{instrument} pair from their packages' obligations, so collection is "
                "feasible.", source=source, instrument=instrument, segment=code,
                clients=clients, period=ev.last, pairs=pairs, coverage=f"{coverage:.0%}"),
            {"period": ev.last, "segment": code, "clients": clients, "pairs": pairs,
             "coverage": _r(coverage), "from_segment": source, "instrument": instrument},
            "obligations.yml", "obligations[+]", None, items,
            {"op": "append", "path": ["obligations"], "items": items}))
    return out


def _agenda(ev: Evaluation) -> list[Proposal]:
    out = []
    for rule in ev.obligations["rules"]:
        last = rule["periods"][ev.last]
        if (last["failed"] >= MANY_FAILING and last["judged"]
                and last["failed"] / last["judged"] >= MANY_FAILING_SHARE):
            subject = f"{rule['scope_code']}/{rule['instrument']}/{rule['timepoint']}"
            out.append(Proposal(
                "obligation_on_agenda", subject,
                msg("{obligation} missed at {period} by {failed} of {judged} providers "
                    "judged: keep the obligation and put it on the agenda of the steering "
                    "dialogue.", obligation=subject, period=ev.last, failed=last["failed"],
                    judged=last["judged"]),
                {"period": ev.last, "failed": last["failed"], "judged": last["judged"],
                 "providers": last["failing"],
                 **{k: rule[k] for k in ("scope", "scope_code", "instrument", "timepoint")}}))
    return out


def _raise(ev: Evaluation, defs: Definitions) -> list[Proposal]:
    """Baseline minimums of package obligations the region exceeds with room in the first
    and the last period: raised toward the region's level, with the providers that would
    then fail and what the package's payment rules would do to them."""
    from arvo.follow_up.trends import wilson

    def entries(period: str) -> dict[tuple, dict[str, Any]]:
        return {(r["package_code"], r["obligation_sector"]): r
                for r in ev.obligations.get("baselines", {}).get(period, [])}

    first, last = entries(ev.first), entries(ev.last)
    out = []
    for i, ob in enumerate(defs.obligations):
        a, r = first.get((ob.package, ob.sector)), last.get((ob.package, ob.sector))
        if not ob.package or not a or not r or not a["eligible"] or not r["eligible"]:
            continue
        old = float(ob.min_baseline_rate)
        lower = wilson(r["collected"], r["eligible"])[0]
        if min(wilson(a["collected"], a["eligible"])[0], lower) < old + OBLIGATION_ROOM:
            continue
        new = min(_toward(lower, OBLIGATION_STEP, down=True), OBLIGATION_CEILING)
        if new <= old:
            continue
        newly = sorted(p for p, upper in r["uppers"].items()
                       if upper < new and r["passing"].get(p))
        effects = _payment_effects(defs, ev, ob.package, newly)
        args = {"package": ob.package, "sector": ob.sector, "period": ev.last,
                "start": ev.first, "old": old, "new": new, "failing": ", ".join(newly) or "-",
                "payments": "; ".join(f"{e['provider_id']} {e['rule']} {e['change_eur']}"
                                      for e in effects) or "-"}
        # the counts, the rates and the bound (a function of the counts) are shown only
        # when neither period's share rests on 1 to 4 episodes, collected or not
        if share_is_small(r["collected"], r["eligible"]) or share_is_small(a["collected"],
                                                                           a["eligible"]):
            figures = {"period": ev.last, "collected": NOT_SHOWN}
            reason = msg(
                "The region collected the {package} ({sector}) baselines at {period} and at "
                "{start} well above the minimum {old}, beyond sampling noise (its counts "
                "rest on fewer than 5 episodes collected or not and are not shown): raise "
                "it to {new}. Providers that would then fail it beyond sampling noise: "
                "{failing}; payments that would change: {payments}.", **args)
        else:
            figures = {"period": ev.last, "collected": r["collected"],
                       "eligible": r["eligible"], "rate": _r(r["collected"] / r["eligible"]),
                       "ci_lower": _r(lower),
                       "first_period_rate": _r(a["collected"] / a["eligible"])}
            reason = msg(
                "The region collected the {package} ({sector}) baselines of {collected} of "
                "{eligible} eligible episodes at {period} (95 % lower bound {lower}; "
                "{first} at {start}), well above the minimum {old}: raise it to {new}. "
                "Providers that would then fail it beyond sampling noise: {failing}; "
                "payments that would change: {payments}.", **args,
                collected=r["collected"], eligible=r["eligible"], lower=_r(lower),
                first=figures["first_period_rate"])
        figures |= {"would_newly_fail": newly, "payment_effects": effects}
        out.append(Proposal(
            "raise_obligation", f"{ob.package}/{ob.sector}", reason,
            figures, "obligations.yml", f"obligations[{i}].min_baseline_rate", old, new,
            {"op": "set", "path": ["obligations", i, "min_baseline_rate"], "value": new}))
    return out


def _payment_effects(defs: Definitions, ev: Evaluation, package: str,
                     providers: list[str]) -> list[dict[str, Any]]:
    """What the package's payment adjustments with an obligations condition would do to
    providers that newly fail it, at the last period's base: a withhold keeps back its
    share (exact euros; not shown on a base of 1 to 4 episodes); an uplift is no longer
    paid."""
    out = []
    for rule in defs.payments.rules:
        if rule.package != package:
            continue
        for adj in rule.adjustments:
            if not any(getattr(c, "kind", None) == "obligations" for c in adj.when):
                continue
            for p in providers:
                base = ev.payments.get("last_base", {}).get((p, package))
                if base is None:
                    continue
                if adj.kind == "withhold":
                    change = -(base["amount_eur"] * Decimal(str(adj.share_of_base))
                               ).quantize(Decimal("0.01"))
                    out.append({"provider_id": p, "rule": f"{package}/{adj.name}",
                                "change_eur": NOT_SHOWN if is_small(base["episodes"])
                                else str(change)})
                else:
                    out.append({"provider_id": p, "rule": f"{package}/{adj.name}",
                                "change_eur": "uplift not paid"})
    return out


def widen(ev: Evaluation, defs: Definitions, in_force_from: str) -> list[Proposal]:
    """A package or segment with enough pairs and no objective gets one at its level."""
    scoped = {(o.package or o.segment) for o in defs.objectives}
    out = []
    for p in ev.outcomes["packages"]:
        s = p["series"][-1]
        if p["package_code"] in scoped or not s or s["n"] < NEW_OBJECTIVE_MIN_N:
            continue
        gain = s["mean"] if p["higher_is_better"] else -s["mean"]
        scoped.add(p["package_code"])
        out.append(_new_objective(ev, "package", p["package_code"], p["instrument"], gain,
                                  s["n"], len(defs.objectives) + len(out), in_force_from))
    # the segments in order of priority; of a segment's instruments, the first by code
    # with enough pairs (mart_segment_outcomes' order)
    for o in ev.segments["outcomes"]:
        if o["period"] != ev.last or o["segment_code"] in scoped:
            continue
        n, mean, better = o["pairs"] or 0, o["change_mean"], o["higher_is_better"]
        if n >= NEW_OBJECTIVE_MIN_N and mean is not None and better is not None:
            # no direction in the seed: no target set on a guessed one
            gain = float(mean) if better else -float(mean)
            scoped.add(o["segment_code"])
            out.append(_new_objective(ev, "segment", o["segment_code"], o["instrument"], gain,
                                      n, len(defs.objectives) + len(out), in_force_from))
    return out


def _new_objective(ev: Evaluation, scope: str, code: str, instrument: str, gain: float,
                   n: int, index: int, in_force_from: str) -> Proposal:
    target = _toward(gain, TIGHTEN_STEP["mean"], down=True)
    item = {"code": f"{code}_{instrument}_GAIN"[:40],
            "name_fi": f"{code}: {instrument}-muutos vähintään nykyisellä tasolla",
            "name_en": f"{code}: {instrument} gain at least at its current level",
            "name_sv": f"{code}: förändringen i {instrument} minst på nuvarande nivå",
            scope: code, "measure": "mean_gain", "instrument": instrument,
            "comparison": "at_least", "target": target, "near": TIGHTEN_STEP["mean"],
            "applies_from": in_force_from, "min_n": NEW_OBJECTIVE_MIN_N,
            "source": f"follow-up {ev.first}..{ev.last}: the level at {ev.last} "
                      f"({gain:+.3f}, {n} pairs), rounded toward worse"}
    return Proposal(
        "new_objective", f"{scope}:{code}",
        msg("{scope} {code} has {n} {instrument} pairs at {period} and no objective: steer it "
            "with one at its current level, a mean gain of at least {target} (now {gain}).",
            scope=scope, code=code, n=n, instrument=instrument, period=ev.last,
            target=target, gain=_r(gain)),
        {"period": ev.last, "pairs": n, "mean_gain": _r(gain)}, "objectives.yml",
        f"objectives[{index}]", None, item,
        {"op": "append", "path": ["objectives"], "items": [item]})


def payments(ev: Evaluation, defs: Definitions | None = None,
             raised: dict[tuple, float] | None = None) -> list[Proposal]:
    """An uplift no provider ever reached, or a withhold every provider triggered, over the
    span: review it (no automatic change). An uplift paid to providers whose baseline
    participation was below the package's obligation: its participation threshold follows
    the obligation's minimum (`align_payment`)."""
    out = _align(ev, defs, raised or {}) if defs is not None else []
    for a in ev.payments["adjustments"]:
        subject = f"{a['package_code']}/{a['rule_sector']}/{a['adjustment']}"
        figures = {"provider_periods": a["provider_periods"], "providers": a["providers"],
                   "conditions_met": a["conditions_met"], "applied": a["applied"],
                   "amount_eur": str(a["amount_eur"]), "failed": a["failed_conditions"]}
        if a["line"] == "uplift" and a["conditions_met"] == 0:
            out.append(Proposal("review_payment", subject, msg(
                "No provider reached the {adjustment} of {package} in {n} provider periods "
                "({periods}); failed: {failed}. Review the conditions with the providers.",
                adjustment=a["adjustment"], package=a["package_code"],
                n=a["provider_periods"], periods=f"{ev.first}..{ev.last}",
                failed=a["failed_conditions"] or "-"), figures))
        elif a["line"] == "withhold" and a["applied"] == a["provider_periods"]:
            out.append(Proposal("review_payment", subject, msg(
                "Every provider had the {adjustment} of {package} kept back in all {n} "
                "provider periods ({periods}); failed: {failed}. Review whether the rule "
                "steers.", adjustment=a["adjustment"], package=a["package_code"],
                n=a["provider_periods"], periods=f"{ev.first}..{ev.last}",
                failed=a["failed_conditions"] or "-"), figures))
    return out
