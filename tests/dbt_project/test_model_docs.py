"""Every model is documented where dbt's structure guide puts it: in its own folder's
`_<folder>__models.yml`, with a description that opens with the model's grain
(`GRAIN: one row per ...`, as Tuva states it)."""

from __future__ import annotations

from pathlib import Path

import yaml

from arvo.config import REPO_ROOT

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MODELS = REPO_ROOT / "dbt_project" / "models"


def undocumented_models(models: Path) -> list[str]:
    """The models under `models` (`.sql` and Python) that their folder's
    `_<folder>__models.yml` does not list with a description opening `GRAIN:`, each as
    `path: what is missing`."""
    found = []
    listed: dict[Path, dict[str, dict]] = {}
    for path in sorted([*models.rglob("*.sql"), *models.rglob("*.py")]):
        if path.name.startswith("_") or path.name == "__init__.py":
            continue
        listing = path.parent / f"_{path.parent.name}__models.yml"
        if listing not in listed:
            document = (yaml.load(listing.read_text("utf-8"), Loader=LOADER)
                        if listing.exists() else None) or {}
            listed[listing] = {m["name"]: m for m in document.get("models") or []}
        entries = listed[listing]
        where = path.relative_to(models)
        if path.stem not in entries:
            found.append(f"{where}: not in {listing.name}")
        elif not str(entries[path.stem].get("description") or "").lstrip().startswith(
                "GRAIN:"):
            found.append(f"{where}: its description does not open with GRAIN:")
    return found


def test_a_model_without_its_entry_or_grain_is_found(tmp_path):
    folder = tmp_path / "marts"
    folder.mkdir()
    for name in ("mart_a", "mart_b", "mart_c"):
        (folder / f"{name}.sql").write_text("select 1 as x\n", encoding="utf-8")
    (folder / "_marts__models.yml").write_text(
        "version: 2\nmodels:\n"
        "  - name: mart_a\n    description: 'GRAIN: one row per a.'\n"
        "  - name: mart_b\n    description: The b's.\n", encoding="utf-8")
    assert undocumented_models(tmp_path) == [
        "marts/mart_b.sql: its description does not open with GRAIN:",
        "marts/mart_c.sql: not in _marts__models.yml"]


def test_every_model_states_its_grain_in_its_folders_models_yml():
    models = [p for p in MODELS.rglob("*.sql") if not p.name.startswith("_")]
    assert len(models) >= 80
    assert undocumented_models(MODELS) == []
