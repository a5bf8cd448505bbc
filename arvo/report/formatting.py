"""Finnish number and date formatting, the steering window, and the Jinja2 environment.

The filters print a hidden cell (arvo.report.disclosure) as its marker and a missing
value as "–", so templates never test for either themselves.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from arvo.periods import add_months, window_months
from arvo.report.disclosure import MIN_PEERS, SMALL_CELL, _Suppressed, hidden

_TZ = ZoneInfo("Europe/Helsinki")

MONTHS_FI = ("tammikuu", "helmikuu", "maaliskuu", "huhtikuu", "toukokuu", "kesäkuu",
             "heinäkuu", "elokuu", "syyskuu", "lokakuu", "marraskuu", "joulukuu")


def missing(value: Any) -> bool:
    """None or NaN."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def _hidden_markup(value: _Suppressed) -> Markup:
    return Markup('<span class="sup" title="{}">{}</span>').format(value.title, value.text)


STABLE_DECIMALS = 9
STABLE_DIGITS = 12
"""Figures are cut to 12 significant digits and at most 9 decimals before they are
rounded for show: DuckDB sums doubles in parallel, so a mean's or a sum's last bits vary
from run to run, and a figure on a rounding midpoint (0.6435, 12 345 678.5) would print
one way on one run and the other way on the next."""


def stable(value: Any) -> float:
    """`value` as a float without the run-to-run noise of its last bits."""
    return round(float(f"{float(value):.{STABLE_DIGITS}g}"), STABLE_DECIMALS)


def rounded(value: Any, decimals: int) -> Decimal:
    """`value` as shown with `decimals` decimals: cut by `stable`, then rounded
    half away from zero as by hand (0.6435 -> 0.644, 21.25 -> 21.3, -0.125 -> -0.13)."""
    number = Decimal(str(value)) if isinstance(value, Decimal) else Decimal(repr(stable(value)))
    rounded = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return rounded if rounded != 0 else abs(rounded)  # no "-0,00"


def fi_number(value: Any, decimals: int = 2) -> str:
    """Finnish number: space as thousands separator, decimal comma (1234567.891 -> 1 234 567,89)."""
    if hidden(value):
        return _hidden_markup(value)
    if missing(value):
        return "–"
    text = f"{rounded(value, decimals):,.{decimals}f}"
    return text.replace(",", " ").replace(".", ",")


def fi_int(value: Any) -> str:
    """Finnish integer with space as thousands separator."""
    return fi_number(value, 0)


def fi_eur(value: Any, decimals: int = 0) -> str:
    """Euros the Finnish way: 1 234 €."""
    text = fi_number(value, decimals)
    return text if hidden(value) or missing(value) else f"{text} €"


def fi_pct(value: Any, decimals: int = 1) -> str:
    """A share 0..1 as a Finnish percentage: 0.1234 -> 12,3 %."""
    if hidden(value) or missing(value):
        return fi_number(value)
    return f"{fi_number(float(value) * 100, decimals)} %"


def fi_signed(value: Any, decimals: int = 3) -> str:
    """A change with an explicit sign: +0,052 / -0,031."""
    text = fi_number(value, decimals)
    if hidden(value) or missing(value):
        return text
    return text if text.startswith("-") or rounded(value, decimals) == 0 else f"+{text}"


def fi_pp(value: Any, decimals: int = 1) -> str:
    """A difference of two shares in percentage points: -0.123 -> -12,3 %-yks."""
    if hidden(value) or missing(value):
        return fi_number(value)
    return f"{fi_signed(float(value) * 100, decimals)} %-yks."


def fi_date(value: date) -> str:
    """Finnish date: 30.6.2025."""
    return f"{value.day}.{value.month}.{value.year}"


def fi_month(month: str) -> str:
    """'2025-06' -> 'kesäkuu 2025'."""
    year, mon = month.split("-")
    return f"{MONTHS_FI[int(mon) - 1]} {year}"


def generated() -> str:
    """Now in Helsinki, as the reports print when they were made."""
    now = datetime.now(_TZ)
    return f"{fi_date(now.date())} klo {now:%H.%M}"


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
    from arvo.report.labels import rule  # labels reads the warehouse, which uses `missing`

    env.filters["rule_fi"] = rule
    from arvo.report.pdf import css_content  # the print page label (print.html.j2)

    env.filters["css_content"] = css_content
    env.globals.update(SMALL_CELL=SMALL_CELL, MIN_PEERS=MIN_PEERS)
    env.tests["hidden"] = hidden
    return env
