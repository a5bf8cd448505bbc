"""`arvo payments --rules FILE`: a what-if changes nothing already published."""

import hashlib
from pathlib import Path

import duckdb
import pandas as pd
from click.testing import CliRunner

from arvo import definitions
from arvo.config import REPO_ROOT
from arvo.payments import whatif
from flows.cli import main
from tests.conftest import TINY_PERIODS

DEFS = REPO_ROOT / "definitions"
DRAFT = """\
payments:
  rules:
    - package: DEPRESSION
      base_per_episode: "1300.00"
      adjustments:
        - name: outcome_uplift
          kind: uplift
          per_episode: "100.00"
          when:
            - {kind: participation, min_rate: 0.90}
"""


def _digest(*folders: Path) -> dict[str, str]:
    """Every file under `folders` (relative path -> SHA-256 of its bytes)."""
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest()
            for folder in folders for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_what_if_changes_nothing_published(tiny_warehouse, tmp_path):
    settings = tiny_warehouse["settings"]
    period = TINY_PERIODS[1]
    draft = tmp_path / "draft.yml"
    draft.write_text(DRAFT, encoding="utf-8")
    out = tmp_path / "whatif.csv"
    before = _digest(settings.warehouse.parent, settings.reports_dir)
    assert str(settings.warehouse) in before and any("reports" in k for k in before)

    result = CliRunner().invoke(main, ["payments", "--rules", str(draft), "--period", period,
                                       "--home", str(settings.home), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert _digest(settings.warehouse.parent, settings.reports_dir) == before

    table = pd.read_csv(out, dtype=str)
    assert len(table) and result.output.splitlines()[-2].startswith("total")
    # the tiny lake's providers have 1 to 4 episodes: every amount hidden, as in reports
    assert set(table["published_eur"]) == {"<5"}

    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        published = con.execute(
            "select provider_id, package_code, amount_eur from mart_provider_payments "
            "where period = ? and line = 'total'", [period]).fetchall()
    assert published
    result = whatif.compare(settings.warehouse, period,
                            whatif.load_rules(draft, definitions.load(DEFS)))
    rows = result.by_package
    assert {(r.provider_id, r.package_code): r.published_eur for r in rows.itertuples()} \
        == {(p, k): a for p, k, a in published}
    # the draft pays DEPRESSION only: every other package drops to 0
    draft_eur = {(r.provider_id, r.package_code): r.draft_eur for r in rows.itertuples()}
    assert all(v == 0 for (_, k), v in draft_eur.items() if k != "DEPRESSION")
    assert any(v > 0 for (_, k), v in draft_eur.items() if k == "DEPRESSION")
    total = result.total()
    assert total["difference_eur"] == total["draft_eur"] - total["published_eur"]
    assert total["draft_eur"] == sum(draft_eur.values())
    assert _digest(settings.warehouse.parent, settings.reports_dir) == before


def test_an_invalid_draft_names_file_and_key(tiny_warehouse, tmp_path):
    draft = tmp_path / "draft.yml"
    draft.write_text(DRAFT.replace("min_rate: 0.90", "min_rate: 90"), encoding="utf-8")
    result = CliRunner().invoke(main, ["payments", "--rules", str(draft), "--period",
                                       TINY_PERIODS[1], "--home",
                                       str(tiny_warehouse["settings"].home)])
    assert result.exit_code == 2
    assert f"{draft}: payments.rules[0].adjustments[0].when[0].participation.min_rate" \
        in result.output
    assert (REPO_ROOT / "definitions" / "payments.yml").is_file()
