"""The what-if hides amounts resting on 1 to 4 episodes, and the next smallest row when
one alone is hidden."""

from decimal import Decimal

import pandas as pd

from arvo.payments.whatif import Comparison


def test_small_rows_and_their_complement_are_hidden():
    frame = pd.DataFrame({
        "provider_id": ["a", "b", "c"], "provider_name": ["A", "B", "C"],
        "package_code": ["D", "D", "D"], "episodes": [3, 40, 20],
        "published_eur": [Decimal(300), Decimal(4000), Decimal(2000)],
        "draft_eur": [Decimal(310), Decimal(4100), Decimal(2050)],
        "difference_eur": [Decimal(10), Decimal(100), Decimal(50)]})
    result = Comparison("2025-12", frame, pd.DataFrame())
    shown = result.shown(frame).set_index("provider_id")
    assert list(shown.loc["a", ["published_eur", "draft_eur"]]) == ["<5", "<5"]
    assert shown.loc["c", "published_eur"] == ".."  # the next smallest
    assert shown.loc["b", "draft_eur"] == Decimal(4100)
    assert result.total()["difference_eur"] == Decimal(160)
    assert "episodes" not in shown.columns
