import datetime as dt

import pytest

from arvo import hetu

# The Digital and Population Data Services Agency's published examples, incl. the
# century signs introduced in 2023.
VALID = ["131052-308T", "010594Y9032", "020594X903P", "030594W903B", "040594V9030",
         "050594U903M", "010516B903X", "020516C903K", "030516D9037", "010501E9032",
         "020503F9037", "020504A902E"]


@pytest.mark.parametrize("code", VALID)
def test_published_examples_are_valid(code):
    assert hetu.is_valid(code)


def test_birth_date_and_sex_are_derived():
    assert hetu.parse("131052-308T") == hetu.HetuFacts(dt.date(1952, 10, 13), "F")
    assert hetu.parse("010516B903X") == hetu.HetuFacts(dt.date(2016, 5, 1), "M")
    assert hetu.parse("010101+002S").birth_date.year == 1801


@pytest.mark.parametrize("code, reason", [
    ("131052-308U", "check character"),
    ("131052308T", "form"),
    ("311152-308T", "impossible birth date"),
    ("290223-1234", "impossible birth date"),
    ("131052-001T", "below 002"),
    ("131052G308T", "form"),
    ("", "form"),
])
def test_invalid_codes_say_why(code, reason):
    with pytest.raises(hetu.InvalidHetu, match=reason):
        hetu.parse(code)


def test_make_builds_valid_codes_for_every_century():
    for born in (dt.date(1899, 12, 31), dt.date(1952, 10, 13), dt.date(2016, 5, 1)):
        code = hetu.make(born, 308)
        assert hetu.parse(code).birth_date == born


def test_pseudonym_is_keyed_stable_and_hides_the_code():
    a = hetu.pseudonymise("131052-308T", b"key-1")
    assert a == hetu.pseudonymise(" 131052-308t ", b"key-1")
    assert a != hetu.pseudonymise("131052-308T", b"key-2")
    assert a != hetu.pseudonymise("010594Y9032", b"key-1")
    assert len(a) == 32 and "131052" not in a
    with pytest.raises(ValueError):
        hetu.pseudonymise("131052-308T", b"")
