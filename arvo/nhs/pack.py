"""Read an NHS PROMs record-level data pack: the hip and knee files and the ProvComm table.

NHS publishes each file as a zipped, latin-1 encoded CSV (with a `__MACOSX/` entry to
ignore); the folder may hold the zips or the CSVs unzipped, with spaces or `_` in names.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd


class PackError(ValueError):
    """A data pack that cannot be read, with the file (and row and column) named."""


@dataclass(frozen=True)
class Procedure:
    """One of the pack's record-level files and how Arvo names what it holds."""

    kind: str  # "Hip" or "Knee"
    file_pattern: str
    oxford_instrument: str  # OHS or OKS


# File names vary between years' packs: "Hip_Replacement_Provider_1617.csv.zip",
# "Hip Replacements Provider 1718.csv"; the year is the name's four digits (1617 = 2016-17).
PROCEDURES = (
    Procedure("Hip", r"hip[ _]+replacements?[ _]+provider", "OHS"),
    Procedure("Knee", r"knee[ _]+replacements?[ _]+provider", "OKS"),
)
PROVCOMM_PATTERN = r"provcomm[ _]+hip[ _]+and[ _]+knee"
EXPECTED = ("a hip and a knee record-level file, e.g. 'Hip Replacement Provider 1617.csv' or "
            "'Knee_Replacements_Provider_1718.csv.zip' (.csv or .csv.zip; spaces or _; "
            "the financial year as four digits)")
_YEAR = re.compile(r"(?<!\d)(\d{2})(\d{2})(?!\d)")


def financial_year(path: Path) -> int:
    """The first calendar year of the pack file's financial year: 2016 for '... 1617.csv'."""
    for first, second in _YEAR.findall(path.name):
        if int(second) == (int(first) + 1) % 100:
            return 2000 + int(first)
    raise PackError(f"{path}: no financial year in the file name (expected four digits "
                    "such as 1617 for 2016-17)")


def _found(pack_dir: Path) -> str:
    names = sorted(p.name + ("/" if p.is_dir() else "") for p in pack_dir.iterdir())
    return "the folder holds: " + (", ".join(names) if names else "nothing")


def find(pack_dir: Path, pattern: str) -> Path:
    """The one file of the pack whose name matches `pattern` (a .csv or .csv.zip)."""
    pack_dir = Path(pack_dir)
    if not pack_dir.is_dir():
        raise PackError(f"{pack_dir}: not a folder")
    hits = sorted(p for p in pack_dir.iterdir()
                  if re.search(pattern, p.name, re.IGNORECASE)
                  and p.name.lower().endswith((".csv", ".csv.zip", ".zip")))
    if not hits:
        raise PackError(f"{pack_dir}: no file matching {pattern!r} (.csv or .csv.zip); "
                        f"expected {EXPECTED}; {_found(pack_dir)}")
    if len(hits) > 1:
        zips = [h for h in hits if h.suffix.lower() == ".zip"]
        hits = zips[:1] if len(zips) == 1 else hits
        if len(hits) > 1:
            raise PackError(f"{pack_dir}: several files match {pattern!r}: "
                            f"{', '.join(h.name for h in hits)}; expected one of each: "
                            f"{EXPECTED}")
    return hits[0]


def locate(pack_dir: Path) -> tuple[int, dict[str, Path]]:
    """The pack's financial year and its record-level file per procedure kind.

    One PackError lists the files found and what was expected when the pack cannot be
    read: a file missing or ambiguous, or hip and knee files of different years.
    """
    files = {p.kind: find(pack_dir, p.file_pattern) for p in PROCEDURES}
    years = {kind: financial_year(path) for kind, path in files.items()}
    if len(set(years.values())) > 1:
        raise PackError(f"{pack_dir}: the record-level files are of different years ("
                        + ", ".join(f"{path.name}: {years[k]}-{(years[k] + 1) % 100:02d}"
                                    for k, path in files.items())
                        + f"); expected {EXPECTED}; {_found(pack_dir)}")
    return next(iter(years.values())), files


def read_csv(path: Path) -> pd.DataFrame:
    """A pack CSV (zipped or not) as Python strings, latin-1, names stripped; '' if empty."""
    try:
        if path.suffix.lower() == ".zip":
            with zipfile.ZipFile(path) as zf:
                members = [m for m in zf.namelist()
                           if m.lower().endswith(".csv") and not m.startswith("__MACOSX/")
                           and not Path(m).name.startswith("._")]
                if len(members) != 1:
                    raise PackError(f"{path}: expected one CSV in the zip, found {members}")
                data = zf.read(members[0])
        else:
            data = path.read_bytes()
    except (zipfile.BadZipFile, OSError) as exc:
        raise PackError(f"{path}: cannot be read: {exc}") from None
    try:
        frame = pd.read_csv(io.BytesIO(data), encoding="latin-1", dtype=object,
                            keep_default_na=False)
    except (pd.errors.EmptyDataError, pd.errors.ParserError) as exc:
        raise PackError(f"{path}: cannot be read as CSV: {exc}; expected {EXPECTED}") from None
    frame.columns = [c.strip() for c in frame.columns]
    return frame


def read_procedure(pack_dir: Path, procedure: Procedure) -> tuple[Path, pd.DataFrame]:
    """The record-level file of a procedure, checked for the columns the import uses."""
    path = find(pack_dir, procedure.file_pattern)
    frame = read_csv(path)
    needed = ["Provider Code", "Revision Flag", "Age Band", "Gender",
              *(f"{t} Q {d}" for t in ("Pre-Op", "Post-Op") for d in EQ5D_DIMENSIONS),
              "Pre-Op Q EQ VAS", "Post-Op Q EQ VAS"]
    missing = [c for c in needed if c not in frame.columns]
    if not oxford_items(frame, procedure, "Pre-Op") or not oxford_items(frame, procedure,
                                                                       "Post-Op"):
        missing.append(f"{procedure.kind} Replacement Pre-Op/Post-Op Q items")
    if missing:
        raise PackError(f"{path}: header row: missing column(s) {', '.join(missing)}")
    return path, frame


EQ5D_DIMENSIONS = ("Mobility", "Self-Care", "Activity", "Discomfort", "Anxiety")


def oxford_items(frame: pd.DataFrame, procedure: Procedure, when: str) -> list[str]:
    """The twelve Oxford item columns of a questionnaire, in questionnaire order."""
    prefix = f"{procedure.kind} Replacement {when} Q "
    items = [c for c in frame.columns if c.startswith(prefix) and not c.endswith(" Score")]
    return items if len(items) == 12 else []


# NHS's case-mix variables of the pre-op questionnaire and how each maps into Arvo's
# optional case-mix fields (arvo.contract.CASE_MIX_CODES; docs/nhs-proms.md): per field
# the pack's column and NHS's code -> Arvo's code. A code not listed is refused
# (PackError naming file, row and column), so a pack coded otherwise is never misread.
_YES_NO = {"1": "1", "2": "0", "9": ""}  # 9: not answered -> empty
_TICKED = {"1": "1", "9": "0"}  # "told by a doctor you have ...": a tick box; 9 = no tick
CASE_MIX: dict[str, tuple[str, dict[str, str]]] = {
    "living_arrangement": ("Pre-Op Q Living Arrangements",
                           {"1": "1", "2": "2", "3": "3", "4": "4", "9": ""}),
    "disability": ("Pre-Op Q Disability", _YES_NO),
    "assisted_at_baseline": ("Pre-Op Q Assisted", _YES_NO),
    "symptom_duration": ("Pre-Op Q Symptom Period",
                         {"1": "1", "2": "2", "3": "3", "4": "4", "9": ""}),
    "previous_surgery": ("Pre-Op Q Previous Surgery", _YES_NO),
    **{f"comorbidity_{field}": (column, _TICKED) for field, column in (
        ("heart_disease", "Heart Disease"), ("high_blood_pressure", "High Bp"),
        ("stroke", "Stroke"), ("circulation", "Circulation"),
        ("lung_disease", "Lung Disease"), ("diabetes", "Diabetes"),
        ("kidney_disease", "Kidney Disease"), ("nervous_system", "Nervous System"),
        ("liver_disease", "Liver Disease"), ("cancer", "Cancer"),
        ("depression", "Depression"), ("arthritis", "Arthritis"))},
}


def case_mix(path: Path, frame: pd.DataFrame) -> dict[str, list[str]]:
    """Arvo's case-mix fields per record from the pack's case-mix columns (those it has).

    A field whose column the pack lacks is left out (its cells stay empty); a code NHS
    does not use for the column is a PackError naming file, row and column.
    """
    out: dict[str, list[str]] = {}
    for field, (column, codes) in CASE_MIX.items():
        if column not in frame.columns:
            continue
        values = frame[column].str.strip()
        bad = values.index[~values.isin(list(codes))]
        if len(bad):
            raise PackError(f"{path}: row {int(bad[0]) + 1}, column {column!r}: "
                            f"{values[bad[0]]!r} is not one of NHS's codes "
                            f"({', '.join(codes)})")
        out[field] = values.map(codes).tolist()
    return out


def predicted_columns(frame: pd.DataFrame) -> list[str]:
    """NHS's case-mix predicted post-op scores: present only for records NHS modelled."""
    return [c for c in frame.columns if "predicted" in c.lower()]
