"""Names and labels (arvo/report/labels.py)."""

from __future__ import annotations

from arvo.report.labels import Names, scope, timepoint, value_set


def test_timepoints_known_and_derived_in_each_language():
    def shown(code: str, lang: str) -> str:
        label, _english = timepoint(code)
        return label.render(lang)

    assert shown("baseline", "fi") == "Lähtötaso" and timepoint("baseline")[1] == "Baseline"
    assert shown("followup_30d", "fi") == "30 vrk seuranta"
    assert shown("followup_18m", "fi") == "18 kk seuranta"
    assert shown("followup_18m", "sv") == "uppföljning efter 18 mån"
    assert timepoint("followup_18m")[1] == "18-month follow-up"
    assert timepoint("odd") == ("odd", "odd")


def test_value_sets_named_in_each_language_or_by_their_code():
    assert value_set("England")["text_fi"].render("fi") == "Englannin arvotus (Devlin ym. 2018)"
    assert value_set("England")["text_fi"].render("sv") == (
        "den engelska värderingen (Devlin m.fl. 2018)")
    assert value_set("UK crosswalk")["text_fi"].render("fi") == "arvotus UK crosswalk"
    assert value_set(None) is None and value_set("") is None


def test_scope_of_a_row_and_instrument_labels():
    names = Names({}, {"DEP": ("Masennus", "Depression")}, {"HNHC": ("Paljon", "High")},
                  {"GAD7": "GAD-7"})
    assert scope({"scope": "segment", "scope_code": "HNHC", "package_code": None},
                 names)["scope_fi"] == "Paljon"
    # a row of a mart built before segment obligations is a package obligation's
    assert scope({"package_code": "DEP"}, names)["scope_kind_en"] == "service package"
    assert names.instrument("GAD7") == "GAD-7" and names.instrument("X") == "X"


def test_every_measure_of_the_seed_is_named_in_each_language():
    """The seed prom_measures labels its measures in Finnish; a Swedish or English report
    names each in its own language, except the names that are the same in all (EQ-VAS,
    Oxford Hip and Knee Score)."""
    import csv

    from arvo.config import REPO_ROOT
    from arvo.messages import localized
    from arvo.report.labels import measure

    with (REPO_ROOT / "dbt_project" / "seeds" / "prom_measures.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    neutral = {"EQ-VAS", "Oxford Hip Score", "Oxford Knee Score"}
    for r in rows:
        label = measure(r["measure"], r["instrument_label"], r["measure_label"])
        assert localized(label, "fi") == r["measure_label"], r["measure"]
        for lang in ("sv", "en"):
            shown = localized(label, lang)
            assert (shown == r["measure_label"]) == (r["measure_label"] in neutral), (
                lang, r["measure"], shown)
