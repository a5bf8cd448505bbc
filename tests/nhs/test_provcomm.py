"""The NHS PROMs 2016-17 pack through the unchanged pipeline matches NHS's ProvComm figures.

The pack's run (`nhs_run`, tests/nhs/conftest.py: imported with NHS's inclusion rule,
through the real steering flow) is compared row by row with the per-provider averages
NHS published.
"""

from __future__ import annotations

import pytest

from arvo.nhs import provcomm
from arvo.nhs.submission import IMPORT_PERIOD
from tests.nhs.conftest import PACK


@pytest.fixture(scope="module")
def run(nhs_run):
    summary, result, warehouse = nhs_run
    return summary, result, provcomm.compare(PACK, warehouse, IMPORT_PERIOD)


def test_every_imported_row_is_accepted(run):
    summary, result, _ = run
    accepted = sum(f["rows_accepted"] for f in result.files)
    quarantined = sum(f["rows_quarantined"] for f in result.files)
    assert quarantined == 0
    assert accepted == summary.episodes + summary.responses
    assert summary.episodes + summary.excluded == sum(summary.records.values())


def test_every_published_average_with_records_in_the_pack_matches(run):
    _, _, comparison = run
    rows = comparison.rows
    explained = {provcomm.MATCH, provcomm.TOTAL_COUNT, provcomm.NOT_IN_PACK,
                 *provcomm.UNPUBLISHED}
    assert set(rows["status"]) <= explained, rows[~rows["status"].isin(explained)].head()
    in_pack = comparison.published - comparison.count(provcomm.NOT_IN_PACK)
    assert comparison.averages_matched == in_pack
    assert comparison.count(provcomm.MATCH) > 4000  # of 4,302 published provider rows
    assert rows["Measure"][rows["status"] == provcomm.MATCH].nunique() == 4


def test_the_differences_are_nhs_disclosure_rules(run):
    _, _, comparison = run
    rows = comparison.rows
    nhs = rows.set_index(["provider_id", "Procedure", "Measure"])["Modelled Records"]
    # a total whose count differs leaves out its suppressed revision cell
    for r in rows[rows["status"] == provcomm.TOTAL_COUNT].itertuples():
        revision = r.Procedure.replace("Total ", "").replace("Replacement",
                                                             "Replacement Revision")
        assert nhs[(r.provider_id, revision, r.Measure)] == "*"
    # rows missing from the record-level files are small: NHS leaves out providers
    # that would have fewer than 6 records there
    missing = rows[rows["status"] == provcomm.NOT_IN_PACK]["Modelled Records"].astype(int)
    assert missing.max() <= 5


def test_case_mix_fields_reach_the_warehouse_typed(run):
    """NHS's case-mix variables, imported into the contract, come through dbt as integers."""
    import duckdb

    from arvo.contract import CASE_MIX_CODES

    summary, _, _ = run
    with duckdb.connect(str(summary.out_dir / "var" / "warehouse" / "arvo.duckdb"),
                        read_only=True) as con:
        types = dict(con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_name = 'int_episodes_deduplicated'").fetchall())
        counts = con.execute(
            "select count(*), count(living_arrangement), sum(living_arrangement = 2), "
            "count(general_health), sum(comorbidity_high_blood_pressure) "
            "from int_episodes_deduplicated").fetchone()
    assert {c: types[c] for c in CASE_MIX_CODES} == {c: "INTEGER" for c in CASE_MIX_CODES}
    episodes, known, alone, health, high_bp = counts
    assert episodes == summary.episodes
    assert 0.95 * episodes < known < episodes  # NHS's 9 (missing) is null
    assert 0.2 * episodes < alone < 0.3 * episodes
    assert health == 0  # not in the pack
    assert 0.3 * episodes < high_bp < 0.5 * episodes
