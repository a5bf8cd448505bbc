"""Steering report for the commissioner and feedback for each provider, rendered with Jinja2.

Reads the marts of the DuckDB warehouse (read-only; see `docs/marts.md`) and, for a
provider's feedback only, that provider's own partitions of the quarantine. Writes
self-contained HTML files (inline CSS, no scripts, no external assets) under
`<reports_dir>/<period>/`:

- `steering_report.html`: for the commissioner; aggregates only, every cell based on
  fewer than `SMALL_CELL` clients, pairs or episodes suppressed by `suppress()`.
- `providers/<provider_id>/feedback.html`, `rows_to_fix.csv` and
  `episodes_to_complete.csv`: for one provider; its own record-level rows (quarantined
  rows, its episodes missing a PROM), peers only as (suppressed) aggregates.
- `index.html`: links to all of them.
"""

from __future__ import annotations

import csv
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import pyarrow.parquet as pq
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from arvo.config import Settings
from arvo.periods import add_months, is_month, window_months

SMALL_CELL = 5
"""Cells based on fewer than this many clients, pairs or episodes are suppressed."""

FLAG_Z = 2.0
"""A provider is marked better/worse than peers when |change - peer change| > FLAG_Z * SE."""

HTML_ROWS_TO_FIX_LIMIT = 1000
"""At most this many rows to fix are listed in feedback.html; the CSV always has them all."""

CSV_COLUMNS = ("month", "entity", "source_file", "source_row", "record_id", "column_name",
               "rule", "reason")
EPISODE_CSV_COLUMNS = ("episode_id", "package_code", "instrument", "timepoint", "schedule",
                       "window_opens", "collect_by", "status", "note", "obligation_scope",
                       "obligation_code")
"""Columns of episodes_to_complete.csv: the provider's episodes missing a PROM. package_code
is the episode's package; obligation_scope (package | segment) and obligation_code name the
obligation the PROM is missing for (the package, or the client segment that binds it)."""

HTML_EPISODES_LIMIT = 500
"""At most this many episodes per list in feedback.html; the CSV always has them all."""

MIN_PEERS = 2
"""A peers' median is shown only over at least this many other providers."""
_QUARANTINE_COLUMNS = ("record_id", "source_file", "source_row", "rule", "column_name", "reason")

_SAFE_ID = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_.-]*$")
_TZ = ZoneInfo("Europe/Helsinki")

MONTHS_FI = ("tammikuu", "helmikuu", "maaliskuu", "huhtikuu", "toukokuu", "kesäkuu",
             "heinäkuu", "elokuu", "syyskuu", "lokakuu", "marraskuu", "joulukuu")
INSTRUMENTS = {"EQ5D5L": "EQ-5D-5L", "PHQ9": "PHQ-9"}
HIGHER_IS_BETTER = {"EQ5D5L": True, "PHQ9": False}
TIMEPOINTS = {
    "baseline": ("Lähtötaso", "baseline"),
    "followup_6m": ("6 kk seuranta", "6-month follow-up"),
    "followup_12m": ("12 kk seuranta", "12-month follow-up"),
}
_FOLLOWUP = re.compile(r"^followup_(\d+)(m|d)$")
EPISODE_STATUSES = {
    "collectable": ("kerättävissä", "collectable"),
    "missed": ("jäi keräämättä", "missed"),
    "unpaired": ("lähtötaso puuttuu", "baseline missing"),
    "met": ("kerätty", "collected"),
}
ENTITIES = {
    "events": ("Palvelutapahtumat", "events"),
    "episodes": ("Hoitojaksot", "episodes"),
    "proms": ("PROM-vastaukset", "proms"),
}
STATUSES = {"accepted": "hyväksytty", "partial": "osin hyväksytty", "rejected": "hylätty",
            "empty": "tyhjä", "standing": "aiempi voimassa", "withdrawn": "poistettu"}
# statuses of a file sent now (`standing` and `withdrawn` describe earlier submissions)
SENT_STATUSES = ("accepted", "partial", "rejected", "empty")
KAISER_FI = {
    "intensive case management": "tehostettu palveluohjaus",
    "care management": "hoidon koordinointi",
    "self-management support": "omahoidon tuki",
    "self-management": "omahoito",
}
SECTORS = {"public": "julkinen", "private": "yksityinen", "third": "kolmas sektori"}
SCOPE_KINDS = {"package": ("palvelupaketti", "package"),
               "segment": ("asiakassegmentti", "client segment")}
"""What an obligation binds: a package's episodes, or the episodes of a segment's clients."""


# --------------------------------------------------------------------------- suppression

class _Suppressed:
    """Marker that replaces a hidden value before it reaches a template."""

    def __init__(self, text: str, title: str):
        self.text, self.title = text, title

    def __str__(self) -> str:
        return self.text

    __repr__ = __str__


SUPPRESSED = _Suppressed(f"<{SMALL_CELL}", f"Alle {SMALL_CELL} havaintoa: peitetty")
"""A small cell: shown as "<5"."""

COMPLEMENTARY = _Suppressed("..", "Peitetty, jottei pientä lukua voi päätellä summasta")
"""A cell hidden only so that a small cell cannot be recovered from a total: shown as ".."."""

SINGLE_PEER = _Suppressed("..", f"Alle {MIN_PEERS} vertailutuottajaa: peitetty")
"""A peers' median over fewer than MIN_PEERS providers (it would be one provider's rate)."""


def hidden(value: Any) -> bool:
    """True for SUPPRESSED and COMPLEMENTARY."""
    return isinstance(value, _Suppressed)


def is_small(n: float | int | None) -> bool:
    """True for a count of 1 to SMALL_CELL - 1 (zero discloses nothing and is shown as 0)."""
    return n is not None and 0 < n < SMALL_CELL


def suppress(value: Any, *counts: float | int | None) -> Any:
    """The single small-cell rule of Arvo reports.

    `value` is returned unchanged unless any of `counts` (the clients, pairs or episodes
    the value is based on) is from 1 to SMALL_CELL - 1, in which case SUPPRESSED is
    returned and the templates print "<5". Every aggregate the commissioner sees, and
    every peer aggregate a provider sees, passes through here.
    """
    return SUPPRESSED if any(is_small(n) for n in counts) else value


# --------------------------------------------------------------------------- formatting

def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _hidden_markup(value: _Suppressed) -> Markup:
    return Markup('<span class="sup" title="{}">{}</span>').format(value.title, value.text)


def fi_number(value: Any, decimals: int = 2) -> str:
    """Finnish number: space as thousands separator, decimal comma (1234567.891 -> 1 234 567,89)."""
    if hidden(value):
        return _hidden_markup(value)
    if _missing(value):
        return "–"
    number = round(float(value), decimals)
    if number == 0:
        number = 0.0  # no "-0,00"
    text = f"{number:,.{decimals}f}"
    return text.replace(",", " ").replace(".", ",")


def fi_int(value: Any) -> str:
    """Finnish integer with space as thousands separator."""
    return fi_number(value, 0)


def fi_eur(value: Any, decimals: int = 0) -> str:
    """Euros the Finnish way: 1 234 €."""
    text = fi_number(value, decimals)
    return text if hidden(value) or _missing(value) else f"{text} €"


def fi_pct(value: Any, decimals: int = 1) -> str:
    """A share 0..1 as a Finnish percentage: 0.1234 -> 12,3 %."""
    if hidden(value) or _missing(value):
        return fi_number(value)
    return f"{fi_number(float(value) * 100, decimals)} %"


def fi_signed(value: Any, decimals: int = 3) -> str:
    """A change with an explicit sign: +0,052 / -0,031."""
    text = fi_number(value, decimals)
    if hidden(value) or _missing(value):
        return text
    return text if text.startswith("-") or round(float(value), decimals) == 0 else f"+{text}"


def fi_pp(value: Any, decimals: int = 1) -> str:
    """A difference of two shares in percentage points: -0.123 -> -12,3 %-yks."""
    if hidden(value) or _missing(value):
        return fi_number(value)
    return f"{fi_signed(float(value) * 100, decimals)} %-yks."


def fi_date(value: date) -> str:
    """Finnish date: 30.6.2025."""
    return f"{value.day}.{value.month}.{value.year}"


def fi_month(month: str) -> str:
    """'2025-06' -> 'kesäkuu 2025'."""
    year, mon = month.split("-")
    return f"{MONTHS_FI[int(mon) - 1]} {year}"


def environment(templates_dir: Path) -> Environment:
    """The Jinja2 environment of Arvo reports, with the Finnish formatting filters."""
    env = Environment(
        loader=FileSystemLoader(str(templates_dir)),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        num=fi_number, integer=fi_int, eur=fi_eur, pct=fi_pct, signed=fi_signed, pp=fi_pp,
        fi_date=fi_date, fi_month=fi_month,
    )
    env.globals.update(SMALL_CELL=SMALL_CELL, FLAG_Z=FLAG_Z, MIN_PEERS=MIN_PEERS)
    env.tests["hidden"] = hidden
    return env


# --------------------------------------------------------------------------- period

@dataclass(frozen=True)
class Window:
    period: str
    months: tuple[str, ...]
    start: date
    end: date

    @property
    def label(self) -> str:
        return f"{fi_month(self.months[0])} – {fi_month(self.months[-1])}"


def window(period: str) -> Window:
    """The 12 months ending with `period` (YYYY-MM)."""
    months = window_months(period)
    end = date.fromordinal(date.fromisoformat(add_months(period, 1) + "-01").toordinal() - 1)
    return Window(period, tuple(months), date.fromisoformat(months[0] + "-01"), end)


# --------------------------------------------------------------------------- warehouse

PERIOD_MARTS = ("mart_prom_compliance", "mart_provider_data_quality", "mart_segment_value")
"""Marts whose periods say which steering periods have results."""


class Warehouse:
    """Read-only access to the marts; a missing file or table reads as empty."""

    def __init__(self, con: duckdb.DuckDBPyConnection | None):
        self.con = con
        self.tables: set[str] = set()
        if con is not None:
            self.tables = {r[0] for r in con.execute(
                "select table_name from information_schema.tables").fetchall()}

    def rows(self, table: str, period: str, provider_id: str | None = None,
             order_by: str = "1") -> list[dict[str, Any]]:
        if self.con is None or table not in self.tables:
            return []
        sql = f'select * from "{table}" where cast(period as varchar) = ?'
        params: list[Any] = [period]
        if provider_id is not None:
            sql += " and provider_id = ?"
            params.append(provider_id)
        cur = self.con.execute(f"{sql} order by {order_by}", params)
        names = [d[0] for d in cur.description]
        return [{k: _plain(v) for k, v in zip(names, row, strict=True)}
                for row in cur.fetchall()]

    def previous_period(self, period: str) -> str | None:
        """The latest period before `period` present in the marts (None if there is none)."""
        found = []
        for table in sorted(self.tables & set(PERIOD_MARTS)):
            row = self.con.execute(
                f'select max(cast(period as varchar)) from "{table}" '
                "where cast(period as varchar) < ?", [period]).fetchone()
            if row and row[0]:
                found.append(row[0])
        return max(found) if found else None


def _plain(value: Any) -> Any:
    """NaN as None and DECIMAL as float, so a mart's numeric types do not matter."""
    if _missing(value):
        return None
    return float(value) if isinstance(value, Decimal) else value


@contextmanager
def open_warehouse(path: Path) -> Iterator[Warehouse]:
    path = Path(path)
    if not path.is_file():
        yield Warehouse(None)
        return
    con = duckdb.connect(str(path), read_only=True)
    try:
        yield Warehouse(con)
    finally:
        con.close()


# --------------------------------------------------------------------------- definitions

@dataclass(frozen=True)
class Names:
    providers: dict[str, str]
    packages: dict[str, tuple[str, str]]
    segments: dict[str, tuple[str, str]]

    def provider(self, provider_id: str, fallback: str | None = None) -> str:
        return fallback or self.providers.get(provider_id) or provider_id

    def package(self, code: str) -> tuple[str, str]:
        return self.packages.get(code, (code, ""))

    def segment(self, code: str) -> tuple[str, str]:
        return self.segments.get(code, (code, ""))

    def scope(self, scope: str, code: str) -> tuple[str, str]:
        """(name_fi, name_en) of an obligation's package or segment."""
        return self.segment(code) if scope == "segment" else self.package(code)


def _names(settings: Settings) -> Names:
    try:
        from arvo import definitions

        defs = definitions.load(settings.definitions_dir)
    except Exception:  # names are a nicety: the reports work without them
        return Names({}, {}, {})
    return Names({p.id: p.name for p in defs.providers},
                 {p.code: (p.name_fi, p.name_en) for p in defs.packages},
                 {s.code: (s.name_fi, s.name_en) for s in defs.segments})


def _generated() -> str:
    now = datetime.now(_TZ)
    return f"{fi_date(now.date())} klo {now:%H.%M}"


# --------------------------------------------------------------------------- shared views

def _flag(row: dict[str, Any]) -> dict[str, Any]:
    """Difference to peers, its standard error and the better/worse mark (FLAG_Z rule)."""
    pairs, peer_pairs = row.get("pairs") or 0, row.get("peer_pairs") or 0
    mean, peer, sd = row.get("change_mean"), row.get("peer_change_mean"), row.get("change_sd")
    out: dict[str, Any] = {"diff": None, "se": None, "z": None, "flag": None}
    if mean is None or peer is None or pairs < SMALL_CELL or peer_pairs < SMALL_CELL:
        return out
    out["diff"] = mean - peer
    if sd is None or pairs < 2:
        return out
    se = sd / math.sqrt(pairs)
    out["se"] = se
    if se <= 0:
        return out
    z = out["diff"] / se
    out["z"] = z
    sign = 1 if HIGHER_IS_BETTER.get(row["instrument"], True) else -1
    if sign * z > FLAG_Z:
        out["flag"] = "better"
    elif sign * z < -FLAG_Z:
        out["flag"] = "worse"
    else:
        out["flag"] = "same"
    return out


def _plot(items: list[dict[str, Any]], width: int = 220) -> None:
    """Add x coordinates of a mean ± 2 SE whisker and the peer mean for an inline SVG."""
    values = [0.0]
    for it in items:
        if it["se"] is not None and it["mean"] is not None:
            values += [it["mean"] - FLAG_Z * it["se"], it["mean"] + FLAG_Z * it["se"]]
        if it["peer"] is not None:
            values.append(it["peer"])
        if it["mean"] is not None:
            values.append(it["mean"])
    lo, hi = min(values), max(values)
    pad = (hi - lo) * 0.08 or 0.05
    lo, hi = lo - pad, hi + pad

    def x(v: float) -> float:
        return round(8 + (v - lo) / (hi - lo) * (width - 16), 1)

    for it in items:
        if it["mean"] is None:
            it["plot"] = None
            continue
        se = it["se"] or 0.0
        it["plot"] = {
            "w": width, "zero": x(0.0), "mean": x(it["mean"]),
            "lo": x(it["mean"] - FLAG_Z * se), "hi": x(it["mean"] + FLAG_Z * se),
            "peer": None if it["peer"] is None else x(it["peer"]),
            "flag": it["flag"] or "none",
        }


def _decimals(instrument: str) -> int:
    return 3 if instrument == "EQ5D5L" else 1


def _timepoint(code: str) -> tuple[str, str]:
    if code in TIMEPOINTS:
        return TIMEPOINTS[code]
    m = _FOLLOWUP.match(code or "")
    if m:
        n, unit = m.groups()
        return ((f"{n} kk seuranta", f"{n}-month follow-up") if unit == "m"
                else (f"{n} vrk seuranta", f"{n}-day follow-up"))
    return (code, code)


# --------------------------------------------------------------------------- steering report

def _complement(rows: list[dict[str, Any]], count: str) -> set[int]:
    """Index of the row to hide with a lone small cell of `count`, so it cannot be differenced.

    When exactly one row has a small `count`, its value could be recovered from a total (or
    from another table's total) minus the rows shown; hiding the next smallest row too
    leaves only the sum of two.
    """
    small = [i for i, r in enumerate(rows) if is_small(r[count])]
    if len(small) != 1:
        return set()
    others = [i for i, r in enumerate(rows) if i != small[0] and (r[count] or 0) > 0]
    return {min(others, key=lambda i: rows[i][count])} if others else set()


_SEGMENT_CELLS = {
    "clients": ("clients", "client_share", "total_cost_eur", "cost_per_client_eur",
                "cost_share", "value_ratio"),
    "eq5d_pairs": ("eq5d_pairs", "eq5d_baseline_mean", "eq5d_followup_mean",
                   "eq5d_change_mean", "value_ratio"),
    "phq9_pairs": ("phq9_pairs", "phq9_baseline_mean", "phq9_change_mean"),
}


def _segment_view(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for r in rows:
        v = {
            "code": r["segment_code"], "name_fi": r["segment_name_fi"],
            "name_en": r["segment_name_en"], "kaiser_level": r["kaiser_level"],
            "kaiser_fi": KAISER_FI.get(r["kaiser_level"], r["kaiser_level"]),
        }
        for count, cells in _SEGMENT_CELLS.items():
            for c in cells:
                v[c] = suppress(r[c], r[count], *(
                    [r["clients"]] if c == "value_ratio" else []))
        out.append(v)
    # Complementary suppression, per count the cells depend on.
    for count, cells in _SEGMENT_CELLS.items():
        for i in _complement(rows, count):
            for c in cells:
                if not hidden(out[i][c]):
                    out[i][c] = COMPLEMENTARY
    return out


def _concentration_view(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for r in rows:
        n = r["clients_in_top"]
        share = suppress(r["cost_share"], n)
        out.append({
            "top_share": r["top_share"],
            "clients_in_top": suppress(n, n),
            "cost_in_top_eur": suppress(r["cost_in_top_eur"], n),
            "cost_share": share,
            "bar": None if hidden(share) or share is None else round(share * 100, 1),
            "equal": round(float(r["top_share"]) * 100, 1),
        })
    return sorted(out, key=lambda r: r["top_share"])


def _outcome_groups(rows: list[dict[str, Any]], names: Names,
                    suppress_own: bool) -> list[dict[str, Any]]:
    """Provider outcome rows grouped by package and instrument, with flags and plots."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        groups[(r["package_code"], r["instrument"])].append(r)
    out = []
    for (package, instrument), members in sorted(groups.items()):
        items = []
        for r in sorted(members, key=lambda r: names.provider(r["provider_id"],
                                                              r["provider_name"])):
            n, peer_n = r["pairs"], r["peer_pairs"]
            flag = _flag(r)
            own = (lambda v, n=n: suppress(v, n)) if suppress_own else (lambda v: v)
            items.append({
                "provider_id": r["provider_id"],
                "provider_name": names.provider(r["provider_id"], r["provider_name"]),
                "pairs": own(n), "baseline_mean": own(r["baseline_mean"]),
                "followup_mean": own(r["followup_mean"]),
                "change_mean": own(r["change_mean"]),
                "peer_pairs": suppress(peer_n, peer_n),
                "peer_change_mean": suppress(r["peer_change_mean"], peer_n),
                "diff": flag["diff"], "se": flag["se"], "flag": flag["flag"],
                # plot inputs: only when the provider's own mean may be shown
                "mean": None if hidden(own(r["change_mean"])) else r["change_mean"],
                "peer": None if is_small(peer_n) else r["peer_change_mean"],
            })
        if suppress_own and any(is_small(r["pairs"]) for r in members):
            # Every other provider's peer group holds the small provider: its pairs and mean
            # would follow from peer figures minus the rows shown, so peer figures are hidden.
            for it in items:
                if not hidden(it["pairs"]):
                    it.update(peer_pairs=COMPLEMENTARY, peer_change_mean=COMPLEMENTARY,
                              diff=COMPLEMENTARY, peer=None)
        _plot(items)
        name_fi, name_en = names.package(package)
        out.append({
            "package_code": package, "package_fi": name_fi, "package_en": name_en,
            "instrument": instrument, "instrument_label": INSTRUMENTS.get(instrument, instrument),
            "decimals": _decimals(instrument),
            "higher_is_better": HIGHER_IS_BETTER.get(instrument, True),
            "members": items,
        })
    return out


def _peer_median(r: dict[str, Any]) -> Any:
    """The peers' median rate, hidden over fewer than MIN_PEERS providers or few episodes."""
    n_peers = r.get("peer_providers")
    if r.get("peer_median_rate") is None or not n_peers:
        return None
    if n_peers < MIN_PEERS:
        return SINGLE_PEER
    return suppress(r["peer_median_rate"], r.get("peer_eligible_episodes"))


def _scope(r: dict[str, Any], names: Names) -> dict[str, Any]:
    """The obligation scope of a compliance or episode row, with its labels. A row without
    a scope (a mart built before segment obligations) is a package obligation's."""
    scope = r.get("scope") or "package"
    code = r.get("scope_code") or r["package_code"]
    name_fi, name_en = names.scope(scope, code)
    kind_fi, kind_en = SCOPE_KINDS.get(scope, (scope, scope))
    return {"scope": scope, "scope_code": code, "scope_fi": name_fi, "scope_en": name_en,
            "scope_kind_fi": kind_fi, "scope_kind_en": kind_en}


def _compliance_view(rows: list[dict[str, Any]], names: Names,
                     suppress_small: bool) -> list[dict[str, Any]]:
    """Compliance rows for the reports. `scope_fi` labels the obligation: the package's
    name, or the segment's for a segment obligation (whose package_* are None)."""
    out = []
    for r in rows:
        n = r["eligible_episodes"]
        small = suppress_small and is_small(n)
        rate, min_rate = r["rate"], r["min_rate"]
        if small:
            status = "small"
        elif rate is None or not n:
            status = "none"
        else:
            status = "pass" if r["meets_obligation"] else "fail"
        needed = None
        if status == "fail" and min_rate is not None:
            needed = max(0, math.ceil(min_rate * n - 1e-9) - (r["collected"] or 0))
        tp_fi, tp_en = _timepoint(r["timepoint"])
        scope = _scope(r, names)
        package = scope["scope_code"] if scope["scope"] == "package" else None
        pk_fi, pk_en = names.package(package) if package else (None, None)
        below = rate is not None and min_rate is not None and rate < min_rate
        out.append({
            "provider_id": r["provider_id"],
            "provider_name": names.provider(r["provider_id"], r["provider_name"]),
            "package_code": package, "package_fi": pk_fi, "package_en": pk_en, **scope,
            "instrument_code": r["instrument"],
            "instrument": INSTRUMENTS.get(r["instrument"], r["instrument"]),
            "timepoint": r["timepoint"], "timepoint_fi": tp_fi, "timepoint_en": tp_en,
            "timepoint_order": r.get("timepoint_order"),
            "measure": r.get("measure") or ("participation" if r["timepoint"] == "baseline"
                                             else "paired"),
            "eligible": SUPPRESSED if small else n,
            "collected": SUPPRESSED if small else r["collected"],
            "rate": SUPPRESSED if small else rate,
            "rate_ci_upper": None if small else r.get("rate_ci_upper"),
            "min_rate": min_rate,
            "distance": (None if small or rate is None or min_rate is None
                         else rate - min_rate),
            "needed": needed, "status": status,
            # below the threshold, but the shortfall is within sampling noise
            "within_noise": status == "pass" and below,
            "peer_median": _peer_median(r),
            "open_windows": None if small else r.get("open_windows"),
        })
    return out


def _quality_view(rows: list[dict[str, Any]], provider_ids: Iterable[str],
                  names: Names, unread: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per provider: files sent, rejected and empty, rows, and items not read."""
    def start(pid: str) -> dict[str, Any]:
        return {"provider_id": pid, "provider_name": names.provider(pid), "files": 0,
                "files_rejected": 0, "files_partial": 0, "files_empty": 0, "rows_in": 0,
                "rows_accepted": 0, "rows_quarantined": 0, "blank_lines": 0,
                "months": set(), "unrecognised": 0}

    agg = {pid: start(pid) for pid in provider_ids}
    for r in rows:
        a = agg.setdefault(r["provider_id"], start(r["provider_id"]))
        a["provider_name"] = names.provider(r["provider_id"], r["provider_name"])
        a["files"] += r["status"] in SENT_STATUSES
        a["files_rejected"] += r["status"] == "rejected"
        a["files_partial"] += r["status"] == "partial"
        a["files_empty"] += r["status"] == "empty"
        for c in ("rows_in", "rows_accepted", "rows_quarantined", "blank_lines"):
            a[c] += r.get(c) or 0
        a["months"].add(r["month"])
    for u in unread:
        if u["provider_id"] in agg:
            agg[u["provider_id"]]["unrecognised"] += 1
    out = []
    for a in agg.values():
        a["months"] = len(a["months"])
        a["quarantine_share"] = a["rows_quarantined"] / a["rows_in"] if a["rows_in"] else None
        a["attention"] = bool(a["files_rejected"] or a["files"] == 0 or a["unrecognised"]
                              or (a["quarantine_share"] or 0) >= 0.05)
        out.append(a)
    return sorted(out, key=lambda a: a["provider_name"])


def _compliance_matrix(compliance: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Providers x obligations, one table per package, then one per client segment with
    obligations; cells of `_compliance_view` rows."""
    by_scope: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for c in compliance:
        by_scope[(c["scope"], c["scope_code"])].append(c)
    out = []
    for (scope, code), cells in sorted(by_scope.items(),
                                       key=lambda kv: (kv[0][0] != "package", kv[0][1])):
        keys: dict[tuple[str, str], dict[str, Any]] = {}
        for c in cells:
            keys.setdefault((c["instrument_code"], c["timepoint"]), c)
        columns = sorted(keys, key=lambda k: (
            keys[k]["timepoint_order"] if keys[k]["timepoint_order"] is not None
            else (0 if k[1] == "baseline" else 1), k[1], k[0]))
        grid: dict[str, dict[tuple[str, str], dict[str, Any]]] = defaultdict(dict)
        provider_names = {}
        for c in cells:
            grid[c["provider_id"]][(c["instrument_code"], c["timepoint"])] = c
            provider_names[c["provider_id"]] = c["provider_name"]
        rows = [{"provider_id": pid, "provider_name": provider_names[pid],
                 "failing": sum(c["status"] == "fail" for c in grid[pid].values()),
                 "cells": [grid[pid].get(k) for k in columns]}
                for pid in sorted(grid, key=lambda q: provider_names[q])]
        first = cells[0]
        out.append({
            "package_code": first["package_code"], "package_fi": first["package_fi"],
            "package_en": first["package_en"], "scope": scope, "scope_code": code,
            "scope_fi": first["scope_fi"], "scope_en": first["scope_en"],
            "scope_kind_fi": first["scope_kind_fi"], "scope_kind_en": first["scope_kind_en"],
            "columns": [{"instrument": keys[k]["instrument"], "timepoint": k[1],
                         "timepoint_fi": keys[k]["timepoint_fi"],
                         "measure": keys[k]["measure"]} for k in columns],
            "rows": rows,
        })
    return out


def _obligation_checks(warehouse: Path, period: str) -> dict[str, Any]:
    """Counts of the period's Great Expectations obligation checks by status."""
    from arvo.quality import obligations

    results = obligations.read_results(warehouse, period)
    small = results["eligible_episodes"].map(is_small).astype(bool) if len(results) else []
    shown = results[~small] if len(results) else results
    counts = shown["status"].value_counts() if len(shown) else {}
    return {"total": len(shown), "small": int(sum(small)),
            **{s: int(counts.get(s, 0)) for s in obligations.STATUSES},
            "errors": sorted({f"{r.rule}: {r.message}" for r in results.itertuples()
                              if r.status == "error"})}


def steering_context(settings: Settings, period: str) -> dict[str, Any]:
    """Everything the steering report shows: aggregates only, small cells suppressed."""
    win = window(period)
    names = _names(settings)
    with open_warehouse(settings.warehouse) as wh:
        seg_rows = wh.rows("mart_segment_value", period, order_by="priority, segment_code")
        conc_rows = wh.rows("mart_cost_concentration", period, order_by="top_share")
        out_rows = wh.rows("mart_provider_package_outcomes", period,
                           order_by="package_code, instrument, provider_id")
        comp_rows = wh.rows("mart_prom_compliance", period,
                            order_by="package_code, instrument, timepoint, provider_id")
        dq_rows = wh.rows("mart_provider_data_quality", period,
                          order_by="provider_id, month, entity")
        unread = wh.rows("mart_provider_unrecognised_items", period, order_by="provider_id, path")

    clients = sum(r["clients"] or 0 for r in seg_rows)
    cost = sum(r["total_cost_eur"] or 0 for r in seg_rows)
    if not seg_rows and conc_rows:
        clients, cost = conc_rows[0]["clients_total"] or 0, conc_rows[0]["cost_total_eur"] or 0
    compliance = _compliance_view(comp_rows, names, suppress_small=True)
    quality = _quality_view(dq_rows, names.providers if dq_rows else [], names, unread)
    outcomes = _outcome_groups(out_rows, names, suppress_own=True)
    flagged = [(g, it) for g in outcomes for it in g["members"]
               if it["flag"] in ("better", "worse")]
    return {
        "period": period, "window": win, "generated": _generated(),
        "has_data": bool(seg_rows or conc_rows or out_rows or comp_rows or dq_rows),
        "headline": {
            "clients": suppress(clients, clients),
            "total_cost": suppress(cost, clients),
            "cost_per_client": suppress(cost / clients if clients else None, clients),
            "obligations": sum(c["status"] in ("pass", "fail") for c in compliance),
            "failing": sum(c["status"] == "fail" for c in compliance),
            "failing_providers": len({c["provider_id"] for c in compliance
                                      if c["status"] == "fail"}),
            "flagged_worse": sum(it["flag"] == "worse" for _, it in flagged),
            "flagged_better": sum(it["flag"] == "better" for _, it in flagged),
            "rows_in": sum(q["rows_in"] for q in quality),
            "rows_quarantined": sum(q["rows_quarantined"] for q in quality),
            "files_rejected": sum(q["files_rejected"] for q in quality),
        },
        "segments": _segment_view(seg_rows),
        "concentration": _concentration_view(conc_rows),
        "outcomes": outcomes,
        "compliance": compliance,
        "compliance_matrix": _compliance_matrix(compliance),
        "compliance_small": sum(c["status"] == "small" for c in compliance),
        "compliance_noise": sum(c["within_noise"] for c in compliance),
        "checks": _obligation_checks(Path(settings.warehouse), period),
        "quality": quality,
    }


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path


def render_steering_report(settings: Settings, period: str) -> Path:
    """Write `<reports_dir>/<period>/steering_report.html` for the commissioner."""
    context = steering_context(settings, period)
    html = environment(settings.templates_dir).get_template(
        "steering_report.html.j2").render(**context)
    return _write(Path(settings.reports_dir) / period / "steering_report.html", html)


# --------------------------------------------------------------------------- provider feedback

@dataclass(frozen=True)
class ProviderFeedback:
    """What one provider's feedback holds, and where it was written."""

    provider_id: str
    html_path: Path
    csv_path: Path
    failing_obligations: int
    rows_to_fix: int
    episodes_csv_path: Path | None = None
    episodes_to_complete: int = 0


def _check_provider_id(provider_id: str) -> str:
    if not isinstance(provider_id, str) or not _SAFE_ID.match(provider_id):
        raise ValueError(f"not a usable provider id: {provider_id!r}")
    return provider_id


def _cell(value: Any) -> Any:
    if value is None or _missing(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def rows_to_fix(quarantine_dir: Path, provider_id: str, period: str) -> list[dict[str, Any]]:
    """The provider's quarantined rows of months up to `period`, from its own partitions only.

    Reads `<quarantine_dir>/<entity>/provider_id=<id>/month=<YYYY-MM>/data.parquet` and
    only the columns of CSV_COLUMNS (never `row_values`).
    """
    _check_provider_id(provider_id)
    window(period)
    root = Path(quarantine_dir)
    out: list[dict[str, Any]] = []
    if not root.is_dir():
        return out
    for entity_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        own = entity_dir / f"provider_id={provider_id}"
        if not own.is_dir():
            continue
        for month_dir in sorted(own.iterdir()):
            month = month_dir.name.removeprefix("month=")
            if (not month_dir.name.startswith("month=") or not is_month(month)
                    or month > period):
                continue
            path = month_dir / "data.parquet"
            if not path.is_file():
                continue
            pf = pq.ParquetFile(path)
            present = [c for c in _QUARANTINE_COLUMNS if c in pf.schema_arrow.names]
            table = pf.read(columns=present).to_pylist()
            for rec in table:
                out.append({
                    "month": month, "entity": entity_dir.name,
                    **{c: _cell(rec.get(c)) for c in _QUARANTINE_COLUMNS},
                })
    out.sort(key=lambda r: (r["month"], r["entity"], str(r["source_file"]),
                            r["source_row"] if isinstance(r["source_row"], int) else -1))
    return out


def write_rows_to_fix(path: Path, rows: list[dict[str, Any]]) -> Path:
    """`;`-separated UTF-8 with BOM, so Finnish Excel opens it as columns."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, delimiter=";", lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        for r in rows:
            writer.writerow([r[c] for c in CSV_COLUMNS])
    tmp.replace(path)
    return path


def _episode_view(rows: list[dict[str, Any]], names: Names) -> list[dict[str, Any]]:
    """The provider's episodes missing a PROM: collectable first (by date), then missed."""
    out = []
    for r in rows:
        if r["status"] not in ("collectable", "missed", "unpaired"):
            continue
        tp_fi, tp_en = _timepoint(r["timepoint"])
        st_fi, st_en = EPISODE_STATUSES.get(r["status"], (r["status"], r["status"]))
        note = ""
        if r["status"] == "unpaired":
            note = "seuranta kerätty, mutta saman hoitojakson lähtötaso puuttuu"
        elif r["measure"] == "paired" and not r["baseline_collected"]:
            note = "myös lähtötaso puuttuu: vastaus ei muodosta paria"
        if r["cycle"]:
            note = (note + "; " if note else "") + (
                f"aikataulu alkanut alusta ({r['cycle']}. kerran) akuutin hoitojakson jälkeen")
        scope = _scope(r, names)
        if scope["scope"] == "segment":
            note = (f"asiakassegmentin velvoite ({scope['scope_fi']}): koskee asiakkaan "
                    "kaikkia hoitojaksoja" + ("; " + note if note else ""))
        out.append({
            **scope,
            "episode_id": r["episode_id"], "package_code": r["package_code"],
            "package_fi": names.package(r["package_code"])[0],
            "instrument_code": r["instrument"],
            "instrument": INSTRUMENTS.get(r["instrument"], r["instrument"]),
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


def write_episodes_to_complete(path: Path, episodes: list[dict[str, Any]]) -> Path:
    """`;`-separated UTF-8 with BOM: the provider's episodes missing a PROM, by its own IDs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, delimiter=";", lineterminator="\r\n")
        writer.writerow(EPISODE_CSV_COLUMNS)
        for e in episodes:
            writer.writerow([e["episode_id"], e["package_code"], e["instrument_code"],
                             e["timepoint"], e["schedule"], _iso(e["window_opens"]),
                             _iso(e["collect_by"]), e["status"], e["note"], e["scope"],
                             e["scope_code"]])
    tmp.replace(path)
    return path


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else ("" if value is None else str(value))


def _issue_key(r: dict[str, Any]) -> tuple:
    record = r.get("record_id") or f"row {r.get('source_row')}"
    return (r["month"], r["entity"], str(r.get("source_file") or ""), str(record), r["rule"],
            r.get("column_name") or "")


def _previous_rows_to_fix(settings: Settings, period: str, provider_id: str
                          ) -> list[dict[str, Any]]:
    """The rows to fix the provider was given for `period`: its rows_to_fix.csv if kept,
    else its quarantined rows of months up to that period as they stand now."""
    path = Path(settings.reports_dir) / period / "providers" / provider_id / "rows_to_fix.csv"
    if path.is_file():
        with path.open(encoding="utf-8-sig", newline="") as fh:
            return [dict(r) for r in csv.DictReader(fh, delimiter=";")]
    return rows_to_fix(settings.quarantine_dir, provider_id, period)


def _changes(settings: Settings, wh: Warehouse, period: str, provider_id: str,
             obligations: list[dict[str, Any]], fix: list[dict[str, Any]],
             names: Names) -> dict[str, Any]:
    """New, resolved and persisting issues since the provider's previous steering period."""
    previous = wh.previous_period(period)
    out: dict[str, Any] = {"previous": previous}
    if previous is None:
        return out
    before = _compliance_view(
        wh.rows("mart_prom_compliance", previous, provider_id,
                order_by="package_code, instrument, timepoint"), names, suppress_small=False)

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
    then_rows = {_issue_key(r): r for r in _previous_rows_to_fix(settings, previous,
                                                                 provider_id)}
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
                     fix: list[dict[str, Any]]) -> dict[str, Any]:
    """Everything one provider's feedback shows: its own rows, peers only as aggregates."""
    win = window(period)
    names = _names(settings)
    with open_warehouse(settings.warehouse) as wh:
        dq = wh.rows("mart_provider_data_quality", period, provider_id,
                     order_by="month, entity, source_file, status")
        unread = wh.rows("mart_provider_unrecognised_items", period, provider_id,
                         order_by="path")
        comp = wh.rows("mart_prom_compliance", period, provider_id,
                       order_by="package_code, instrument, timepoint")
        outc = wh.rows("mart_provider_package_outcomes", period, provider_id,
                       order_by="package_code, instrument")
        episode_rows = wh.rows("mart_prom_obligation_episodes", period, provider_id,
                               order_by="package_code, episode_id, cycle, instrument, "
                                        "timepoint_order")
        obligations = _compliance_view(comp, names, suppress_small=False)
        changes = _changes(settings, wh, period, provider_id, obligations, fix, names)
    obligations.sort(key=lambda o: (o["scope"] != "package", o["scope_code"],
                                    o["timepoint_order"] or 0, o["timepoint"],
                                    o["instrument"]))
    mart_name = next((r["provider_name"] for r in (*dq, *comp, *outc) if r["provider_name"]),
                     None)
    failing = [o for o in obligations if o["status"] == "fail"]
    episodes = _episode_view(episode_rows, names)
    collectable = [e for e in episodes if e["collectable"]]
    missed = [e for e in episodes if not e["collectable"]]
    files = []
    for r in dq:
        ent_fi, ent_en = ENTITIES.get(r["entity"], (r["entity"], r["entity"]))
        files.append({**r, "entity_fi": ent_fi, "entity_en": ent_en,
                      "status_fi": STATUSES.get(r["status"], r["status"])})
    sent_months = {r["month"] for r in dq}
    by_rule: dict[tuple[str, str, str], int] = defaultdict(int)
    for r in fix:
        by_rule[(r["entity"], r["rule"], r["column_name"])] += 1
    return {
        "period": period, "window": win, "generated": _generated(),
        "provider_id": provider_id, "provider_name": names.provider(provider_id, mart_name),
        "has_data": bool(dq or comp or outc),
        "obligations": obligations, "failing": failing,
        "evaluated": sum(o["status"] in ("pass", "fail") for o in obligations),
        "within_noise": sum(o["within_noise"] for o in obligations),
        "episodes": episodes,
        "collectable": collectable[:HTML_EPISODES_LIMIT], "collectable_total": len(collectable),
        "missed": missed[:HTML_EPISODES_LIMIT], "missed_total": len(missed),
        "episodes_limit": HTML_EPISODES_LIMIT,
        "changes": changes,
        "outcomes": _outcome_groups(outc, names, suppress_own=False),
        "files": files,
        "rejected": [f for f in files if f["status"] == "rejected"],
        "standing": [f for f in files if f["status"] == "standing"],
        "unrecognised": unread,
        "totals": {c: sum(r.get(c) or 0 for r in dq)
                   for c in ("rows_in", "rows_accepted", "rows_quarantined", "blank_lines")},
        "missing_months": [m for m in win.months if m not in sent_months] if dq else [],
        "rows_to_fix": fix[:HTML_ROWS_TO_FIX_LIMIT], "rows_to_fix_total": len(fix),
        "rows_to_fix_limit": HTML_ROWS_TO_FIX_LIMIT,
        "by_rule": [{"entity": e, "rule": r, "column_name": c, "count": n}
                    for (e, r, c), n in sorted(by_rule.items(), key=lambda kv: -kv[1])],
        "entities": ENTITIES,
    }


def render_provider_feedback(settings: Settings, period: str,
                             provider_id: str) -> ProviderFeedback:
    """Write `<reports_dir>/<period>/providers/<id>/`: feedback.html, rows_to_fix.csv and
    episodes_to_complete.csv."""
    _check_provider_id(provider_id)
    fix = rows_to_fix(settings.quarantine_dir, provider_id, period)
    context = feedback_context(settings, period, provider_id, fix)
    out_dir = Path(settings.reports_dir) / period / "providers" / provider_id
    html = environment(settings.templates_dir).get_template(
        "provider_feedback.html.j2").render(**context)
    html_path = _write(out_dir / "feedback.html", html)
    csv_path = write_rows_to_fix(out_dir / "rows_to_fix.csv", fix)
    episodes_path = write_episodes_to_complete(out_dir / "episodes_to_complete.csv",
                                               context["episodes"])
    return ProviderFeedback(provider_id, html_path, csv_path, len(context["failing"]), len(fix),
                            episodes_path, len(context["episodes"]))


# --------------------------------------------------------------------------- all reports

def providers_for(settings: Settings, period: str) -> dict[str, str]:
    """Provider id -> name: the marts' providers of the period and the registered providers."""
    names = _names(settings)
    found: dict[str, str] = {}
    with open_warehouse(settings.warehouse) as wh:
        for table in ("mart_provider_data_quality", "mart_prom_compliance"):
            for r in wh.rows(table, period):
                found.setdefault(r["provider_id"], names.provider(r["provider_id"],
                                                                  r["provider_name"]))
    for pid, name in names.providers.items():
        found.setdefault(pid, name)
    return dict(sorted(found.items(), key=lambda kv: kv[1]))


def render_all(settings: Settings, period: str) -> list[Path]:
    """Render the steering report, every provider's feedback and `index.html` linking them."""
    written = [render_steering_report(settings, period)]
    feedback = []
    for pid, name in providers_for(settings, period).items():
        fb = render_provider_feedback(settings, period, pid)
        feedback.append({"provider_id": pid, "provider_name": name, "feedback": fb,
                         "html": f"providers/{pid}/feedback.html",
                         "csv": f"providers/{pid}/rows_to_fix.csv",
                         "episodes_csv": f"providers/{pid}/episodes_to_complete.csv"})
        written += [fb.html_path, fb.csv_path]
        if fb.episodes_csv_path:
            written.append(fb.episodes_csv_path)
    html = environment(settings.templates_dir).get_template("index.html.j2").render(
        period=period, window=window(period), generated=_generated(), providers=feedback)
    written.append(_write(Path(settings.reports_dir) / period / "index.html", html))
    return written
