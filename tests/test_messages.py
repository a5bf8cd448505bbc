"""Messages: kept as a template and values, rendered per language from complete catalogues."""

from __future__ import annotations

import pickle

import pytest

from arvo.messages import (
    LANGUAGES,
    UnknownLanguage,
    catalogue,
    fields,
    from_json,
    joined,
    msg,
    render_json,
)
from arvo.translations import template_ids


def test_every_template_is_translated_in_every_catalogue():
    ids = template_ids()
    assert len(ids) > 50  # the ingest's and the submission checks' messages
    for lang in LANGUAGES:
        translations = catalogue(lang)
        missing = [i for i in ids if not translations.get(i)]
        assert not missing, (lang, missing[:5])
        wrong = [i for i in ids if fields(translations[i]) != fields(i)]
        assert not wrong, (lang, wrong[:5])


def test_a_message_renders_in_each_language_with_its_nested_parts():
    reason = msg("{column} {value} is not a number", column="cost_eur", value="'n/a'")
    located = msg("{file} row {row}: {reason}", file="events.csv", row=7, reason=reason)
    assert str(located) == "events.csv row 7: cost_eur 'n/a' is not a number"
    assert located.render("fi") == "events.csv rivi 7: cost_eur 'n/a' ei ole luku"
    assert located.render("sv") == "events.csv rad 7: cost_eur 'n/a' är inte ett tal"


def test_a_stored_message_renders_the_same_after_a_round_trip():
    notes = joined([msg("{lines} blank line(s) skipped", lines=2), joined([]),
                    msg("ignored extra column(s): {columns}", columns="x, y")])
    again = from_json(notes.to_json())
    assert again == notes
    assert again.render("fi") == ("2 tyhjää riviä ohitettiin; ylimääräiset sarakkeet "
                                  "jätettiin huomiotta: x, y")
    assert render_json(None, "fi", "stored English") == "stored English"
    pickled = pickle.loads(pickle.dumps(notes))  # as Prefect keeps a task's result
    assert pickled.render("sv") == notes.render("sv") and pickled.parts == notes.parts


def test_a_template_without_a_translation_falls_back_to_english():
    assert msg("no such template {x}", x=1).render("fi") == "no such template 1"


def test_an_unknown_language_is_refused_with_the_languages_there_are():
    with pytest.raises(UnknownLanguage, match="fi, sv, en"):
        msg("identity code is missing").render("de")


def test_a_number_in_a_message_takes_the_languages_decimal_sign():
    m = msg("{value} against the target {target} (n {n}, {code})", value=0.925, target=1.0,
            n=107, code="v1.2")
    assert m.render("fi") == m.render("sv") == "0,925 against the target 1,0 (n 107, v1.2)"
    assert m.render("en") == str(m) == "0.925 against the target 1.0 (n 107, v1.2)"
    assert msg("{x}", x=-0.0123456789).render("fi") == "-0,0123456789"  # every digit kept
