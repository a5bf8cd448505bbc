"""Messages a person reads, kept as an English template and its values, rendered per language.

A check that finds something wrong builds `msg("{column} {value} is not a number",
column=..., value=...)`. The message is a `str` holding its English text, for logs, the
CLI and the lake's readable columns; `to_json()` keeps the template and the values, so a
report renders the same message in its reader's language with `render(lang)` years later.

The translations live in one gettext catalogue per language,
`arvo/locale/<lang>/LC_MESSAGES/arvo.po` (fi, sv, en), read with Babel. The English
template is the message id, as gettext does; a template missing from a catalogue falls
back to English, and tests/test_messages.py fails when any catalogue lacks one.
`make messages` extracts every template into `arvo/locale/arvo.pot` and merges it into the
catalogues for translators.

The reports' text comes from the same catalogues: `translations(lang)` is the catalogue as
gettext translations (`gettext`, `ngettext`), which the reports' Jinja2 environment
installs for its `{% trans %}` blocks and `_()` calls (arvo/report/formatting.py), and
`localized(value, lang)` renders a message a report view built in the report's language.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import cache
from io import BytesIO
from pathlib import Path
from string import Formatter

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "arvo"
LANGUAGES = ("fi", "sv", "en")
DEFAULT_LANGUAGE = "fi"


class UnknownLanguage(ValueError):
    """A language Arvo has no catalogue for."""


class Message(str):
    """An English template with named fields and their values (text, numbers or messages);
    as a `str`, its English text."""

    template: str
    args: Mapping[str, object]

    def __new__(cls, template: str, args: Mapping[str, object] | None = None) -> Message:
        args = dict(args or {})
        self = super().__new__(cls, _format(template, args, "en"))
        self.template, self.args = template, args
        return self

    def render(self, lang: str = "en") -> str:
        """The message in `lang`, its message-valued fields rendered in `lang` too."""
        return _format(self.template, self.args, lang)

    def __repr__(self) -> str:
        return f"msg({self.template!r}, **{self.args!r})"

    def __getnewargs__(self) -> tuple:  # pickle rebuilds it from its parts
        return self.template, self.args

    def to_data(self) -> dict:
        return {"t": self.template, "a": {k: _data(v) for k, v in self.args.items()}}

    def to_json(self) -> str:
        return json.dumps(self.to_data(), ensure_ascii=False, sort_keys=True)


class Joined(str):
    """Messages shown one after the other, separated by `sep` ("; " by default); as a
    `str`, their English text."""

    parts: tuple[Message | Joined, ...]
    sep: str

    def __new__(cls, parts: Iterable[Message | Joined], sep: str = "; ") -> Joined:
        parts = tuple(parts)
        self = super().__new__(cls, sep.join(p for p in parts if p))
        self.parts, self.sep = parts, sep
        return self

    def render(self, lang: str = "en") -> str:
        return self.sep.join(t for t in (p.render(lang) for p in self.parts) if t)

    def __repr__(self) -> str:
        return f"joined({list(self.parts)!r}, {self.sep!r})"

    def __getnewargs__(self) -> tuple:
        return self.parts, self.sep

    def to_data(self) -> dict:
        return {"j": [p.to_data() for p in self.parts], "s": self.sep}

    def to_json(self) -> str:
        return json.dumps(self.to_data(), ensure_ascii=False, sort_keys=True)


Text = Message | Joined


def msg(template: str, /, **args: object) -> Message:
    """A message: `template` is English with `{name}` fields, `args` their values."""
    return Message(template, args)


def N_(template: str) -> str:
    """Marks a template for the catalogues where the message is built later (gettext's
    "no-op" marker): `_bad(rows, ..., N_("{column} is empty"))`."""
    return template


def joined(parts: Iterable[Text], sep: str = "; ") -> Joined:
    """`parts` as one message (an empty one renders as "")."""
    return Joined(parts, sep)


def from_json(text: str) -> Text:
    """The message `to_json` wrote."""
    return _from_data(json.loads(text))


def render_json(text: str | None, lang: str, fallback: str | None = None) -> str | None:
    """A stored message in `lang`; `fallback` (the stored English text) when none is stored."""
    return from_json(text).render(lang) if text else fallback


def fields(template: str) -> set[str]:
    """The named fields of a template ("{column} {value} ..." -> {"column", "value"})."""
    return {name for _, name, _, _ in Formatter().parse(template) if name}


def translate(template: str, lang: str) -> str:
    """`template` in `lang`, or the English template when the catalogue lacks it."""
    return catalogue(lang).get(template) or template


def check_language(lang: str) -> str:
    """`lang` if Arvo has a catalogue for it; UnknownLanguage naming the languages otherwise."""
    if lang not in LANGUAGES:
        raise UnknownLanguage(f"no messages in language {lang!r}; Arvo speaks "
                              f"{', '.join(LANGUAGES)}")
    return lang


@cache
def _po(lang: str) -> Catalog:
    path = LOCALE_DIR / check_language(lang) / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as f:
        return read_po(f, locale=lang)


@cache
def catalogue(lang: str) -> dict[str, str]:
    """The translations of `lang`: English template -> translated template (a plural
    message by its singular id, with its first form)."""
    out = {}
    for m in _po(lang):
        if m.id and m.string and not m.fuzzy:
            key, text = (m.id[0], m.string[0]) if m.pluralizable else (m.id, m.string)
            if text:
                out[key] = text
    return out


@cache
def translations(lang: str) -> Translations:
    """The catalogue of `lang` as gettext translations (`gettext`, `ngettext`; an id it
    lacks falls back to English), compiled in memory from its .po file."""
    buffer = BytesIO()
    write_mo(buffer, _po(lang))
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def localized(value: object, lang: str) -> object:
    """`value` in `lang` when it is a message (`msg`, `joined`); any other value as it is."""
    return value.render(lang) if isinstance(value, Message | Joined) else value


DECIMAL_COMMA = ("fi", "sv")
"""Languages that write a decimal comma: a number in a message is shown so in them
("0,925"), as the reports' own figures are (CLDR, via Babel); every digit is kept."""


def _value(value: object, lang: str) -> object:
    """A field's value as a message in `lang` shows it."""
    if isinstance(value, float) and lang in DECIMAL_COMMA:
        return str(value).replace(".", ",")
    return localized(value, lang)


def _format(template: str, args: Mapping[str, object], lang: str) -> str:
    return translate(template, lang).format(**{k: _value(v, lang) for k, v in args.items()})


def _data(value: object) -> object:
    return value.to_data() if isinstance(value, Message | Joined) else value


def _from_data(data: object) -> object:
    if isinstance(data, dict) and "t" in data:
        return Message(data["t"], {k: _from_data(v) for k, v in data["a"].items()})
    if isinstance(data, dict) and "j" in data:
        return Joined(tuple(_from_data(p) for p in data["j"]), data["s"])
    return data
