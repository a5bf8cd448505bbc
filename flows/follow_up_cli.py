"""The `arvo follow-up` command: evaluate steering periods and propose their renewal
(docs/follow-up.md)."""

from __future__ import annotations

import click

from flows.options import DEFS, HOME, LANG, PDF
from flows.options import months as _months


@click.command(name="follow-up")
@click.option("--from", "first", required=True, callback=_months,
              help="First steering period of the span, YYYY-MM (already steered)")
@click.option("--to", "last", required=True, callback=_months,
              help="Last steering period of the span, YYYY-MM (already steered)")
@click.option("--in-force-from", default=None, callback=_months,
              help="First month of the proposed definitions version. Default: the month "
                   "after --to")
@HOME
@DEFS
@PDF
@LANG
def follow_up(first, last, in_force_from, home, definitions_dir, pdf, lang) -> None:
    """Follow-up: were the objectives met and the obligations kept over the steering
    periods --from..--to, and what should the next definitions version change.

    Reads only the warehouse the steering runs built (run the periods first with
    `arvo steer` or `arvo cycle`). Writes the proposals as a draft definitions version,
    <home>/follow-up/<from>_<to>/draft/ (a complete definitions folder with the new
    versions/<id>/), proposals.yml beside it, and the report
    <reports>/follow-up/<from>_<to>/follow_up_report.html.

    \b
    Example:
        arvo cycle --period 2024-12 --period 2025-06 --period 2025-12
        arvo follow-up --from 2024-12 --to 2025-12 --lang fi --pdf
    """
    from arvo.follow_up.evaluate import MissingPeriods
    from flows.follow_up import FollowUpParams
    from flows.follow_up import follow_up as follow_up_flow
    from flows.runs import in_this_process

    params = FollowUpParams(home=home, definitions_dir=definitions_dir, first=first,
                            last=last, in_force_from=in_force_from, lang=lang, pdf=pdf)
    if first > last:
        raise click.BadParameter(f"{first} is after --to {last}", param_hint="'--from'")
    try:
        result = in_this_process(follow_up_flow, params)
    except MissingPeriods as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"periods: {', '.join(result.periods)}")
    click.echo(f"proposals: {result.proposals} ({result.changes} changes) in "
               f"{result.proposals_file}")
    click.echo(f"draft definitions version {result.version}: {result.draft}")
    click.echo("\nReports written:")
    for path in result.reports:
        click.echo(f"  {path}")
