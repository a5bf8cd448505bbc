"""The `arvo check` command: a provider checks its submission before sending it
(docs/providers.md). A quick command: it calls the library, no Prefect."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from flows.options import DEFS


@click.command(name="check")
@click.argument("submission_dir", metavar="SUBMISSION_DIR",
                type=click.Path(path_type=Path))
@click.option("--provider", "provider_id", default=None,
              help="Provider ID (Y-tunnus). Default: the provider folder's name")
@DEFS
@click.option("--lang", type=click.Choice(["fi", "sv", "en"]), default="fi",
              show_default=True, help="Language of the output")
@click.option("--json", "as_json", is_flag=True,
              help="Print the result as one JSON document (for machines)")
def check(submission_dir, provider_id, definitions_dir, lang, as_json) -> None:
    """Check a submission folder as ingest would, writing nothing: per file the rows in,
    the rows that would be accepted and quarantined; each row that would be quarantined
    by its record ID (event_id, episode_id, response_id), row, column and reason; files
    that would be rejected whole; files not read.

    SUBMISSION_DIR is a month folder <provider-id>/<YYYY-MM>/ or a provider folder holding
    month folders. Needs no pseudonymisation key. Exit status: 0 all rows would be
    accepted, 1 something would be quarantined, rejected or not read, 2 the folder cannot
    be checked.

    \b
    Example:
        arvo check submissions/2358253-3/2025-12
        arvo check submissions/2358253-3 --lang sv --json
    """
    from arvo.definitions import DefinitionError
    from arvo.ingest.check import CheckUsageError, check_submission

    logging.getLogger("arvo.ingest").setLevel(logging.ERROR)  # the report says it, in `lang`
    try:
        report = check_submission(submission_dir, provider_id=provider_id,
                                  definitions_dir=definitions_dir)
    except CheckUsageError as exc:
        click.echo(f"Error: {exc.message.render(lang)}", err=True)
        sys.exit(2)
    except DefinitionError as exc:
        click.echo(f"Error: definitions: {str(exc).splitlines()[0]}", err=True)
        sys.exit(2)
    if as_json:
        click.echo(report.to_json(lang))
    else:
        for line in report.lines(lang):
            click.echo(line)
    sys.exit(report.exit_status)
