"""Every broken submission of the corpus (`broken_corpus`), ingested as the pipeline does.

All cases go through in one run, each as its own provider beside a provider with good
files: read, one Great Expectations validation per entity over all of them, write. Then:
nothing crashed; per file rows in = accepted + quarantined, and the lake and quarantine
hold exactly those rows; each damaged file ends as its case expects, a rejection names
file, row and column; the good files beside it and the other provider are untouched;
no identity code of the corpus appears in the lake, the quarantine, a message or a log.
One case of every damage kind runs through the real steering flow on a Prefect server,
and the warehouse, the reports and Prefect's database are searched the same way.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path

import pandas as pd
import pytest

from arvo.ingest.read import LINE_END
from arvo.ingest.submission import SENT
from arvo.messages import from_json
from tests.conftest import first_version_copy

from .broken_corpus import Case, cases, good_rows, identity_codes, render_csv
from .conftest import ingest, settings_for

MONTH = "2025-01"
GOOD = "good-provider"
KEY = b"corpus-key"
TODAY = dt.date(2025, 6, 30)


def _provider(i: int) -> str:
    return f"case-{i:04d}"


def _lay_out(raw: Path, case_list: list[Case]) -> None:
    for i, case in enumerate(case_list):
        for rel, data in case.files.items():
            path = raw / _provider(i) / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    for entity in ("events", "episodes", "proms"):
        path = raw / GOOD / MONTH / f"{entity}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(render_csv(good_rows(entity, seed=99), entity, "csv_fi"))


def _ingest(settings, defs, providers: list[str]) -> list:
    return ingest(settings, defs, providers, [MONTH], KEY, TODAY)


def _partition(root: Path, entity: str, provider: str) -> pd.DataFrame | None:
    path = root / entity / f"provider_id={provider}" / f"month={MONTH}" / "data.parquet"
    return pd.read_parquet(path) if path.is_file() else None


@pytest.fixture(scope="module")
def corpus():
    return cases(MONTH)


@pytest.fixture(scope="module")
def run(tmp_path_factory, corpus, caplog_module):
    from arvo import definitions
    from arvo.config import REPO_ROOT

    defs = definitions.load(REPO_ROOT / "definitions")
    s = settings_for(tmp_path_factory.mktemp("corpus"))
    _lay_out(s.raw_dir, corpus)
    before = _ingest(s, defs, [GOOD])
    good_lake = {e: _partition(s.lake_dir, e, GOOD) for e in ("events", "episodes", "proms")}
    outcomes = _ingest(s, defs, [GOOD, *(_provider(i) for i in range(len(corpus)))])
    by_provider: dict[str, list] = {}
    for o in outcomes:
        by_provider.setdefault(o.provider_id, []).append(o)
    return {"settings": s, "outcomes": by_provider, "good_before": before,
            "good_lake": good_lake, "log": caplog_module.text}


@pytest.fixture(scope="module")
def caplog_module():
    """The module's log records (pytest's caplog is per test)."""
    class Text(logging.Handler):
        def __init__(self):
            super().__init__(logging.DEBUG)
            self.lines: list[str] = []

        def emit(self, record):
            self.lines.append(record.getMessage())

        @property
        def text(self) -> str:
            return "\n".join(self.lines)

    handler = Text()
    root = logging.getLogger()
    root.addHandler(handler)
    yield handler
    root.removeHandler(handler)


def test_the_corpus_is_wide(corpus):
    kinds = {c.damage for c in corpus}
    assert len(kinds) >= 30
    for style in ("csv_utf8", "csv_fi"):
        for entity in ("events", "episodes", "proms"):
            assert len({c.damage for c in corpus if (c.entity, c.style) == (entity, style)}) \
                >= 25, (entity, style)
    assert sum(c.style == "parquet" for c in corpus) >= 6


def test_every_case_is_accounted_for(run, corpus):
    s = run["settings"]
    for i, case in enumerate(corpus):
        pid = _provider(i)
        outcomes = run["outcomes"].get(pid, [])
        assert outcomes, f"{case.name}: no outcome at all"
        for o in outcomes:
            if o.status in SENT:
                assert o.rows_in == o.rows_accepted + o.rows_quarantined, (case.name, o)
        for entity in ("events", "episodes", "proms"):
            mine = [o for o in outcomes if o.entity == entity]
            accepted = sum(o.rows_accepted for o in mine if o.status in SENT)
            quarantined = sum(o.rows_quarantined for o in mine if o.status in SENT)
            lake = _partition(s.lake_dir, entity, pid)
            held = _partition(s.quarantine_dir, entity, pid)
            assert (0 if lake is None else len(lake)) == accepted, (case.name, entity)
            assert (0 if held is None else len(held)) == quarantined, (case.name, entity)


def test_rows_in_is_what_the_file_holds(run, corpus):
    """Without quotes one line is one row: lines = header + rows + blank lines."""
    counted = 0
    for i, case in enumerate(corpus):
        for o in run["outcomes"].get(_provider(i), []):
            data = case.files.get(f"{MONTH}/{o.source_file}")
            if (o.status not in ("accepted", "partial", "empty") or data is None
                    or not o.source_file.endswith(".csv") or b'"' in data):
                continue
            text = data.decode("utf-8-sig", errors="replace")
            lines = LINE_END.split(text)
            lines = lines[:-1] if lines[-1] == "" else lines  # a final line end
            assert len(lines) == 1 + o.rows_in + o.blank_lines, (case.name, o)
            counted += 1
    assert counted >= len(corpus) // 2, counted  # most cases send a plain CSV file


def _target(run, i: int, case: Case):
    outcomes = run["outcomes"][_provider(i)]
    name = case.target.split("/", 1)[1] if case.expect.status != "unrecognised" else None
    if name is None:
        return [o for o in outcomes if o.status == "unrecognised"
                and o.source_file == case.target]
    return [o for o in outcomes if o.source_file == name and o.status != "standing"]


def test_each_damaged_file_ends_as_expected(run, corpus):
    s = run["settings"]
    wrong = []
    for i, case in enumerate(corpus):
        found = _target(run, i, case)
        e = case.expect
        if not found:
            wrong.append(f"{case.name}: no outcome for {case.target}")
            continue
        o = found[0]
        got = (o.status, o.rows_in if e.rows_in is not None else None,
               o.rows_quarantined if e.quarantined is not None else None)
        if got != (e.status, e.rows_in, e.quarantined) or (
                e.status in SENT and o.blank_lines != e.blank_lines):
            wrong.append(f"{case.name}: {got} blank {o.blank_lines} != {e} ({o.message})")
            continue
        held = _partition(s.quarantine_dir, case.entity, _provider(i))
        if e.rule is not None and (held is None or e.rule not in set(held.rule)):
            wrong.append(f"{case.name}: rule {e.rule} not among "
                         f"{None if held is None else sorted(set(held.rule))}")
        if e.value is not None:
            record, column, value = e.value
            lake = _partition(s.lake_dir, case.entity, _provider(i))
            row = lake[lake[case_record_id(case)] == record]
            if len(row) != 1 or row.iloc[0][column] != value:
                wrong.append(f"{case.name}: {column} of {record} is "
                             f"{None if len(row) != 1 else row.iloc[0][column]!r}, not {value!r}")
    assert not wrong, "\n".join(wrong)


def case_record_id(case: Case) -> str:
    from arvo.contract import ENTITIES

    return ENTITIES[case.entity].record_id


def test_each_rejection_names_file_row_and_column(run, corpus):
    s = run["settings"]
    wrong = []
    for i, case in enumerate(corpus):
        pid = _provider(i)
        for o in run["outcomes"][pid]:
            if o.status == "rejected":
                where = f"{pid}/{MONTH}/{o.source_file}"
                if not o.message.startswith(where):
                    wrong.append(f"{case.name}: {o.message!r} does not start with {where}")
                parquet_whole = o.source_file.endswith(".parquet") and ", row" not in o.message
                if ", row " not in o.message and not parquet_whole \
                        and "two files for" not in o.message:
                    wrong.append(f"{case.name}: no row in {o.message!r}")
                if case.expect.column and o.source_file in case.target \
                        and f"column '{case.expect.column}'" not in o.message:
                    wrong.append(f"{case.name}: column {case.expect.column} not named in "
                                 f"{o.message!r}")
                if case.expect.row is not None and o.source_file in case.target \
                        and f", row {case.expect.row}" not in o.message:
                    wrong.append(f"{case.name}: row {case.expect.row} not named in "
                                 f"{o.message!r}")
        for entity in ("events", "episodes", "proms"):
            held = _partition(s.quarantine_dir, entity, pid)
            if held is None:
                continue
            for r in held.itertuples():
                if not r.reason.startswith(f"{r.source_file}") and \
                        not r.reason.startswith(f"{pid}/{MONTH}/{r.source_file}"):
                    wrong.append(f"{case.name}: reason {r.reason!r} does not name its file")
                if r.rule != "file_readable" and (r.column_name is None and r.rule != "row_shape"
                                                  or f"row {r.source_row}" not in r.reason):
                    wrong.append(f"{case.name}: {r.rule} row {r.source_row} column "
                                 f"{r.column_name}: {r.reason!r}")
            if case.expect.row is not None and case.expect.status == "partial" \
                    and entity == case.entity and case.expect.row not in set(held.source_row):
                wrong.append(f"{case.name}: row {case.expect.row} not quarantined "
                             f"({sorted(held.source_row)})")
    assert not wrong, "\n".join(wrong[:40])


# the fields of the messages that hold a message of their own, never text in one language
_NESTED = {"reason", "message", "naming", "expected", "examples", "first", "second"}


def _untranslatable(data: dict, where: str) -> list[str]:
    """Nested messages that were stored as English text instead of as a message."""
    if "j" in data:
        return [w for part in data["j"] for w in _untranslatable(part, where)]
    out = []
    for key, value in data["a"].items():
        if isinstance(value, dict):
            out += _untranslatable(value, where)
        elif key in _NESTED:
            out.append(f"{where}: {data['t']!r} holds {key}={value!r} as text")
    return out


def test_every_message_the_provider_reads_is_stored_translatable(run, corpus):
    """Each quarantined row's reason and each file's outcome is kept as a message the
    feedback renders in its own language, down to the nested parts."""
    s = run["settings"]
    wrong, rendered = [], 0
    for i, case in enumerate(corpus):
        pid = _provider(i)
        for o in run["outcomes"][pid]:
            wrong += _untranslatable(json.loads(o.message.to_json()), case.name)
        for entity in ("events", "episodes", "proms"):
            held = _partition(s.quarantine_dir, entity, pid)
            for r in [] if held is None else held.itertuples():
                message = from_json(r.reason_json)
                wrong += _untranslatable(json.loads(r.reason_json), case.name)
                assert str(message) == r.reason or r.reason.endswith("…")
                assert message.render("fi") != message.render("en")
                rendered += 1
    assert rendered > 300 and not wrong, wrong[:5]


def test_good_files_beside_each_case_and_other_providers_are_untouched(run, corpus):
    s = run["settings"]
    for entity, frame in run["good_lake"].items():
        pd.testing.assert_frame_equal(frame, _partition(s.lake_dir, entity, GOOD))
    for i, case in enumerate(corpus):
        for o in run["outcomes"][_provider(i)]:
            damaged = case.target.endswith(f"/{o.source_file}") or case.entity == o.entity \
                and "two_files" in case.damage
            if o.status in SENT and not damaged and o.source_file.startswith(
                    ("events", "episodes", "proms")) and f"{MONTH}/{o.source_file}" in case.files:
                assert (o.status, o.rows_in) == ("accepted", o.rows_accepted), (case.name, o)


def _all_text(root: Path) -> str:
    parts = []
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        if path.suffix == ".parquet":
            parts.append(pd.read_parquet(path).to_csv())
        elif path.suffix in (".html", ".csv", ".json", ".txt", ".log"):
            parts.append(path.read_text(encoding="utf-8", errors="replace"))
        elif path.suffix == ".duckdb":
            import duckdb

            con = duckdb.connect(str(path), read_only=True)
            for (table,) in con.execute("select table_name from information_schema.tables "
                                        "where table_schema = 'main'").fetchall():
                parts.append(con.execute(f'select * from "{table}"').df().to_csv())
            con.close()
    return "\n".join(parts)


def _leaks(text: str, codes: set[str]) -> list[str]:
    found = []
    upper = text.upper()
    for code in codes:
        plain = code.upper()
        if plain in upper or (plain[:6] + plain[7:]) in upper:
            found.append(code)
    return found


def test_no_identity_code_anywhere(run, corpus):
    codes = identity_codes(corpus)
    assert len(codes) >= 20
    s = run["settings"]
    messages = "\n".join(o.message + o.source_file for os in run["outcomes"].values()
                         for o in os)
    for where, text in (("lake and quarantine", _all_text(s.home)), ("messages", messages),
                        ("log", run["log"])):
        leaks = _leaks(text, codes)
        assert not leaks, f"identity codes in the {where}: {len(leaks)}"


# ------------------------------------------------ through the flow, with Prefect's database

@pytest.fixture(scope="module")
def flow_run(tmp_path_factory, corpus, prefect_server):
    """One case of every damage kind (and every Parquet case) through the steering flow
    with its own provider register, a dbt build and every report."""
    from arvo import definitions, ytunnus
    from flows.steering import SteeringParams, steering

    first: dict[str, Case] = {}
    for c in corpus:
        first.setdefault(c.damage, c)
    chosen = list(first.values()) + [c for c in corpus if c.style == "parquet"
                                     and c is not first[c.damage]]
    home = tmp_path_factory.mktemp("corpus-flow")
    defs_dir = home / "definitions"
    first_version_copy(defs_dir)
    ids, number = [], 1000000
    while len(ids) < len(chosen):
        number += 1
        digit = ytunnus.check_digit(str(number))
        if digit is not None:
            ids.append(f"{number}-{digit}")
    register = ["providers:"] + [f'  - {{id: "{pid}", name: "Case {c.name}", sector: public, '
                                 'submission_format: csv_fi}' for pid, c in zip(ids, chosen,
                                                                                strict=True)]
    (defs_dir / "providers.yml").write_text("\n".join(register) + "\n", encoding="utf-8")
    definitions.load(defs_dir)
    raw = home / "raw"
    for pid, case in zip(ids, chosen, strict=True):
        for rel, data in case.files.items():
            path = raw / pid / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    with pytest.MonkeyPatch.context() as mp:  # the per-test key fixture is not in scope here
        mp.setenv("ARVO_PSEUDONYM_KEY", "corpus-flow-key")
        result = steering(SteeringParams(home=home / "var", raw_dir=raw,
                                         definitions_dir=defs_dir, period=MONTH))
    return {"home": home, "chosen": chosen, "result": result}


def test_flow_writes_no_identity_code_to_reports_warehouse_or_prefect(flow_run):
    import prefect.settings
    from prefect.logging.handlers import APILogHandler

    result = flow_run["result"]
    assert len(result.reports) > len(flow_run["chosen"])  # a feedback report per provider
    codes = identity_codes(flow_run["chosen"])
    # the search finds the codes where they are: in the submissions themselves
    raw = b"\n".join(p.read_bytes() for p in (flow_run["home"] / "raw").rglob("*.csv"))
    assert len(_leaks(raw.decode("utf-8", errors="replace"), codes)) >= 10
    home = flow_run["home"] / "var"
    leaks = _leaks(_all_text(home), codes)
    assert not leaks, f"identity codes under {home}: {len(leaks)}"
    APILogHandler().flush()  # send the logs still queued
    url = prefect.settings.PREFECT_SERVER_DATABASE_CONNECTION_URL.value()
    database = Path(url.split("///", 1)[1])
    text = b"".join(p.read_bytes() for p in database.parent.glob(database.name + "*"))
    assert b"steering" in text and b"ingested" in text  # the run and its logs are there
    leaks = _leaks(text.decode("utf-8", errors="replace"), codes)
    assert not leaks, f"identity codes in Prefect's database: {len(leaks)}"
