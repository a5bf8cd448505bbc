from arvo import ytunnus


def test_business_ids():
    assert ytunnus.is_valid("2358253-3")
    assert ytunnus.is_valid("0737546-2")
    assert not ytunnus.is_valid("2358253-4")
    assert not ytunnus.is_valid("2358253")
    assert ytunnus.check_digit("1572860") == 0
