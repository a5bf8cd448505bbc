"""Where Arvo reads and writes, and the pseudonymisation key, from the environment.

Every path defaults to a folder under `var/` in the working directory; set
`ARVO_HOME` to move them all, or one variable each to move one.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class MissingKey(RuntimeError):
    """No pseudonymisation key was configured."""


class Settings(BaseModel):
    """Locations of every input and output of a run."""

    model_config = ConfigDict(frozen=True)

    home: Path
    raw_dir: Path
    lake_dir: Path
    quarantine_dir: Path
    warehouse: Path
    reports_dir: Path
    compiled_definitions_dir: Path
    meetings_dir: Path | None = None  # agreements of steering meetings (arvo.meetings)
    definitions_dir: Path = REPO_ROOT / "definitions"
    dbt_project_dir: Path = REPO_ROOT / "dbt_project"
    expectations_dir: Path = REPO_ROOT / "expectations"
    templates_dir: Path = REPO_ROOT / "reports" / "templates"

    @classmethod
    def from_env(cls, home: Path | str | None = None) -> Settings:
        """Settings from ARVO_* environment variables, with `var/` defaults under `home`."""
        env = os.environ
        base = Path(home or env.get("ARVO_HOME", "var")).resolve()

        def path(var: str, default: Path) -> Path:
            return Path(env[var]).resolve() if env.get(var) else default

        return cls(
            home=base,
            raw_dir=path("ARVO_RAW_DIR", base / "demo" / "raw"),
            lake_dir=path("ARVO_LAKE_DIR", base / "lake"),
            quarantine_dir=path("ARVO_QUARANTINE_DIR", base / "quarantine"),
            warehouse=path("ARVO_WAREHOUSE", base / "warehouse" / "arvo.duckdb"),
            reports_dir=path("ARVO_REPORTS_DIR", base / "reports"),
            compiled_definitions_dir=base / "definitions",
            meetings_dir=path("ARVO_MEETINGS_DIR", base / "meetings"),
            definitions_dir=path("ARVO_DEFINITIONS_DIR", REPO_ROOT / "definitions"),
        )


def pseudonym_key() -> bytes:
    """The keyed-hash secret: ARVO_PSEUDONYM_KEY, or the file named by ARVO_PSEUDONYM_KEY_FILE."""
    value = os.environ.get("ARVO_PSEUDONYM_KEY")
    if value:
        return value.encode("utf-8")
    key_file = os.environ.get("ARVO_PSEUDONYM_KEY_FILE")
    if key_file:
        path = Path(key_file)
        if not path.is_file():
            raise MissingKey(f"ARVO_PSEUDONYM_KEY_FILE points to {path}, which does not exist")
        key = path.read_bytes().strip()
        if key:
            return key
        raise MissingKey(f"pseudonymisation key file {path} is empty")
    raise MissingKey(
        "no pseudonymisation key: set ARVO_PSEUDONYM_KEY or ARVO_PSEUDONYM_KEY_FILE "
        "(e.g. `openssl rand -hex 32 > /secure/arvo.key`)"
    )
