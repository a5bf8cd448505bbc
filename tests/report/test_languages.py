"""Reports in the reader's language: one language per report, Babel's formatting, the
provider's language from the register, `arvo report --lang` (docs/languages.md)."""

from __future__ import annotations

import re
from html import unescape

import pytest
from click.testing import CliRunner

from arvo import report
from arvo.config import Settings
from arvo.report.labels import names
from flows.cli import main
from tests.report.handmade import PERIOD, A

FINNISH_ONLY = ("Tuloksenne", "Velvoite ei täyty", "toteuma", "vaatimus", "Yhteenveto",
                "Korjattavat rivit", "Hylätyt tiedostot", "Toimitetut rivit", "Mitä tehdä",
                "hoitojakso", "palveluntuottaja", "Luottamuksellinen", "Tarkastelujakso",
                "Luotu", " klo ", "seuranta", "odotettua", "paria", "kesäkuu", "Kausi",
                "Parien määrä", "Vertailuryhmän mediaani", "Tiedostot kuukausittain",
                "karanteeni", "%-yks.", "Sääntö", "Syy")
"""Words of the Finnish feedback's own text (not of its data: names, files, IDs)."""


def _text(html: str) -> str:
    """What a reader sees: the text outside tags, and the titles and labels of the page."""
    shown = re.sub(r"<style.*?</style>", " ", html, flags=re.S)
    attributes = " ".join(re.findall(r'(?:title|aria-label)="([^"]*)"', shown))
    return unescape(re.sub(r"<[^>]+>", " ", shown) + " " + attributes)


@pytest.fixture()
def feedback(settings: Settings) -> dict[str, str]:
    """Provider A's feedback in each language."""
    return {lang: _text(report.render_provider_feedback(settings, PERIOD, A, lang)
                        .html_path.read_text("utf-8")) for lang in ("fi", "sv", "en")}


def test_a_feedback_in_swedish_or_english_has_no_finnish_text(feedback):
    present = [w for w in FINNISH_ONLY if w in feedback["fi"]]
    assert len(present) == len(FINNISH_ONLY), set(FINNISH_ONLY) - set(present)
    for lang in ("sv", "en"):
        left = [w for w in FINNISH_ONLY if w in feedback[lang]]
        assert not left, (lang, left)
    assert "Ert resultat" in feedback["sv"] and "Skyldigheten uppfylls inte" in feedback["sv"]
    assert "Your result" in feedback["en"] and "Obligation not met" in feedback["en"]


ENGLISH_ONLY = ("Your result", "as expected", "pairs", "Rows to fix", "required", "What to do",
                "Created", "Summary", "Confidential")


def test_a_feedback_in_finnish_or_swedish_has_no_english_text(feedback):
    present = [w for w in ENGLISH_ONLY if w in feedback["en"]]
    assert len(present) == len(ENGLISH_ONLY), set(ENGLISH_ONLY) - set(present)
    for lang in ("fi", "sv"):
        left = [w for w in ENGLISH_ONLY if w in feedback[lang]]
        assert not left, (lang, left)
    # a verdict inside a sentence is in the sentence's language too
    assert "arvio olisi ollut odotetun mukainen" in feedback["fi"]
    assert "bedömningen varit som förväntat" in feedback["sv"]


def test_numbers_and_dates_are_formatted_for_the_language(feedback):
    fi, sv, en = feedback["fi"], feedback["sv"], feedback["en"]
    # the failing obligation: rate 40 %, 20 points below the requirement
    assert "40 %" in fi and "-20,0 %-yks." in fi and "1.7.2024–30.6.2025" in fi
    assert "40 %" in sv and "-20,0 procentenheter" in sv and "1 juli 2024–30 juni 2025" in sv
    assert "40%" in en and "-20.0 pp" in en and "Jul 1, 2024–Jun 30, 2025" in en
    assert "vakioitu tulos 9,2" in fi and "adjusted score 9.2" in en
    assert "juni 2025" in sv and "June 2025" in en  # the period's month, from Babel


def test_the_page_says_its_language(settings: Settings):
    html = report.render_provider_feedback(settings, PERIOD, A, "sv").html_path.read_text(
        "utf-8")
    assert '<html lang="sv">' in html


class _Register:
    """A warehouse holding only mart_period_register."""

    def __init__(self, rows: list[dict]) -> None:
        self._rows = rows

    def rows(self, table: str, period: str) -> list[dict]:
        assert table == "mart_period_register"
        return [dict(r) for r in self._rows]


def test_a_providers_language_and_swedish_names_come_from_the_register(settings: Settings):
    register = _Register([
        {"kind": "provider", "code": A, "name_fi": "Kuntoutus Liike Oy", "name_en": None,
         "name_sv": "Rehabilitering Liike Ab", "language": "sv"},
        {"kind": "provider", "code": "2", "name_fi": "Toinen Oy", "name_en": None,
         "name_sv": None, "language": None},
        {"kind": "package", "code": "DEP", "name_fi": "Masennus", "name_en": "Depression",
         "name_sv": "Depression (sv)", "language": None},
        {"kind": "segment", "code": "HNHC", "name_fi": "Paljon", "name_en": "High",
         "name_sv": None, "language": None}])
    fi = names(settings, register, PERIOD)
    assert fi.language(A) == "sv" and fi.language("2") is None
    assert fi.provider(A) == "Kuntoutus Liike Oy"
    sv = names(settings, register, PERIOD, "sv")
    assert sv.provider(A) == "Rehabilitering Liike Ab" and sv.provider("2") == "Toinen Oy"
    assert sv.package("DEP") == ("Depression (sv)", "Depression")
    assert sv.segment("HNHC") == ("Paljon", "High")  # no Swedish name: the Finnish one
    assert names(settings, register, PERIOD, "en").package("DEP")[0] == "Depression"


def test_report_lang_on_the_command_line(monkeypatch, tmp_path):
    import flows.steering

    seen = {}
    monkeypatch.setattr(flows.steering, "report", lambda params: seen.update(
        lang=params.lang) or [])
    result = CliRunner().invoke(main, ["report", "--period", "2025-06", "--lang", "sv",
                                       "--home", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert seen == {"lang": "sv"}
    result = CliRunner().invoke(main, ["report", "--period", "2025-06", "--lang", "de",
                                       "--home", str(tmp_path)])
    assert result.exit_code == 2 and "Invalid value for '--lang'" in result.output
    assert "Traceback" not in result.output


STEERING_FINNISH = ("Ohjausraportti", "Huomiota vaativat", "Segmenttien arvo", "Asiakkaat",
                    "Kustannusten kasautuminen", "Suppilokuvio", "odotettua", "Menetelmä",
                    "Tietojen laatu", "Pienten lukujen", "Lähteet", "indeksi", "pisteet",
                    "ikäryhmä", "hoitojakso", "palveluntuottaja", "paria")


def test_the_steering_report_in_swedish_or_english_has_no_finnish_text(settings: Settings):
    shown = {lang: _text(report.render_steering_report(settings, PERIOD, lang).read_text(
        "utf-8")) for lang in ("fi", "sv", "en")}
    present = [w for w in STEERING_FINNISH if w in shown["fi"]]
    assert len(present) == len(STEERING_FINNISH), set(STEERING_FINNISH) - set(present)
    for lang in ("sv", "en"):
        left = [w for w in STEERING_FINNISH if w in shown[lang]]
        assert not left, (lang, left)
    assert "Styrningsrapport juni 2025" in shown["sv"] and "750 000 €" in shown["sv"]
    assert "Steering report June 2025" in shown["en"] and "€750,000" in shown["en"]
