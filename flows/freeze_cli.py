"""The `arvo freeze` and `arvo watch` commands, and the options that force a rerun of a
frozen period (docs/preview-and-freeze.md)."""

from __future__ import annotations

import time

import click

from flows.options import DEFS, HOME, RAW
from flows.options import months as _months


def force_frozen_options(fn):
    """`--force-frozen --reason TEXT [--by NAME]` for the commands that rerun a period."""
    fn = click.option("--by", default=None,
                      help="Who forces the rerun (recorded). Default: the login name")(fn)
    fn = click.option("--reason", default=None,
                      help="Why a frozen period is rerun (required with --force-frozen; "
                           "recorded and shown in the period's reports)")(fn)
    return click.option("--force-frozen", is_flag=True,
                        help="Rerun the period even though it is frozen")(fn)


def check_force(force_frozen: bool, reason: str | None) -> None:
    """--reason is required with --force-frozen."""
    if force_frozen and not (reason and reason.strip()):
        raise click.UsageError("--force-frozen needs --reason TEXT (it is recorded)")


def refused(exc: Exception) -> click.ClickException:
    """A refused rerun of a frozen period, as one line."""
    return click.ClickException(str(exc))


def refuse_frozen(params, periods: list[str], command: str) -> None:
    """Refuse, in one line and before any flow starts, to rerun a frozen period that is
    not forced (the flows check again: a deployment or the watch starts them directly)."""
    from arvo.freeze import PeriodFrozen, check_rerun

    check_force(getattr(params, "force_frozen", False), getattr(params, "reason", None))
    for period in periods:
        try:
            check_rerun(params.settings().warehouse, period,
                        forced=getattr(params, "force_frozen", False),
                        reason=getattr(params, "reason", None), command=command)
        except PeriodFrozen as exc:
            raise refused(exc) from None


@click.command()
@click.option("--period", required=True, callback=_months,
              help="Steering period to freeze: last month YYYY-MM (already run)")
@click.option("--by", default=None, help="Who freezes it (shown in the reports). "
                                         "Default: the login name")
@click.option("--note", default=None, help="A note shown in the period's reports")
@DEFS
@RAW
@HOME
def freeze(period, by, note, home, raw_dir, definitions_dir) -> None:
    """Freeze a steering period: its reports are rendered final ("frozen on <date> by
    <name>", no preview banner), a manifest of their files is recorded, and from then on
    a rerun of the period (steer, report, cycle, watch) is refused unless forced with
    `--force-frozen --reason TEXT`, which is recorded and shown in its reports.

    \b
    Example:
        arvo freeze --period 2025-12 --by "Commissioner A. Virtanen" --note "Board 14.1."
    """
    from flows.freeze import FreezeParams, freeze_period
    from flows.runs import in_this_process

    try:
        result = in_this_process(freeze_period, FreezeParams(
            home=home, raw_dir=raw_dir, definitions_dir=definitions_dir, period=period,
            by=by, note=note))
    except ValueError as exc:
        raise click.ClickException(str(exc).splitlines()[0]) from None
    state = "was already frozen" if result.already else "frozen"
    click.echo(f"{result.period} {state} on {result.frozen_at:%Y-%m-%d %H:%M} by "
               f"{result.frozen_by}; {len(result.manifest)} report files in its manifest")


@click.command()
@click.option("--once", is_flag=True, help="Scan once and exit")
@click.option("--interval", default=900, show_default=True, type=click.IntRange(min=10),
              help="Seconds between scans without --once")
@click.option("--provider", "providers", multiple=True, help="Provider ID (repeatable). "
                                                             "Default: all registered")
@DEFS
@RAW
@HOME
def watch(once, interval, providers, home, raw_dir, definitions_dir) -> None:
    """Watch the submissions folder: when a provider's month is new or corrected since it
    was ingested, rerun each steering period already run whose window holds it, oldest
    first, unless the period is frozen ("frozen, not rerun: P ...").

    \b
    Example:
        arvo watch --once
        arvo watch --interval 900 --raw-dir /data/submissions
    """
    from flows.watch import WatchParams
    from flows.watch import watch as watch_flow

    params = WatchParams(home=home, raw_dir=raw_dir, definitions_dir=definitions_dir,
                         providers=list(providers) or None)
    while True:
        result = watch_flow(params)
        click.echo(f"changed: {len(result.changed)} provider months; rerun: "
                   f"{', '.join(result.rerun) or 'none'}")
        for period in result.frozen:
            click.echo(f"frozen, not rerun: {period}")
        if once:
            return
        time.sleep(interval)
