"""The optional case-mix fields of an episode: contract, suite, docs and dbt agree; a file
without them reads as before; a value out of its code list is quarantined, named."""

import datetime as dt
import json
import re

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from arvo.config import REPO_ROOT
from arvo.contract import CASE_MIX_CODES, ENTITIES
from arvo.ingest.lake import LAKE_SCHEMAS

from .conftest import CLIENTS, HOSPITAL, PRIVATE, ingest, write

EPISODES = ENTITIES["episodes"]


def test_contract_suite_docs_and_dbt_agree():
    assert EPISODES.case_mix == list(CASE_MIX_CODES)
    assert all(not c.required and c.kind == "integer" for c in EPISODES.columns if c.case_mix)
    assert EPISODES.core_names == ["episode_id", "hetu", "package_code", "start_date",
                                   "end_date"]
    for name, entity in ENTITIES.items():
        if name != "episodes":
            assert entity.case_mix == []
    schema = LAKE_SCHEMAS["episodes"]
    assert all(schema.field(c).type == pa.int32() for c in CASE_MIX_CODES)

    suite = json.loads((REPO_ROOT / "expectations" / "suites" / "episodes.json").read_text())
    in_set = {e["kwargs"]["column"]: e for e in suite["expectations"]
              if e["type"] == "expect_column_values_to_be_in_set"
              and e["kwargs"]["column"] in CASE_MIX_CODES}
    assert {c: sorted(e["kwargs"]["value_set"]) for c, e in in_set.items()} == \
        {c: sorted(codes) for c, codes in CASE_MIX_CODES.items()}
    for column, e in in_set.items():
        assert e["meta"]["rule"] == f"{column}_code"
        assert {"category", "subcategory", "severity", "threshold", "rationale",
                "reason"} <= e["meta"].keys()

    doc = (REPO_ROOT / "docs" / "submission-contract.md").read_text()
    for column, codes in CASE_MIX_CODES.items():
        line = next(x for x in doc.splitlines() if x.startswith(f"| `{column}` |"))
        assert "| integer code | no |" in line
        for code, meaning in codes.items():
            assert f"{code} = " in line, (column, code)
            assert meaning.split(":")[0].split(" (")[0] in line, (column, meaning)

    macro = (REPO_ROOT / "dbt_project" / "macros" / "case_mix_columns.sql").read_text()
    listed = re.search(r"set columns = \[(.*?)\]", macro, re.S).group(1)
    assert re.findall(r"'(\w+)'", listed) == list(CASE_MIX_CODES)


def _lake(root, entity, provider):
    return pd.read_parquet(root / entity / f"provider_id={provider}")


def test_a_file_without_case_mix_fields_reads_as_before(submissions, defs, today):
    s = submissions
    outcomes = ingest(s, defs, [PRIVATE], ["2025-01"], b"k", today)
    episodes = next(o for o in outcomes if o.source_file == "episodes.csv")
    assert (episodes.status, episodes.rows_accepted, episodes.rows_quarantined) == \
        ("accepted", 1, 0)
    lake = pq.read_table(s.lake_dir / "episodes" / f"provider_id={PRIVATE}" / "month=2025-01"
                         / "data.parquet")
    assert lake.schema == LAKE_SCHEMAS["episodes"]
    frame = lake.to_pandas()
    assert frame[list(CASE_MIX_CODES)].isna().all().all()
    assert frame.episode_id.tolist() == ["EP1"]


def test_case_mix_codes_are_kept_and_others_quarantined(submissions, defs, today):
    s = submissions
    a, b, c = CLIENTS
    header = ",".join(["episode_id", "hetu", "package_code", "start_date", "end_date",
                       "living_arrangement", "symptom_duration", "general_health",
                       "comorbidity_diabetes"])
    write(s.raw_dir / PRIVATE / "2025-01" / "episodes.csv",
          f"{header}\n"
          f"EP1,{b},DEPRESSION,2025-01-04,,2,3,5,1\n"
          f"EP2,{a},DEPRESSION,2025-01-05,,,,,\n"        # nothing known: accepted
          f"EP3,{c},DEPRESSION,2025-01-05,,9,1,2,0\n"    # NHS's 'unknown' code
          f"EP4,{a},DEPRESSION,2025-01-06,,1,1,6,0\n"    # general health 1-5
          f"EP5,{b},DEPRESSION,2025-01-06,,1,x,1,0\n"    # not a number
          f"EP6,{c},DEPRESSION,2025-01-07,,1.0,4,1,2\n")  # diabetes is 0 or 1
    outcomes = ingest(s, defs, [PRIVATE], ["2025-01"], b"k", today)
    episodes = next(o for o in outcomes if o.source_file == "episodes.csv")
    assert (episodes.status, episodes.rows_accepted, episodes.rows_quarantined) == \
        ("partial", 2, 4)
    lake = _lake(s.lake_dir, "episodes", PRIVATE).set_index("episode_id")
    assert lake.loc["EP1", ["living_arrangement", "symptom_duration", "general_health",
                            "comorbidity_diabetes"]].tolist() == [2, 3, 5, 1]
    assert lake.loc["EP2", list(CASE_MIX_CODES)].isna().all()
    assert lake.loc["EP1", "disability"] is None or pd.isna(lake.loc["EP1", "disability"])
    quarantine = _lake(s.quarantine_dir, "episodes", PRIVATE).set_index("record_id")
    assert quarantine.loc["EP3", "rule"] == "living_arrangement_code"
    assert quarantine.loc["EP3", "column_name"] == "living_arrangement"
    assert quarantine.loc["EP3", "reason"] == (
        "episodes.csv row 3: living_arrangement 9 is not one of its codes (1, 2, 3, 4); "
        "leave it empty if not known")
    assert (quarantine.loc["EP4", "rule"], quarantine.loc["EP4", "column_name"]) == \
        ("general_health_code", "general_health")
    assert quarantine.loc["EP5", "rule"] == "type_integer"
    assert quarantine.loc["EP5", "reason"].startswith("episodes.csv row 5: symptom_duration")
    assert quarantine.loc["EP6", "rule"] == "comorbidity_diabetes_code"


def test_case_mix_fields_in_parquet(submissions, defs, today):
    s = submissions
    a, b, _ = CLIENTS
    frame = pd.DataFrame({
        "episode_id": ["H1", "H2"], "hetu": [a, b], "package_code": ["DEPRESSION"] * 2,
        "start_date": [dt.date(2025, 1, 10)] * 2, "end_date": [None, None],
        "disability": pd.array([1, None], dtype="Int64"),
        "previous_surgery": [0.0, 3.0]})
    frame.to_parquet(s.raw_dir / HOSPITAL / "2025-01" / "episodes.parquet", index=False)
    ingest(s, defs, [HOSPITAL], ["2025-01"], b"k", today)
    lake = _lake(s.lake_dir, "episodes", HOSPITAL).set_index("episode_id")
    assert lake.loc["H1", ["disability", "previous_surgery"]].tolist() == [1, 0]
    quarantine = _lake(s.quarantine_dir, "episodes", HOSPITAL)
    assert quarantine[["record_id", "rule", "column_name"]].values.tolist() == \
        [["H2", "previous_surgery_code", "previous_surgery"]]
