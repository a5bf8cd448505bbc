"""The one Great Expectations runner (arvo/quality/gx.py) that both kinds of suite use."""

from __future__ import annotations

import pandas as pd

from arvo.quality import gx


def _suite(name: str, column: str) -> dict:
    return {"name": name, "expectations": [{
        "type": "expect_column_values_to_be_between",
        "kwargs": {"column": column, "min_value": 0, "max_value": {"$PARAMETER": "top"}},
        "meta": {"rule": f"{column}_in_range"}}]}


def test_failing_rows_by_position_and_parameters():
    frame = pd.DataFrame({"score": [1, 5, 12, None, 30]})
    [result] = gx.run(_suite("scores", "score"), frame, {"top": 10})
    assert gx.exception_message(result.exception_info) is None
    assert sorted(gx.unexpected_positions(result)) == [2, 4]
    [looser] = gx.run(_suite("scores", "score"), frame, {"top": 20})
    assert gx.unexpected_positions(looser) == [4]


def test_two_suites_share_one_context():
    a = gx.run(_suite("a", "x"), pd.DataFrame({"x": [1]}), {"top": 1})
    b = gx.run(_suite("b", "y"), pd.DataFrame({"y": [2]}), {"top": 1})
    assert gx.unexpected_positions(a[0]) == [] and gx.unexpected_positions(b[0]) == [0]
    assert gx._context.cache_info().currsize == 1


def test_an_expectation_that_cannot_run_says_why():
    [result] = gx.run(_suite("broken", "no_such_column"), pd.DataFrame({"x": [1]}), {"top": 1})
    message = gx.exception_message(result.exception_info)
    assert message and "no_such_column" in message


def test_nothing_of_a_run_outlives_it():
    """Great Expectations keeps the last batch and its metrics until the next run; the
    runner drops them, so an ingest wave's rows are freed with the wave."""
    import gc
    import weakref

    frame = pd.DataFrame({"score": list(range(1000))})
    [result] = gx.run(_suite("kept", "score"), frame, {"top": 10})
    assert len(gx.unexpected_positions(result)) == 989
    gone = weakref.ref(frame)
    del frame, result
    gc.collect()
    assert gone() is None, "Great Expectations still holds the validated DataFrame"


def test_the_batch_is_not_fingerprinted(monkeypatch):
    """Great Expectations would hash every cell of a frame under 1 GB for the batch's
    metadata, which nothing reads; the runner turns it off."""
    from great_expectations.execution_engine import pandas_execution_engine

    gx.warm_up()

    def hashed(frame):
        raise AssertionError("the batch was fingerprinted")

    monkeypatch.setattr(pandas_execution_engine, "hash_pandas_dataframe", hashed)
    [result] = gx.run(_suite("unhashed", "score"), pd.DataFrame({"score": [1, 50]}),
                      {"top": 10})
    assert gx.unexpected_positions(result) == [1]


def test_a_suite_keeps_every_expectation_of_its_document():
    """The suite is built with all its expectations at once, in the document's order; two
    rules on the same column, type and row condition stay two (added one by one, Great
    Expectations would have let the second replace the first)."""
    suite = {"name": "twins", "expectations": [
        {"type": "expect_column_values_to_be_between",
         "kwargs": {"column": "score", "min_value": 0, "max_value": 10},
         "meta": {"rule": "score_at_most_10"}},
        {"type": "expect_column_values_to_be_between",
         "kwargs": {"column": "score", "min_value": 0, "max_value": 20},
         "meta": {"rule": "score_at_most_20"}},
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "score"},
         "meta": {"rule": "score_given"}}]}
    frame = pd.DataFrame({"score": [1, 15, 30, None]})
    results = gx.run(suite, frame)
    assert [r.expectation_config.meta["rule"] for r in results] == [
        "score_at_most_10", "score_at_most_20", "score_given"]
    assert [sorted(gx.unexpected_positions(r)) for r in results] == [[1, 2], [2], [3]]
