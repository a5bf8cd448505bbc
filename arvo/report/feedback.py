"""One provider's feedback: its own record-level rows, peers only as (suppressed) aggregates.

Writes `<reports_dir>/<period>/providers/<provider_id>/`: `feedback.html`,
`rows_to_fix.csv` (its quarantined rows) and `episodes_to_complete.csv` (its episodes
missing a PROM).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from arvo.config import Settings
from arvo.messages import (
    DEFAULT_LANGUAGE,
    Joined,
    Message,
    check_language,
    joined,
    localized,
    msg,
    render_json,
)
from arvo.report.agenda import agendas, missing_months
from arvo.report.compliance import COMPLIANCE_ORDER, compliance_view
from arvo.report.files import write_csv, write_text
from arvo.report.formatting import environment, generated, window
from arvo.report.labels import (
    ENTITIES,
    EPISODE_STATUSES,
    STATUSES,
    Names,
    names,
    scope,
    timepoint,
)
from arvo.report.objectives import provider_objectives
from arvo.report.outcomes import funnel_groups, trends
from arvo.report.payments import provider_payments
from arvo.report.preview import late_count, period_status
from arvo.report.value import qaly_years, value_groups
from arvo.report.warehouse import FUNNEL, FUNNEL_ORDER, Warehouse, open_warehouse

HTML_ROWS_TO_FIX_LIMIT = 1000
"""At most this many rows to fix are listed in feedback.html; the CSV always has them all."""

HTML_EPISODES_LIMIT = 500
"""At most this many episodes per list in feedback.html; the CSV always has them all."""

CSV_COLUMNS = ("month", "entity", "source_file", "source_row", "record_id", "column_name",
               "rule", "reason")
"""Columns of rows_to_fix.csv: the provider's quarantined rows."""

EPISODE_CSV_COLUMNS = ("episode_id", "package_code", "instrument", "timepoint", "schedule",
                       "window_opens", "collect_by", "status", "note", "obligation_scope",
                       "obligation_code")
"""Columns of episodes_to_complete.csv: the provider's episodes missing a PROM. package_code
is the episode's package; obligation_scope (package | segment) and obligation_code name the
obligation the PROM is missing for (the package, or the client segment that binds it)."""

_SAFE_ID = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_.-]*$")


@dataclass(frozen=True)
class ProviderFeedback:
    """What one provider's feedback holds, and where it was written."""

    provider_id: str
    html_path: Path
    csv_path: Path
    failing_obligations: int
    """As the commissioner's report counts them (its index reads this): an obligation
    whose verdict would tell a count of 1 to 4 apart is not assessed there."""
    rows_to_fix: int
    episodes_csv_path: Path | None = None
    episodes_to_complete: int = 0
    lang: str = DEFAULT_LANGUAGE


def check_provider_id(provider_id: str) -> str:
    """`provider_id`, if it is safe as a folder name; ValueError otherwise."""
    if not isinstance(provider_id, str) or not _SAFE_ID.match(provider_id):
        raise ValueError(f"not a usable provider id: {provider_id!r}")
    return provider_id


def rows_to_fix(wh: Warehouse, period: str, provider_id: str,
                lang: str = DEFAULT_LANGUAGE) -> list[dict[str, Any]]:
    """The provider's rows to fix in `period`: its rows of mart_provider_rows_to_fix
    (quarantined rows of months up to the period, as the quarantine held them when the
    period was built), columns CSV_COLUMNS, the reason in `lang`, a missing value as ""."""
    check_provider_id(provider_id)
    rows = wh.rows("mart_provider_rows_to_fix", period, provider_id,
                   order_by="month, entity, source_file, source_row nulls first, "
                            "file_sha256, rule, column_name, record_id, reason")
    for r in rows:
        r["reason"] = render_json(r.get("reason_json"), lang, r["reason"])
    return [{c: "" if r.get(c) is None else r[c] for c in CSV_COLUMNS} for r in rows]


def said(rows: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    """Rows of the ingest log or the unread items with their `message` in `lang`."""
    return [{**r, "message": render_json(r.get("message_json"), lang, r["message"])}
            for r in rows]


def write_rows_to_fix(path: Path, rows: list[dict[str, Any]]) -> Path:
    """rows_to_fix.csv: the provider's quarantined rows, columns CSV_COLUMNS."""
    return write_csv(path, CSV_COLUMNS, ([r[c] for c in CSV_COLUMNS] for r in rows))


MISSING = ("collectable", "missed", "unpaired")
"""Statuses of mart_prom_obligation_episodes of a PROM still missing (the rest are met)."""


def episode_view(rows: list[dict[str, Any]], names: Names) -> list[dict[str, Any]]:
    """The provider's episodes missing a PROM: collectable first (by date), then missed;
    each `note` a message (empty when there is nothing to note)."""
    out = []
    for r in rows:
        if r["status"] not in MISSING:
            continue
        tp_fi, tp_en = timepoint(r["timepoint"])
        st_fi, st_en = EPISODE_STATUSES.get(r["status"], (r["status"], r["status"]))
        notes: list[Message] = []
        sc = scope(r, names)
        if sc["scope"] == "segment":
            notes.append(msg("client segment obligation ({segment}): binds all of the "
                             "client's episodes", segment=sc["scope_fi"]))
        if r["status"] == "unpaired":
            notes.append(msg("follow-up collected, but the same episode's baseline is "
                             "missing"))
        elif r["measure"] == "paired" and not r["baseline_collected"]:
            notes.append(msg("baseline missing too: the response makes no pair"))
        if r["cycle"]:
            notes.append(msg("schedule restarted (time {cycle}) after an acute episode",
                             cycle=r["cycle"]))
        note = joined(notes)
        out.append({
            **sc,
            "episode_id": r["episode_id"], "package_code": r["package_code"],
            "package_fi": names.package(r["package_code"])[0],
            "instrument_code": r["instrument"],
            "instrument": names.instrument(r["instrument"]),
            "timepoint": r["timepoint"], "timepoint_fi": tp_fi, "timepoint_en": tp_en,
            "schedule": r["cycle"], "window_opens": r["collection_opens"],
            "collect_by": r["collection_closes"], "status": r["status"],
            "status_fi": st_fi, "status_en": st_en, "note": note,
            "collectable": r["status"] == "collectable",
        })
    rank = {"collectable": 0, "missed": 1, "unpaired": 2}
    return sorted(out, key=lambda e: (rank[e["status"]],
                                      e["collect_by"] if e["collectable"] else date.min,
                                      e["package_code"], e["episode_id"],
                                      e["scope"] != "package", e["scope_code"], e["schedule"],
                                      e["instrument_code"], e["timepoint"]))


def write_episodes_to_complete(path: Path, episodes: list[dict[str, Any]],
                               lang: str = DEFAULT_LANGUAGE) -> Path:
    """episodes_to_complete.csv: the provider's episodes missing a PROM, by its own IDs,
    the note in `lang`."""
    return write_csv(path, EPISODE_CSV_COLUMNS, (
        [e["episode_id"], e["package_code"], e["instrument_code"], e["timepoint"],
         e["schedule"], e["window_opens"], e["collect_by"], e["status"],
         localized(e["note"], lang), e["scope"], e["scope_code"]] for e in episodes))


def advice(v: dict[str, Any], pairs: int, min_pairs: int | None) -> Message | Joined:
    """What a provider can do about one verdict, in a sentence or two."""
    if v["key"] == "worse":
        chance = (msg("The difference is too large to be explained by chance.")
                  if v["level"] == "alarm" else
                  msg("The difference may still be chance; follow the result next period."))
        return joined([chance, msg(
            "Review the care pathway: the content of care, the number of visits and "
            "referral to further care. Check the quality of your data too (rows to fix and "
            "episodes to complete below), as missing or wrong data can distort the result.")],
            " ")
    if v["key"] == "too_few_pairs":
        need = (msg("at least {n} pairs", n=min_pairs) if min_pairs
                else msg("enough pairs"))
        return msg("Collect the baseline and follow-up measurements on time so that the "
                   "episodes form pairs: the result is assessed once there are {need} (now "
                   "{pairs}).", need=need, pairs=pairs)
    if v["key"] == "better":
        return msg("The result is better than expected. Tell other providers how you work; "
                   "the commissioner can pass good practice on.")
    return msg("The result is as expected given your client mix. Keep collecting the "
               "follow-up measurements so that the result can be assessed in future too.")


def _issue_key(r: dict[str, Any]) -> tuple:
    record = r.get("record_id") or f"row {r.get('source_row')}"
    return (r["month"], r["entity"], str(r.get("source_file") or ""), str(record), r["rule"],
            r.get("column_name") or "")


def changes(wh: Warehouse, period: str, provider_id: str,
            obligations: list[dict[str, Any]], fix: list[dict[str, Any]],
            names: Names) -> dict[str, Any]:
    """New, resolved and persisting issues since the provider's previous steering period:
    obligations by the compliance mart, rows by mart_provider_rows_to_fix, both as the
    warehouse holds the previous period."""
    previous = wh.previous_period(period)
    out: dict[str, Any] = {"previous": previous}
    if previous is None:
        return out
    before = compliance_view(
        wh.rows("mart_prom_compliance", previous, provider_id,
                order_by=COMPLIANCE_ORDER), names, suppress_small=False)

    def key(o: dict[str, Any]) -> tuple[str, str, str, str]:
        return (o["scope"], o["scope_code"], o["instrument"], o["timepoint"])

    now_fail = {key(o): o for o in obligations if o["status"] == "fail"}
    then_fail = {key(o): o for o in before if o["status"] == "fail"}
    now_all = {key(o): o for o in obligations}
    out["obligations"] = {
        "new": [now_fail[k] for k in now_fail if k not in then_fail],
        "persisting": [{**now_fail[k], "previous_rate": then_fail[k]["rate"]}
                       for k in now_fail if k in then_fail],
        "resolved": [{**then_fail[k], "current": now_all.get(k)}
                     for k in then_fail if k not in now_fail],
    }
    now_rows = {_issue_key(r): r for r in fix}
    then_rows = {_issue_key(r): r for r in rows_to_fix(wh, previous, provider_id)}
    by_rule: dict[tuple[str, str, str], dict[str, int]] = defaultdict(
        lambda: {"new": 0, "resolved": 0, "persisting": 0})
    for k, r in now_rows.items():
        by_rule[(r["entity"], r["rule"], r.get("column_name") or "")][
            "persisting" if k in then_rows else "new"] += 1
    for k, r in then_rows.items():
        if k not in now_rows:
            by_rule[(r["entity"], r["rule"], r.get("column_name") or "")]["resolved"] += 1
    out["rules"] = [{"entity": e, "rule": ru, "column_name": c, **n}
                    for (e, ru, c), n in sorted(by_rule.items())]
    out["rows"] = {s: sum(r[s] for r in out["rules"])
                   for s in ("new", "resolved", "persisting")}
    out["any"] = bool(any(out["obligations"].values()) or any(out["rows"].values()))
    return out


def feedback_context(settings: Settings, period: str, provider_id: str,
                     lang: str | None = None, wh: Warehouse | None = None) -> dict[str, Any]:
    """Everything one provider's feedback shows: its own rows, peers only as aggregates.
    `all_rows_to_fix` holds every row to fix (`rows_to_fix` at most the HTML limit).
    `lang` is the report's language, by default the provider's (providers.yml `language`
    as mart_period_register holds it), else Finnish. `wh`: the warehouse already open
    (a batched one when rendering every provider's feedback), else it is opened here."""
    check_provider_id(provider_id)
    if wh is None:
        with open_warehouse(settings.warehouse) as opened:
            return feedback_context(settings, period, provider_id, lang, opened)
    known = names(settings, wh, period)
    lang = check_language(lang or known.language(provider_id) or DEFAULT_LANGUAGE)
    if lang != DEFAULT_LANGUAGE:
        known = names(settings, wh, period, lang)
    known = replace(known, instruments=wh.instrument_labels())
    version = wh.definitions_version(period)
    fix = rows_to_fix(wh, period, provider_id, lang)
    dq = said(wh.rows("mart_provider_data_quality", period, provider_id,
                      order_by="month, entity, source_file, status"), lang)
    unread = said(wh.rows("mart_provider_unrecognised_items", period, provider_id,
                          order_by="path"), lang)
    comp = wh.rows("mart_prom_compliance", period, provider_id,
                   order_by=COMPLIANCE_ORDER)
    outc = wh.rows(FUNNEL, period, order_by=FUNNEL_ORDER)
    history = wh.history(FUNNEL, period, provider_id, order_by=FUNNEL_ORDER)
    cost_rows = wh.rows("mart_provider_value", period, provider_id,
                        order_by="package_code")
    gain_rows = wh.rows("mart_provider_measure_value", period, provider_id,
                        order_by="package_code, instrument, measure")
    thresholds = wh.measure_thresholds()
    agreed = wh.rows("mart_meeting_agreements", period, provider_id,
                     order_by="meeting, agreement_row")
    paid = wh.rows("mart_provider_payments", period, provider_id,
                   order_by="package_code, line_order")
    attained = wh.rows("mart_objective_attainment", period, provider_id,
                       order_by="objective_code, scope_type, scope_id")
    episode_rows = wh.rows("mart_prom_obligation_episodes", period, provider_id,
                           order_by="package_code, episode_id, cycle, instrument, "
                                    "timepoint_order", only=("status", MISSING))
    obligations = compliance_view(comp, known, suppress_small=False)
    changed = changes(wh, period, provider_id, obligations, fix, known)
    targets = provider_objectives(wh, period, provider_id, known, lang)
    status = period_status(wh, period)
    win = window(period, lang)
    obligations.sort(key=lambda o: (o["scope"] != "package", o["scope_code"],
                                    o["timepoint_order"] or 0, o["timepoint"],
                                    o["instrument"]))
    mart_name = next((r["provider_name"] for r in (*dq, *comp, *outc)
                      if r["provider_id"] == provider_id and r["provider_name"]), None)
    verdicts = funnel_groups(outc, known, own=provider_id, lang=lang)
    for g in verdicts:
        for m in g["members"]:
            m["advice"] = advice(m["verdict"], m["pairs"], g["min_pairs"])
    failing = [o for o in obligations if o["status"] == "fail"]
    failing_shown = sum(o["status"] == "fail"
                        for o in compliance_view(comp, known, suppress_small=True))
    episodes = episode_view(episode_rows, known)
    collectable = [e for e in episodes if e["collectable"]]
    missed = [e for e in episodes if not e["collectable"]]
    files = []
    for r in dq:
        ent_fi, ent_en = ENTITIES.get(r["entity"], (r["entity"], r["entity"]))
        files.append({**r, "entity_fi": ent_fi, "entity_en": ent_en,
                      "status_fi": STATUSES.get(r["status"], r["status"]),
                      "received_at": r.get("received_at"), "due_by": r.get("due_by"),
                      "is_late": bool(r.get("is_late"))})
    sent_months = {r["month"] for r in dq}
    by_rule: dict[tuple[str, str, str], int] = defaultdict(int)
    for r in fix:
        by_rule[(r["entity"], r["rule"], r["column_name"])] += 1
    return {
        "lang": lang, "period": period, "window": win, "generated": generated(lang),
        "definitions": version, "period_state": status, "late_files": late_count(dq),
        "provider_id": provider_id, "provider_name": known.provider(provider_id, mart_name),
        "has_data": bool(dq or comp or verdicts),
        "obligations": obligations, "failing": failing, "failing_shown": failing_shown,
        "evaluated": sum(o["status"] in ("pass", "fail") for o in obligations),
        "within_noise": sum(o["within_noise"] for o in obligations),
        "episodes": episodes,
        "collectable": collectable[:HTML_EPISODES_LIMIT], "collectable_total": len(collectable),
        "missed": missed[:HTML_EPISODES_LIMIT], "missed_total": len(missed),
        "episodes_limit": HTML_EPISODES_LIMIT,
        "changes": changed,
        "verdicts": verdicts,
        "targets": targets,
        # every provider's rows: whether a period had peers enough to show the own
        # adjusted outcome (outcomes.trends keeps only the own rows after that)
        "trends": trends(wh.history(FUNNEL, period, order_by=FUNNEL_ORDER), known,
                         own=provider_id),
        "value": value_groups(cost_rows, gain_rows, known),
        "qaly_years": qaly_years(gain_rows), "thresholds": thresholds,
        "files": files,
        "rejected": [f for f in files if f["status"] == "rejected"],
        "standing": [f for f in files if f["status"] == "standing"],
        "unrecognised": unread,
        "totals": {c: sum(r.get(c) or 0 for r in dq)
                   for c in ("rows_in", "rows_accepted", "rows_quarantined", "blank_lines")},
        "missing_months": [m for m in win.months if m not in sent_months] if dq else [],
        "all_rows_to_fix": fix,
        "rows_to_fix": fix[:HTML_ROWS_TO_FIX_LIMIT], "rows_to_fix_total": len(fix),
        "rows_to_fix_limit": HTML_ROWS_TO_FIX_LIMIT,
        "by_rule": [{"entity": e, "rule": r, "column_name": c, "count": n}
                    for (e, r, c), n in sorted(by_rule.items(), key=lambda kv: -kv[1])],
        "entities": ENTITIES,
        "payments": provider_payments(settings, period, provider_id, lang, wh),
        "agenda": agendas(verdicts, obligations, history, dq,
                          missing_months(dq, [provider_id], win.months), agreed, known,
                          period, paid, attained, lang).get(provider_id),
    }


def render_provider_feedback(settings: Settings, period: str, provider_id: str,
                             lang: str | None = None, wh: Warehouse | None = None
                             ) -> ProviderFeedback:
    """Write `<reports_dir>/<period>/providers/<id>/`: feedback.html, rows_to_fix.csv and
    episodes_to_complete.csv, in `lang` (by default the provider's language), from `wh`
    when given (feedback_context)."""
    context = feedback_context(settings, period, provider_id, lang, wh)
    fix = context["all_rows_to_fix"]
    out_dir = Path(settings.reports_dir) / period / "providers" / provider_id
    html = environment(settings.templates_dir, context["lang"]).get_template(
        "provider_feedback.html.j2").render(**context)
    html_path = write_text(out_dir / "feedback.html", html)
    csv_path = write_rows_to_fix(out_dir / "rows_to_fix.csv", fix)
    episodes_path = write_episodes_to_complete(out_dir / "episodes_to_complete.csv",
                                               context["episodes"], context["lang"])
    return ProviderFeedback(provider_id, html_path, csv_path, context["failing_shown"], len(fix),
                            episodes_path, len(context["episodes"]), context["lang"])
