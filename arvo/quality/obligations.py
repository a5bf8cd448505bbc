"""Great Expectations enforces the PROM collection obligations on a period's compliance rows.

The pass rule lives once, in the warehouse: `mart_prom_compliance.meets_obligation` (the
NHS Best Practice Tariff manner: an obligation is not met only when the rate is below the
threshold and the shortfall is beyond sampling noise, i.e. the upper bound of the Wilson
95 % interval of the rate is below it). After dbt has built the marts, `check(settings,
period)`:

1. reads the period's rows of `mart_prom_compliance` from the warehouse into pandas, plus
   one row with no eligible episode for every provider x obligation whose windows are all
   still open (from `mart_prom_obligation_episodes`);
2. builds one expectation per measure (participation, paired) from its template in
   `expectations/suites/obligations.json`: `meets_obligation` must be true on the rows of
   every obligation of `definitions/obligations.yml` ((package or segment) x sector x
   instrument x timepoint) of that measure; each row's result carries its obligation's
   Data Quality Dashboard metadata (category, subcategory, severity, threshold,
   rationale);
3. runs the suite (`arvo.quality.gx`) and stores one result per provider x obligation with
   a status: passed, failed, not_applicable (no eligible episode) or error (the
   expectation could not be evaluated), in the warehouse table `obligation_results`
   (the period's rows replaced on a rerun), where dbt (source `checks`) and the reports
   read them.

A steering run with worker processes calls `check_in_run`: the check runs in a worker
forked from arvo.forked's server, which has Great Expectations imported, so that the
run's own process never imports it. No Prefect here: `flows.steering` wraps
`check_in_run` as a task.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from arvo import definitions, forked
from arvo.config import Settings
from arvo.definitions import Definitions
from arvo.quality import gx

SUITE = "obligations"
TABLE = "obligation_results"
"""The warehouse table of the results, one row per period x provider x obligation."""
STATUSES = ("passed", "failed", "not_applicable", "error")
KEY = ["provider_id", "scope", "scope_code", "instrument", "timepoint"]
SEGMENT_RULE_PREFIX = "segment:"
"""A segment obligation's rule is `segment:<SEGMENT>/<sector>/<INSTRUMENT>/<timepoint>`; a
package obligation's `<PACKAGE>/<sector>/<INSTRUMENT>/<timepoint>`."""

RESULT_SCHEMA = pa.schema([
    ("period", pa.string()), ("provider_id", pa.string()), ("provider_name", pa.string()),
    ("package_code", pa.string()), ("scope", pa.string()), ("scope_code", pa.string()),
    ("obligation_sector", pa.string()),
    ("instrument", pa.string()), ("timepoint", pa.string()), ("rule", pa.string()),
    ("expectation", pa.string()), ("column_name", pa.string()), ("category", pa.string()),
    ("subcategory", pa.string()), ("severity", pa.string()), ("threshold", pa.float64()),
    ("rationale", pa.string()), ("eligible_episodes", pa.int64()), ("collected", pa.int64()),
    ("rate", pa.float64()), ("rate_ci_upper", pa.float64()), ("status", pa.string()),
    ("message", pa.string()), ("checked_at", pa.timestamp("us")),
    ("definitions_version", pa.string()),
])

_COMPLIANCE_COLUMNS = ("provider_id", "provider_name", "scope", "scope_code", "package_code",
                       "instrument", "timepoint", "eligible_episodes", "collected", "rate",
                       "rate_ci_upper", "min_rate", "meets_obligation")


@dataclass(frozen=True)
class Obligation:
    """One obligation as checked: an entry's instrument x timepoint."""

    rule: str  # [segment:]scope_code/sector/instrument/timepoint
    package_code: str | None  # None for a segment obligation
    sector: str
    instrument: str
    timepoint: str
    measure: str
    threshold: float
    severity: str
    rationale: str | None
    scope: str = "package"  # package | segment
    scope_code: str = ""  # the package's or the segment's code


def rule_of(scope: str, scope_code: str, sector: str, instrument: str, timepoint: str) -> str:
    """The rule naming one obligation (see SEGMENT_RULE_PREFIX)."""
    prefix = SEGMENT_RULE_PREFIX if scope == "segment" else ""
    return f"{prefix}{scope_code}/{sector}/{instrument}/{timepoint}"


@dataclass(frozen=True)
class CheckSummary:
    """What `check` found and where it stored the results."""

    period: str
    path: Path
    passed: int
    failed: int
    not_applicable: int
    error: int

    @property
    def text(self) -> str:
        return (f"obligations {self.period}: {self.passed} passed, {self.failed} failed, "
                f"{self.not_applicable} not applicable, {self.error} error")


def obligations_of(defs: Definitions) -> list[Obligation]:
    """Every obligation of the definitions: entry x instrument x timepoint (repeats expanded)."""
    out = []
    for ob in defs.obligations:
        for inst in ob.instruments:
            for tp in ob.schedule():
                out.append(Obligation(rule_of(ob.scope, ob.scope_code, ob.sector, inst, tp.name),
                                      ob.package, ob.sector, inst, tp.name, tp.measure,
                                      tp.min_rate, ob.severity, ob.rationale, ob.scope,
                                      ob.scope_code))
    return out


def binding(defs: Definitions) -> dict[tuple[str, str, str], str]:
    """(provider_id, scope, scope_code) -> the sector of the entry that binds the provider
    (its own sector's, else `all`)."""
    entries = {(ob.scope, ob.scope_code, ob.sector) for ob in defs.obligations}
    scopes = {(ob.scope, ob.scope_code) for ob in defs.obligations}
    out = {}
    for p in defs.providers:
        for scope, code in scopes:
            if (scope, code, p.sector) in entries:
                out[(p.id, scope, code)] = p.sector
            elif (scope, code, "all") in entries:
                out[(p.id, scope, code)] = "all"
    return out


# --------------------------------------------------------------------------- the frame

def compliance_frame(warehouse: Path, period: str, defs: Definitions) -> pd.DataFrame:
    """The period's compliance rows, one per provider x scope x instrument x timepoint.

    Rows of `mart_prom_compliance`, and rows without eligible episodes (rate null) for
    the provider x obligations of `mart_prom_obligation_episodes` whose windows are all
    still open; `rule` names the obligation that binds the row. Marts built before
    obligations had scopes (no `scope` column) read as package obligations.
    """
    cols = list(_COMPLIANCE_COLUMNS)
    frames = []
    if not Path(warehouse).is_file():
        return pd.DataFrame(columns=[*cols, "obligation_sector", "rule"])
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = {r[0] for r in con.execute(
            "select table_name from information_schema.tables").fetchall()}
        if "mart_prom_compliance" in tables:
            select = ", ".join(_columns(con, "mart_prom_compliance", cols))
            frames.append(con.execute(
                f"select {select} from mart_prom_compliance where period = ?", [period]).df())
        if "mart_prom_obligation_episodes" in tables:
            select = ", ".join(_columns(con, "mart_prom_obligation_episodes", (
                "provider_id", "scope", "scope_code", "package_code", "instrument",
                "timepoint")))
            frames.append(con.execute(
                f"select distinct {select} from mart_prom_obligation_episodes "
                "where period = ?", [period]).df())
    frame = pd.concat([f.astype(object) for f in frames], ignore_index=True) if frames else \
        pd.DataFrame(columns=cols)
    for c in cols:
        if c not in frame:
            frame[c] = None
    # a row without a scope is a package obligation's (marts built before scopes existed)
    unscoped = frame["scope"].isna()
    frame.loc[unscoped, "scope"] = "package"
    frame.loc[unscoped, "scope_code"] = frame.loc[unscoped, "package_code"]
    # package_code names the obligation's package (the episodes mart has the episode's)
    frame["package_code"] = frame["scope_code"].where(frame["scope"] == "package", None)
    frame = frame.drop_duplicates(KEY, keep="first").reset_index(drop=True)
    sector = binding(defs)
    frame["obligation_sector"] = [sector.get(k) for k in zip(
        frame["provider_id"], frame["scope"], frame["scope_code"], strict=True)]
    frame["rule"] = [rule_of(*k) for k in zip(
        frame["scope"], frame["scope_code"], frame["obligation_sector"].astype(str),
        frame["instrument"], frame["timepoint"], strict=True)]
    frame["eligible_episodes"] = frame["eligible_episodes"].fillna(0).astype("int64")
    frame["collected"] = frame["collected"].fillna(0).astype("int64")
    for c in ("rate", "rate_ci_upper", "min_rate"):
        frame[c] = pd.to_numeric(frame[c], errors="coerce").astype("float64")
    frame.loc[frame["eligible_episodes"] == 0, ["rate", "rate_ci_upper"]] = float("nan")
    frame["meets_obligation"] = frame["meets_obligation"].where(
        frame["eligible_episodes"] > 0, None).astype(object)
    return frame.sort_values(KEY, kind="stable").reset_index(drop=True)


def _columns(con: duckdb.DuckDBPyConnection, table: str, cols: tuple[str, ...] | list[str]
             ) -> list[str]:
    """`cols` as select expressions: the table's own, null for those it lacks."""
    have = {r[0] for r in con.execute(
        "select column_name from information_schema.columns where table_name = ?",
        [table]).fetchall()}
    return [c if c in have else f"null as {c}" for c in cols]


# --------------------------------------------------------------------------- the suite

def load_template(expectations_dir: Path) -> dict:
    """expectations/suites/obligations.json."""
    return json.loads((Path(expectations_dir) / "suites" / f"{SUITE}.json").read_text("utf-8"))


def _pct(x: float) -> str:
    return f"{x * 100:.0f} %"


def build_suite(template: dict, obligations: list[Obligation]) -> dict:
    """The suite as JSON: one expectation per measure the obligations use (participation,
    paired), from its template, on the rows of that measure's obligations.

    Every obligation of a measure is the same check of `meets_obligation`; what differs
    between them (threshold, severity, rationale) is each row's own metadata
    (`obligation_meta`), so the suite's cost does not grow with the number of obligations.
    """
    measures = sorted({ob.measure for ob in obligations}, key=list(template["templates"]).index)
    expectations = []
    for measure in measures:
        tpl = template["templates"][measure]
        kwargs = dict(tpl["kwargs"], row_condition=f'measure=="{measure}"',
                      condition_parser="pandas")
        expectations.append({"type": tpl["type"], "kwargs": kwargs,
                             "meta": {**tpl["meta"], "measure": measure}})
    return {"name": template["name"], "meta": template.get("meta", {}),
            "expectations": expectations}


def obligation_meta(template: dict, obligations: list[Obligation]) -> dict[str, dict]:
    """Per obligation's rule, what its results carry: the Data Quality Dashboard metadata
    of its measure's template with the obligation's threshold, severity and rationale."""
    out = {}
    for ob in obligations:
        tpl = template["templates"][ob.measure]
        rationale = tpl["meta"]["rationale"].format(threshold_pct=_pct(ob.threshold))
        if ob.rationale:
            rationale += " " + ob.rationale.strip()
        out[ob.rule] = {
            **tpl["meta"], "rule": ob.rule, "severity": ob.severity, "threshold": ob.threshold,
            "rationale": rationale, "package_code": ob.package_code, "scope": ob.scope,
            "scope_code": ob.scope_code, "sector": ob.sector, "instrument": ob.instrument,
            "timepoint": ob.timepoint, "measure": ob.measure}
    return out


def validate(frame: pd.DataFrame, suite: dict, period: str,
             meta_of: dict[str, dict]) -> pd.DataFrame:
    """Run the suite on the compliance rows (column `measure` names each row's
    expectation); one result row per row of `frame` checked, with its obligation's
    metadata from `meta_of` (by rule)."""
    data = frame.reset_index(drop=True)
    rows: list[dict[str, Any]] = []
    now = dt.datetime.now().replace(microsecond=0)
    if not suite["expectations"]:
        return pd.DataFrame(rows, columns=RESULT_SCHEMA.names)
    for res in gx.run(suite, data):
        kwargs = res.expectation_config.kwargs
        column = kwargs.get("column")
        mine = data.index[data["measure"] == res.expectation_config.meta["measure"]]
        message = gx.exception_message(res.exception_info)
        unexpected = set(gx.unexpected_positions(res))
        for i in mine:
            r = data.loc[i]
            meta = meta_of[r["rule"]]
            value = r.get(column) if column in data else None
            if message is not None:
                status = "error"
            elif value is None or pd.isna(value):
                status = "not_applicable"
            else:
                status = "failed" if i in unexpected else "passed"
            reason = ""
            if status == "failed":
                reason = meta["reason"].format(
                    instrument=meta["instrument"], timepoint=meta["timepoint"],
                    collected=int(r["collected"]), eligible=int(r["eligible_episodes"]),
                    rate_pct=_pct(float(r["rate"])), threshold_pct=_pct(meta["threshold"]))
            elif status == "not_applicable":
                reason = "no eligible episode: every collection window is still open"
            rows.append({
                "period": period, "provider_id": r["provider_id"],
                "provider_name": r.get("provider_name"), "package_code": r["package_code"],
                "scope": meta["scope"], "scope_code": meta["scope_code"],
                "obligation_sector": meta["sector"], "instrument": r["instrument"],
                "timepoint": r["timepoint"], "rule": meta["rule"],
                "expectation": res.expectation_config.type, "column_name": column,
                "category": meta["category"], "subcategory": meta["subcategory"],
                "severity": meta["severity"], "threshold": float(meta["threshold"]),
                "rationale": meta["rationale"],
                "eligible_episodes": int(r["eligible_episodes"]), "collected": int(r["collected"]),
                "rate": None if pd.isna(r["rate"]) else float(r["rate"]),
                "rate_ci_upper": None if pd.isna(r["rate_ci_upper"]) else float(
                    r["rate_ci_upper"]),
                "status": status, "message": message or reason, "checked_at": now})
    return pd.DataFrame(rows, columns=RESULT_SCHEMA.names)


# --------------------------------------------------------------------------- storage

def write_results(warehouse: Path, period: str, results: pd.DataFrame) -> Path:
    """Replace the period's rows of the warehouse table `obligation_results`, in one
    transaction."""
    arrays = [pa.array(results[f.name].tolist() if f.name in results else [None] * len(results),
                       type=f.type, from_pandas=True) for f in RESULT_SCHEMA]
    with duckdb.connect(str(warehouse)) as con:
        con.register("rows", pa.Table.from_arrays(arrays, schema=RESULT_SCHEMA))
        con.execute(f"create table if not exists {TABLE} as select * from rows limit 0")
        have = {r[0] for r in con.execute(f"describe {TABLE}").fetchall()}
        for name, sql_type, *_ in con.execute("describe rows").fetchall():
            if name not in have:  # a warehouse written before the column was added
                con.execute(f'alter table {TABLE} add column "{name}" {sql_type}')
        con.begin()
        con.execute(f"delete from {TABLE} where period = ?", [period])
        con.execute(f"insert into {TABLE} by name select * from rows")
        con.commit()
    return Path(warehouse)


def check(settings: Settings, period: str) -> CheckSummary:
    """Enforce the obligations on the period's compliance rows and store the results."""
    defs = definitions.load(Path(settings.definitions_dir), period)
    obligations = obligations_of(defs)
    frame = compliance_frame(Path(settings.warehouse), period, defs)
    measure_of = {ob.rule: ob.measure for ob in obligations}
    frame = frame[frame["rule"].isin(measure_of)].reset_index(drop=True)
    frame["measure"] = frame["rule"].map(measure_of)
    template = load_template(Path(settings.expectations_dir))
    results = validate(frame, build_suite(template, obligations), period,
                       obligation_meta(template, obligations))
    results = results.assign(definitions_version=defs.version)
    path = write_results(Path(settings.warehouse), period, results)
    counts = results["status"].value_counts()
    return CheckSummary(period, path, *(int(counts.get(s, 0)) for s in STATUSES))


def warm_up(settings: Settings) -> None:
    """Import Great Expectations now if `check_in_run` will check in this process."""
    if settings.ingest_processes < 2:
        gx.warm_up()


def check_in_run(settings: Settings, period: str) -> CheckSummary:
    """`check` in a worker forked from arvo.forked's server when the run has worker
    processes (`Settings.ingest_processes` > 1), else in this process.

    In a worker, Great Expectations is imported already (the server did so once), and
    the run's own process never imports it: about 2 s of a core that the ingest's
    workers need while the run would import it (docs/performance-history.md,
    2026-12-03, 10:00 to 11:00).
    """
    if settings.ingest_processes < 2:
        return check(settings, period)
    return forked.call(f"checking the obligations of {period}", check, settings, period)
