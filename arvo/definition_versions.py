"""Versions of the commissioner's definitions: which files are in force at a period.

A definitions folder keeps its history as the commissioner changes it
(docs/definitions.md):

    definitions/version.yml                  version: v1, in_force_from: "2024-01", description
    definitions/*.yml                        the first version's complete files
    definitions/versions/<id>/version.yml    version: <id>, in_force_from: "YYYY-MM", description
    definitions/versions/<id>/<file>.yml     only the files the version changes, each whole;
                                             the others carry over from the version before

A folder without `version.yml` and `versions/` is one version, `current`, in force at
every period (the NHS import and the tests' folders). A run for period P uses the version
in force at P: the latest whose `in_force_from` is not after P.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from arvo.periods import check_month

#: The files a version may hold (arvo.definitions reads them).
DEFINITION_FILES = ("providers.yml", "service_types.yml", "packages.yml", "segments.yml",
                    "obligations.yml", "verdicts.yml", "objectives.yml", "payments.yml")
VERSION_FILE = "version.yml"
VERSIONS_DIR = "versions"
UNVERSIONED = "current"
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")


class VersionError(ValueError):
    """A definitions history that cannot be used, with the file and key named."""


class VersionInfo(BaseModel):
    """The content of a `version.yml`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(description="the version's id: letters, digits, . _ -")
    in_force_from: str = Field(description="the first period (YYYY-MM) it is in force")
    description: str = Field("", description="what changed, in the commissioner's words")

    @field_validator("version")
    @classmethod
    def _id(cls, v: str) -> str:
        if not _ID.match(v):
            raise ValueError(f"{v!r} is not a version id (letters, digits, '.', '_', '-'; "
                             "at most 32 characters, e.g. v2)")
        return v

    @field_validator("in_force_from", mode="before")
    @classmethod
    def _month(cls, v: object) -> str:
        return check_month(str(v))


class Version(BaseModel):
    """One version of the definitions: its id, when it is in force, and its files."""

    model_config = ConfigDict(frozen=True)

    id: str
    in_force_from: str | None  # None: in force at every period (an unversioned folder)
    description: str = ""
    folder: Path  # where its own files are (the definitions folder for the first)
    files: dict[str, Path]  # every definitions file in force, own or carried over
    own: tuple[str, ...] = ()  # the files this version itself holds

    def label(self) -> str:
        """`v2 (from 2025-01)`, or the id alone for an unversioned folder."""
        return f"{self.id} (from {self.in_force_from})" if self.in_force_from else self.id


def is_versioned(directory: Path) -> bool:
    """Whether the folder keeps a history (has `version.yml`)."""
    return (Path(directory) / VERSION_FILE).is_file()


def history(directory: Path) -> list[Version]:
    """Every version of the definitions folder, oldest first (one for an unversioned folder).

    Raises VersionError naming the file and key when a `version.yml` is invalid, two
    versions share an id or a month, a version folder's name differs from its id, a later
    version is not in force after the first, or a version folder holds a file that is not
    a definitions file.
    """
    directory = Path(directory)
    own = _own_files(directory)
    if not is_versioned(directory):
        if (directory / VERSIONS_DIR).is_dir():
            raise VersionError(f"{directory / VERSION_FILE}: file is missing: a folder with "
                               f"{VERSIONS_DIR}/ needs the first version's version.yml "
                               "(version, in_force_from, description)")
        return [Version(id=UNVERSIONED, in_force_from=None, folder=directory,
                        files=own, own=tuple(own))]
    infos = [(directory, _info(directory / VERSION_FILE), own)]
    root = directory / VERSIONS_DIR
    for folder in sorted(root.iterdir() if root.is_dir() else ()):
        if not folder.is_dir():
            raise VersionError(f"{folder}: not a version folder (expected "
                               f"{VERSIONS_DIR}/<id>/ with a {VERSION_FILE})")
        path = folder / VERSION_FILE
        if not path.is_file():
            raise VersionError(f"{path}: file is missing (version, in_force_from, description)")
        info = _info(path)
        if info.version != folder.name:
            raise VersionError(f"{path}: version: {info.version!r} differs from the folder's "
                               f"name {folder.name!r}; name the folder after the version")
        infos.append((folder, info, _own_files(folder)))
    first = infos[0][1]
    later = sorted(infos[1:], key=lambda t: t[1].in_force_from)
    seen_ids, seen_months = {first.version: directory}, {first.in_force_from: directory}
    for folder, info, _ in later:
        path = folder / VERSION_FILE
        if info.version in seen_ids:
            raise VersionError(f"{path}: version: {info.version!r} is already the id of "
                               f"{seen_ids[info.version] / VERSION_FILE}")
        if info.in_force_from in seen_months:
            raise VersionError(f"{path}: in_force_from: {info.in_force_from} is already when "
                               f"{seen_months[info.in_force_from] / VERSION_FILE} comes into "
                               "force; one version per month")
        if info.in_force_from < first.in_force_from:
            raise VersionError(f"{path}: in_force_from: {info.in_force_from} is before the "
                               f"first version ({first.in_force_from}, "
                               f"{directory / VERSION_FILE})")
        seen_ids[info.version] = folder
        seen_months[info.in_force_from] = folder
    versions: list[Version] = []
    files: dict[str, Path] = {}
    for folder, info, mine in [infos[0], *later]:
        files = {**files, **mine}
        versions.append(Version(id=info.version, in_force_from=info.in_force_from,
                                description=info.description, folder=folder,
                                files=dict(files), own=tuple(sorted(mine))))
    return versions


def in_force(directory: Path, period: str) -> Version:
    """The version in force at `period` (YYYY-MM): the latest not in force after it."""
    check_month(period)
    versions = history(directory)
    valid = [v for v in versions if v.in_force_from is None or v.in_force_from <= period]
    if not valid:
        first = versions[0]
        raise VersionError(f"{Path(directory) / VERSION_FILE}: no definitions are in force at "
                           f"{period}: the first version {first.id} is in force from "
                           f"{first.in_force_from}")
    return valid[-1]


def latest(directory: Path) -> Version:
    """The newest version (the one in force from the latest month)."""
    return history(directory)[-1]


def find(directory: Path, version_id: str) -> Version:
    """The version with id `version_id`; VersionError listing the ids when there is none."""
    versions = history(directory)
    for v in versions:
        if v.id == version_id:
            return v
    raise VersionError(f"{directory}: no version {version_id!r} (versions: "
                       f"{', '.join(v.id for v in versions)})")


def next_id(directory: Path) -> str:
    """The id a new version after the latest would take: v<N+1> after vN, else <id>-next."""
    last = latest(directory).id
    match = re.fullmatch(r"v(\d+)", last)
    return f"v{int(match.group(1)) + 1}" if match else f"{last}-next"


def _info(path: Path) -> VersionInfo:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise VersionError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(doc, dict):
        raise VersionError(f"{path}: expected a mapping with keys version, in_force_from, "
                           "description")
    try:
        return VersionInfo(**doc)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"]) or "(top)"
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown key; allowed: version, in_force_from, description"
        raise VersionError(f"{path}: {key}: {msg}") from None


def _own_files(folder: Path) -> dict[str, Path]:
    """The definitions files a folder holds itself; an unknown .yml file is an error."""
    files = {}
    for path in sorted(folder.glob("*.yml")) + sorted(folder.glob("*.yaml")):
        if path.name == VERSION_FILE:
            continue
        if path.name not in DEFINITION_FILES:
            raise VersionError(f"{path}: not a definitions file (allowed: "
                               f"{', '.join(DEFINITION_FILES)}, {VERSION_FILE})")
        files[path.name] = path
    return files
