"""Where the message templates are, and how the catalogues are kept up to date.

Every template a person may read is a message id: the `msg("...")` and `N_("...")` calls in
`arvo/` (the report views' text included), the `{% trans %}` blocks and `_()` calls of the
report templates (`reports/templates/`, with Babel's Jinja2 extractor), and the `reason` of
each Great Expectations submission check (`expectations/suites/`). `make
messages` writes them to `arvo/locale/arvo.pot` and merges that into each language's
catalogue (new ids untranslated, translations of removed ids kept as obsolete), the way
`pybabel update` does; tests/test_messages.py fails while any catalogue lacks one.
"""

from __future__ import annotations

import json
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from arvo.messages import DOMAIN, LANGUAGES, LOCALE_DIR

PACKAGE_DIR = Path(__file__).parent
SUITES_DIR = PACKAGE_DIR.parent / "expectations" / "suites"
TEMPLATES_DIR = PACKAGE_DIR.parent / "reports" / "templates"
JINJA_OPTIONS = {"trimmed": "true", "newstyle_gettext": "true"}
"""As arvo.report.formatting.environment sets Jinja2's i18n extension: each `{% trans %}`
block's whitespace collapsed, and `%%` for a literal per cent sign in every id."""


def template_ids() -> dict[str, list[str]]:
    """Every message id, with where it is used ("arvo/ingest/read.py:112")."""
    found: dict[str, list[str]] = {}
    for name, line, message, _comments, _context in extract_from_dir(
            PACKAGE_DIR, method_map=[("**.py", "python")], keywords={"msg": None, "N_": None},
            comment_tags=()):
        found.setdefault(message, []).append(f"arvo/{name}:{line}")
    for name, line, message, _comments, _context in extract_from_dir(
            TEMPLATES_DIR, method_map=[("**.j2", "jinja2.ext:babel_extract")],
            options_map={"**.j2": JINJA_OPTIONS}, comment_tags=()):
        if isinstance(message, tuple):  # the catalogues and their test hold singular ids
            raise ValueError(f"reports/templates/{name}:{line}: a plural message "
                             f"({message[0]!r}); write the count as a value instead")
        found.setdefault(message, []).append(f"reports/templates/{name}:{line}")
    for path in sorted(SUITES_DIR.glob("*.json")):
        suite = json.loads(path.read_text("utf-8"))
        for check in suite.get("expectations", []):
            reason = check["meta"].get("reason")
            if reason:
                found.setdefault(reason, []).append(
                    f"expectations/suites/{path.name}:{check['meta']['rule']}")
    return found


def update_catalogues() -> list[Path]:
    """Write `arvo.pot` and merge it into every language's catalogue; the paths written."""
    template = Catalog(domain=DOMAIN, project="Arvo")
    for message, where in sorted(template_ids().items()):
        template.add(message, locations=[(w.rsplit(":", 1)[0], None) for w in where])
    written = [_write(LOCALE_DIR / f"{DOMAIN}.pot", template)]
    for lang in LANGUAGES:
        path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
        if path.exists():
            with path.open("rb") as f:
                catalog = read_po(f, locale=lang)
        else:
            catalog = Catalog(locale=lang, domain=DOMAIN, project="Arvo")
        catalog.update(template, no_fuzzy_matching=True)
        written.append(_write(path, catalog))
    return written


def _write(path: Path, catalog: Catalog) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        write_po(f, catalog, width=96, omit_header=False, sort_output=True,
                 include_previous=False)
    return path


if __name__ == "__main__":
    for p in update_catalogues():
        print(p)
