"""Options the `arvo` commands share (flows/cli.py, flows/nhs/cli.py)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import click

HOME = click.option("--home", type=click.Path(path_type=Path), default=None,
                    help="Root of all outputs (lake, quarantine, warehouse, reports). "
                         "Default: $ARVO_HOME or ./var")
RAW = click.option("--raw-dir", type=click.Path(path_type=Path, file_okay=False), default=None,
                   help="Folder of provider submissions <provider>/<YYYY-MM>/. "
                        "Default: <home>/demo/raw")

DEFS = click.option("--definitions-dir", type=click.Path(path_type=Path, file_okay=False),
                    default=None,
                    help="The commissioner's definitions (providers.yml, packages.yml, ...). "
                         "Default: $ARVO_DEFINITIONS_DIR or the repository's definitions/")


def months(ctx, param, value):
    """Reject a period that is not a month YYYY-MM with one line, not a traceback."""
    from arvo.periods import is_month

    for v in value if isinstance(value, tuple) else (value,):
        if v is not None and not is_month(v):
            raise click.BadParameter(f"{v!r} is not a month YYYY-MM (e.g. 2025-12)")
    return value

LANG = click.option("--lang", type=click.Choice(["fi", "sv", "en"]), default="fi",
                    show_default=True,
                    help="Language of the steering report and index, and of each provider's "
                         "feedback unless providers.yml sets the provider's `language`")

PDF = click.option("--pdf", is_flag=True,
                   help="Also write each report as an A4 PDF beside its HTML "
                        "(steering_report.pdf, providers/<id>/feedback.pdf)")


def ensure_demo_key(home: Path | None) -> None:
    """For the demo only: create a random pseudonymisation key if none is configured."""
    from arvo import config

    try:
        config.pseudonym_key()
        return
    except config.MissingKey:
        pass
    path = config.Settings.from_env(home).home / "secrets" / "pseudonym.key"
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    os.environ["ARVO_PSEUDONYM_KEY_FILE"] = str(path)
    click.echo(f"demo: using pseudonymisation key file {path} (set ARVO_PSEUDONYM_KEY_FILE "
               "to your county's key in production)")
