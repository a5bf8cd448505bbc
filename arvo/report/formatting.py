"""Numbers, money and dates in the report's language, the steering window, and the Jinja2
environment of a report in one language.

Numbers, euros, percentages, dates and month names come from Babel's locale data for the
language (fi, sv, en), after Arvo's own rounding (`stable`, `rounded`: half away from
zero, exact Decimal euros until shown). The filters print a hidden cell
(arvo.report.disclosure) as its marker and a missing value as "–", so templates never
test for either themselves.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import cache, lru_cache, partial
from hashlib import sha1
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date, format_skeleton, format_time
from babel.numbers import format_currency, format_decimal, format_percent
from jinja2 import (
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    StrictUndefined,
    select_autoescape,
)
from markupsafe import Markup

from arvo.messages import DEFAULT_LANGUAGE, check_language, localized, msg, translations
from arvo.periods import add_months, county_now, window_months
from arvo.report.disclosure import MIN_PEERS, SMALL_CELL, _Suppressed, hidden


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


_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2212": "-"})
"""Babel's no-break spaces and minus sign as a plain space and hyphen-minus, as the reports
have always printed them and as a spreadsheet reads them back (Arvo's choice)."""


@cache
def _locale(lang: str) -> Locale:
    """Babel's locale data of `lang`, parsed once (each figure of a report is formatted
    with it)."""
    return Locale.parse(lang)


@lru_cache(maxsize=256)
def _fraction(pattern: str, decimals: int) -> str:
    """A Babel number pattern with exactly `decimals` decimals ("#,##0.00 ¤", 0 -> "#,##0 ¤")."""
    return re.sub(r"0(\.0*)?(?![0-9])", "0" + ("." + "0" * decimals if decimals else ""),
                  pattern, count=1)


def _blank(value: Any) -> str | Markup | None:
    """A hidden cell's marker, "–" for a missing value, None for a value to show."""
    if hidden(value):
        return _hidden_markup(value)
    return "–" if missing(value) else None


def number(value: Any, decimals: int = 2, lang: str = DEFAULT_LANGUAGE) -> str:
    """A number in `lang` (Babel), rounded by `rounded`: fi and sv 1 234 567,89, en 1,234,567.89."""
    if (blank := _blank(value)) is not None:
        return blank
    text = format_decimal(rounded(value, decimals), _fraction("#,##0.0", decimals),
                          locale=_locale(lang), decimal_quantization=True)
    return text.translate(_SPACES)


def integer(value: Any, lang: str = DEFAULT_LANGUAGE) -> str:
    """A whole number in `lang` with its thousands separator."""
    return number(value, 0, lang)


def eur(value: Any, decimals: int = 0, lang: str = DEFAULT_LANGUAGE) -> str:
    """Euros in `lang` (Babel's currency pattern): fi and sv 1 234 €, en €1,234."""
    if (blank := _blank(value)) is not None:
        return blank
    pattern = _fraction(_locale(lang).currency_formats["standard"].pattern, decimals)
    return format_currency(rounded(value, decimals), "EUR", pattern, locale=_locale(lang),
                           currency_digits=False).translate(_SPACES)


def pct(value: Any, decimals: int = 1, lang: str = DEFAULT_LANGUAGE) -> str:
    """A share 0..1 as a percentage in `lang`: fi and sv 12,3 %, en 12.3%."""
    if (blank := _blank(value)) is not None:
        return blank
    pattern = _fraction(_locale(lang).percent_formats[None].pattern, decimals)
    share = rounded(float(value) * 100, decimals).scaleb(-2)
    return format_percent(share, pattern, locale=_locale(lang)).translate(_SPACES)


def signed(value: Any, decimals: int = 3, lang: str = DEFAULT_LANGUAGE) -> str:
    """A change with an explicit sign: +0,052 / -0,031 (en +0.052)."""
    text = number(value, decimals, lang)
    if hidden(value) or missing(value):
        return text
    return text if text.startswith("-") or rounded(value, decimals) == 0 else f"+{text}"


def pp(value: Any, decimals: int = 1, lang: str = DEFAULT_LANGUAGE) -> str:
    """A difference of two shares in percentage points: fi -12,3 %-yks., sv -12,3 procentenh.,
    en -12.3 pp."""
    if hidden(value) or missing(value):
        return number(value, 0, lang)
    return msg("{points} pp", points=signed(float(value) * 100, decimals, lang)).render(lang)


@lru_cache(maxsize=4096)  # a report shows the same few hundred dates thousands of times
def day(value: date, lang: str = DEFAULT_LANGUAGE) -> str:
    """A date in `lang` (Babel's medium format): fi 30.6.2025, sv 30 juni 2025, en Jun 30, 2025."""
    return format_date(value, "medium", locale=_locale(lang))


def month(period: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """'2025-06' as a month in `lang` (Babel's month names): fi kesäkuu 2025, sv juni 2025."""
    return format_skeleton("yMMMM", date.fromisoformat(period + "-01"), locale=_locale(lang))


def moment(value: datetime | None, lang: str = DEFAULT_LANGUAGE) -> str:
    """A date and time in `lang` (fi 30.6.2025 klo 14.05); a dash when missing."""
    if missing(value):
        return "–"
    return msg("{date} at {time}", date=day(value.date(), lang),
               time=format_time(value, "short", locale=_locale(lang))).render(lang)


def generated(lang: str = DEFAULT_LANGUAGE) -> str:
    """Now in Helsinki, as the reports print when they were made (fi 30.6.2025 klo 14.05);
    the time of $SOURCE_DATE_EPOCH instead when it is set (arvo.periods.county_now)."""
    return moment(county_now(), lang)


@dataclass(frozen=True)
class Window:
    period: str
    months: tuple[str, ...]
    start: date
    end: date
    lang: str = DEFAULT_LANGUAGE

    @property
    def label(self) -> str:
        return f"{month(self.months[0], self.lang)} – {month(self.months[-1], self.lang)}"


def window(period: str, lang: str = DEFAULT_LANGUAGE) -> Window:
    """The 12 months ending with `period` (YYYY-MM), named in `lang`."""
    months = window_months(period)
    end = date.fromordinal(date.fromisoformat(add_months(period, 1) + "-01").toordinal() - 1)
    return Window(period, tuple(months), date.fromisoformat(months[0] + "-01"), end, lang)


def environment(templates_dir: Path, lang: str = DEFAULT_LANGUAGE) -> Environment:
    """The Jinja2 environment of a report in `lang`: the text of its `{% trans %}` blocks
    and `_()` calls from the catalogue of `lang` (Jinja2's i18n extension, new-style
    gettext, whitespace trimmed), messages the views built (`msg`) rendered in `lang`, and
    the formatting filters in `lang` (`fi_date` and `fi_month` are `date` and `month`).
    One environment per folder and language in a process, so each template is compiled
    once, not once per report (a template changed on disk is reloaded: Jinja2 checks).
    Compiled templates are kept between processes in Jinja2's bytecode cache (`_bytecode`)."""
    return _environment(Path(templates_dir).resolve(), check_language(lang))


#: how the templates are compiled (with a `finalize`); the bytecode cache's file names carry
#: their digest, so a change of these never loads code compiled under others
_COMPILE = {"trim_blocks": True, "lstrip_blocks": True, "extensions": ["jinja2.ext.i18n"]}
_AUTOESCAPED = ["html", "j2"]
_COMPILED_UNDER = sha1(repr((sorted(_COMPILE.items()), _AUTOESCAPED)).encode()).hexdigest()[:12]


@cache
def _bytecode() -> FileSystemBytecodeCache | None:
    """Jinja2's bytecode cache in the user's own temporary folder (Jinja2 creates it
    private): a run's process loads the templates compiled by an earlier one instead of
    compiling them again (0.33 s for the 13 templates of one language, 0.02 s from the
    cache). Jinja2 checks each entry against the template's source and its own and
    Python's versions. None where Jinja2 finds no private temporary folder (then each
    process compiles the templates)."""
    try:
        return FileSystemBytecodeCache(pattern=f"arvo-{_COMPILED_UNDER}-%s.cache")
    except (OSError, RuntimeError):
        return None


@lru_cache(maxsize=16)
def _environment(templates_dir: Path, lang: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(templates_dir)),
        autoescape=select_autoescape(_AUTOESCAPED),
        undefined=StrictUndefined,
        finalize=lambda value: localized(value, lang),
        bytecode_cache=_bytecode(),
        **_COMPILE,
    )
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_translations(translations(lang), newstyle=True)
    env.filters.update(
        num=partial(number, lang=lang), integer=partial(integer, lang=lang),
        eur=partial(eur, lang=lang), pct=partial(pct, lang=lang),
        signed=partial(signed, lang=lang), pp=partial(pp, lang=lang),
        date=partial(day, lang=lang), month=partial(month, lang=lang),
        moment=partial(moment, lang=lang),
        fi_date=partial(day, lang=lang), fi_month=partial(month, lang=lang),
        text=partial(localized, lang=lang),
    )
    from arvo.report.labels import rule  # labels reads the warehouse, which uses `missing`

    env.filters["rule_fi"] = env.filters["rule"] = lambda code: rule(code).render(lang)
    env.globals["lang"] = lang
    from arvo.report.pdf import css_content  # the print page label (print.html.j2)

    env.filters["css_content"] = css_content
    env.globals.update(SMALL_CELL=SMALL_CELL, MIN_PEERS=MIN_PEERS)
    env.tests["hidden"] = hidden
    return env
