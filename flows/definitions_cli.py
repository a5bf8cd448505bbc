"""The `arvo definitions` commands: check a definitions folder and show its change log
(docs/definitions.md). Quick commands: they call the library, no Prefect server."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from arvo.config import REPO_ROOT

_DIR = click.argument("directory", required=False, default=None,
                      type=click.Path(path_type=Path, file_okay=False))


def _default(directory: Path | None) -> Path:
    import os

    return directory or Path(os.environ.get("ARVO_DEFINITIONS_DIR") or REPO_ROOT / "definitions")


@click.group(name="definitions")
def definitions_group() -> None:
    """The commissioner's definitions: validate them and list what each version changed."""


@definitions_group.command(name="check")
@_DIR
def check(directory: Path | None) -> None:
    """Validate a definitions folder (every version) or one version folder.

    Every error names the file, the key, what is wrong and what is allowed; the exit
    status is 1 when any version is invalid. DIRECTORY defaults to $ARVO_DEFINITIONS_DIR
    or the repository's definitions/.

    \b
    Example:
        arvo definitions check
        arvo definitions check definitions/versions/v2
        arvo definitions check var/follow-up/2025-01_2025-12/draft
    """
    from arvo import definition_changes

    result = definition_changes.check(_default(directory))
    for label in result.valid:
        click.echo(f"valid: version {label}")
    for error in result.errors:  # one error per line; a version's further ones indented
        first, *more = error.splitlines()
        click.echo(f"INVALID {first}", err=True)
        for line in more:
            click.echo(f"        {line}", err=True)
    if result.errors:
        sys.exit(1)
    click.echo(f"{result.directory}: {len(result.valid)} version(s) valid")


@definitions_group.command(name="changes")
@_DIR
def changes(directory: Path | None) -> None:
    """The change log: each version, when it is in force, and what it adds, removes or
    changes against the version before.

    \b
    Example:
        arvo definitions changes definitions/
    """
    from arvo import definition_changes, definition_versions
    from arvo.definitions import DefinitionError

    folder = _default(directory)
    try:
        versions = definition_versions.history(folder)
        log = definition_changes.change_log(folder)
    except (DefinitionError, definition_versions.VersionError) as exc:
        click.echo(f"INVALID {exc}", err=True)
        sys.exit(1)
    for v in versions:
        click.echo(f"{v.label()}: {v.description}".rstrip(": "))
        for c in (c for c in log if c.version == v.id):
            click.echo(f"  {str(c).removeprefix(v.id + ' ')}")
