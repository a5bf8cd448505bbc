"""Targets at a glance in the steering report, and each provider's own targets in its
feedback (arvo/report/objectives.py, reports/templates/objectives.html.j2), on the tiny
warehouse (figures worked by hand in tests/dbt_project/test_objectives.py) and on rows
made up here."""

from __future__ import annotations

import re
from html import unescape

from arvo.report.disclosure import SUPPRESSED
from arvo.report.feedback import feedback_context, render_provider_feedback
from arvo.report.labels import Names
from arvo.report.objectives import provider_objectives, steering_objectives
from arvo.report.steering import render_steering_report, steering_context
from tests.dbt_project.tiny_lake import P1, P2

PERIOD = "2025-01"


def _settings(tiny_warehouse, tmp_path):
    return tiny_warehouse["settings"].model_copy(update={"reports_dir": tmp_path / "reports"})


def test_steering_targets_at_a_glance(tiny_warehouse, tmp_path, fixed_time):
    settings = _settings(tiny_warehouse, tmp_path)
    targets = steering_context(settings, PERIOD)["targets"]
    by_code = {o["code"]: o for o in targets["objectives"]}
    public = by_code["PUBLIC_BASELINE"]
    # 5 of 6: the one episode without a baseline would be given away by the rate, and
    # "met" (at least 80 %) beside it would give the 5 (2 to 4 of 6, or 1 to 4, miss)
    assert public["scope"] == "sector" and public["whole"]["status"] == "hidden"
    assert public["whole"]["value"] is SUPPRESSED and public["whole"]["ci_lower"] is None
    assert [t["period"] for t in public["whole"]["trend"]] == ["2024-12", PERIOD]
    assert [t["status"] for t in public["whole"]["trend"]] == ["hidden", "hidden"]
    assert public["providers"] == {"met": 0, "near": 0, "missed": 0, "not_measurable": 4}
    # P2's obligations rest on 1 to 3 eligible episodes each: the steering report does not
    # assess them, so neither does the target (docs/disclosure.md)
    assert by_code["PRIVATE_OBLIGATIONS"]["providers"]["met"] == 0
    assert by_code["PRIVATE_OBLIGATIONS"]["whole"]["reason"] == "no_data"
    assert by_code["HNHC_EQ5D_GAIN"]["whole"]["reason"] in ("no_data", "too_few_clients")

    html = render_steering_report(settings, PERIOD).read_text(encoding="utf-8-sig")
    section = html[html.index('id="tavoitteet"'):]
    section = section[:section.index("</section>")]
    assert "Tavoitteet yhdellä silmäyksellä" in section
    assert "<caption>Tavoitteiden toteutuminen kohteittain</caption>" in section
    assert '<th scope="row">Julkiset palveluntuottajat keräävät' in section
    # a status is told by a symbol and words, not by colour alone
    assert re.search(r'class="badge none"><span aria-hidden="true">–</span> ei näytetä: '
                     r'kertoisi piilotetun luvun', section)
    assert "alle 5 asiakasta" in section
    assert "PUBLIC_BASELINE" not in section and "not_measurable" not in section


def test_provider_feedback_shows_its_own_targets(tiny_warehouse, tmp_path, fixed_time):
    settings = _settings(tiny_warehouse, tmp_path)
    own = feedback_context(settings, PERIOD, P1)["targets"]
    assert {o["code"] for o in own} == {"HIP_KNEE_PARTICIPATION", "PUBLIC_BASELINE"}
    public = next(o for o in own if o["code"] == "PUBLIC_BASELINE")
    assert (public["own"]["status"], public["own"]["reason"]) == ("not_measurable",
                                                                 "too_few_clients")
    assert public["own"]["value"] is SUPPRESSED  # 3 of 3, 3 clients: its own figure too
    assert "whole" not in public  # never the scope's figure, which holds the peers'

    p2 = {o["code"]: o for o in feedback_context(settings, PERIOD, P2)["targets"]}
    assert (p2["PRIVATE_OBLIGATIONS"]["own"]["status"],
            p2["PRIVATE_OBLIGATIONS"]["own"]["reason"]) == ("not_measurable", "no_data")
    assert p2["DEP_RECOVERY"]["own"]["reason"] == "too_few_clients"

    html = render_provider_feedback(settings, PERIOD, P2).html_path.read_text(
        encoding="utf-8-sig")
    section = html[html.index('id="tavoitteet"'):]
    assert "Tilaajan tavoitteet" in section and "yksityiset palveluntuottajat" in section
    assert 'class="badge none"><span aria-hidden="true">–</span> ei vielä mitattavissa' in section


FINNISH_ONLY = ("Tavoitteet yhdellä silmäyksellä", "Tilaajan tavoitteet", "saavutettu",
                "mitattavissa", "vähintään", "enintään", "lähellä", "tavoitteesta",
                "%-yksikköä", "asiakasta", "Tavoitetaso", "Kehitys", "Mittari", "ei koske",
                "Oma tulos", "palveluntuottajat", "asiakassegmentti", "osuus",
                "terveyshyöty", "Masennuksen hoidossa", "Kohde")
"""Words of the Finnish targets' own text (objectives.html.j2, the measures' and sectors'
names) and a Finnish objective name (objectives.yml name_fi)."""


def _shown(html: str) -> str:
    """The text of the targets section a reader sees, titles included."""
    section = html[html.index('id="tavoitteet"'):]
    section = section[:section.index("</section>")]
    titles = " ".join(re.findall(r'title="([^"]*)"', section))
    return unescape(re.sub(r"<[^>]+>", " ", section) + " " + titles)


def test_targets_in_swedish_and_english_have_no_finnish_text(tiny_warehouse, tmp_path,
                                                              fixed_time):
    settings = _settings(tiny_warehouse, tmp_path)
    shown = {lang: _shown(render_steering_report(settings, PERIOD, lang).read_text(
        encoding="utf-8-sig")) + _shown(render_provider_feedback(
            settings, PERIOD, P2, lang).html_path.read_text(encoding="utf-8-sig"))
        for lang in ("fi", "sv", "en")}
    present = [w for w in FINNISH_ONLY if w in shown["fi"]]
    assert len(present) == len(FINNISH_ONLY), set(FINNISH_ONLY) - set(present)
    for lang in ("sv", "en"):
        left = [w for w in FINNISH_ONLY if w in shown[lang]]
        assert not left, (lang, left)
    sv, en = shown["sv"], shown["en"]
    # names by language: objectives.yml name_sv / name_en, a sector's providers in words
    assert "Minst hälften av dem som vårdas för depression återhämtar sig" in sv
    assert "At least half of those treated for depression recover" in en
    assert "privata serviceproducenter" in sv and "private service providers" in en
    assert "Andel återhämtade, PHQ-9" in sv and "Recovery rate, PHQ-9" in en
    assert "✓ uppnått" in sv and "✓ achieved" in en
    # figures per language
    assert "minst 50,0 %" in sv and "at least 50.0%" in en
    assert "högst 5,0 procentenheter från målet" in sv
    assert "at most 5.0 percentage points from the target" in en
    assert "PRIVATE_OBLIGATIONS" not in en and "recovery_rate" not in en  # no codes


class _Stub:
    """A warehouse holding given rows of mart_objective_attainment."""

    def __init__(self, rows):
        self._rows = rows

    def rows(self, table, period, provider_id=None, order_by="1"):
        return [r for r in self._rows if r["period"] == period
                and (provider_id is None or r["provider_id"] == provider_id)]

    def history(self, table, period, provider_id=None, order_by="1"):
        return sorted((r for r in self._rows if r["period"] <= period
                       and (provider_id is None or r["provider_id"] == provider_id)),
                      key=lambda r: r["period"])


def _row(period, scope_type, scope_id, **kw):
    base = {"period": period, "objective_code": "DEP", "objective_name_fi": "Toipuminen",
            "objective_name_en": "Recovery", "objective_scope": "package",
            "objective_scope_code": "DEPRESSION", "scope_type": scope_type,
            "scope_id": scope_id, "provider_id": scope_id if scope_type == "provider" else None,
            "measure": "recovery_rate", "instrument": "PHQ9", "comparison": "at_least",
            "target_kind": "value", "target": 0.5, "near": 0.05, "applies_from": "2024-01",
            "min_n": 10, "reason": None}
    return {**base, **kw}


def test_figures_pass_the_small_cell_rule_and_the_trend_keeps_four_periods():
    months = ["2024-09", "2024-10", "2024-11", "2024-12", "2025-01"]
    rows = [_row(p, "package", "DEPRESSION", n=20, successes=12, clients=20, value=0.6,
                 ci_lower=0.39, ci_upper=0.78, status="met") for p in months]
    rows += [_row("2025-01", "provider", "A", n=14, successes=9, clients=14, value=0.64,
                  ci_lower=0.47, ci_upper=0.91, status="met"),
             _row("2025-01", "provider", "B", n=12, successes=3, clients=12, value=0.25,
                  ci_lower=0.09, ci_upper=0.53, status="near")]
    names = Names({"A": "Tuottaja A", "B": "Tuottaja B"},
                  {"DEPRESSION": ("Masennus", "Depression")}, {}, {"PHQ9": "PHQ-9"})
    view = steering_objectives(_Stub(rows), "2025-01", names)
    whole = view["objectives"][0]["whole"]
    assert (whole["value"], whole["ci_lower"], whole["n"]) == (0.6, 0.39, 20)
    assert [t["period"] for t in whole["trend"]] == months[1:]
    assert view["objectives"][0]["providers"] == {"met": 1, "near": 1, "missed": 0,
                                                  "not_measurable": 0}
    cells = {p["provider_name"]: p["cells"][0] for p in view["providers"]}
    assert cells["Tuottaja A"]["value"] == 0.64  # 9 of 14: 9 and 5 shown
    assert cells["Tuottaja B"]["value"] is SUPPRESSED  # 3 of 12: a small numerator
    assert cells["Tuottaja B"]["ci_upper"] is None
    own = provider_objectives(_Stub(rows), "2025-01", "B", names)
    assert [o["own"]["status"] for o in own] == ["near"]
    assert own[0]["instrument"] == "PHQ-9" and own[0]["scope_name"] == "Masennus"
    assert own[0]["name"] == "Toipuminen"
    # a name in the report's language, the Finnish one where none is given in it
    assert provider_objectives(_Stub(rows), "2025-01", "B", names, "en")[0]["name"] == "Recovery"
    assert provider_objectives(_Stub(rows), "2025-01", "B", names, "sv")[0]["name"] == "Toipuminen"
    named = [{**r, "objective_name_sv": "Återhämtning"} for r in rows]
    assert steering_objectives(_Stub(named), "2025-01", names, "sv")["objectives"][0][
        "name"] == "Återhämtning"


def test_a_status_that_would_tell_a_hidden_share_is_not_shown():
    # B's 3 of 12 is hidden; "near" beside it would say 3 or 4 (1 and 2 miss, 8 to 11
    # meet): the mart marks it (status_tells_small) and no report shows it
    rows = [_row(p, "provider", "B", n=12, successes=3, clients=12, value=0.25,
                 ci_lower=0.09, ci_upper=0.53, status="near", status_tells_small=True)
            for p in ("2024-12", "2025-01")]
    rows += [_row("2025-01", "provider", "A", n=14, successes=9, clients=14, value=0.64,
                  ci_lower=0.47, ci_upper=0.91, status="met", status_tells_small=False),
             _row("2025-01", "package", "DEPRESSION", n=26, successes=12, clients=26,
                  value=0.46, ci_lower=0.29, ci_upper=0.65, status="near")]
    names = Names({"A": "Tuottaja A", "B": "Tuottaja B"},
                  {"DEPRESSION": ("Masennus", "Depression")}, {}, {"PHQ9": "PHQ-9"})
    view = steering_objectives(_Stub(rows), "2025-01", names)
    # counted with the statuses not shown, so the counts do not give it back either
    assert view["objectives"][0]["providers"] == {"met": 1, "near": 0, "missed": 0,
                                                  "not_measurable": 1}
    cells = {p["provider_name"]: p["cells"][0] for p in view["providers"]}
    assert cells["Tuottaja B"]["status"] == "hidden"
    assert [t["status"] for t in cells["Tuottaja B"]["trend"]] == ["hidden", "hidden"]
    assert cells["Tuottaja A"]["status"] == "met"
    # a row built before the mart had the column is read as it was
    assert view["objectives"][0]["whole"]["status"] == "near"
    own = provider_objectives(_Stub(rows), "2025-01", "B", names)
    assert own[0]["own"]["status"] == "hidden"
