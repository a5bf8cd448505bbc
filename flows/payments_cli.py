"""The `arvo payments` command: what a draft payment rule set would pay (docs/payments.md)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from flows.options import DEFS, HOME
from flows.options import months as _months


@click.command(name="payments")
@click.option("--rules", "rules_file", required=True,
              type=click.Path(path_type=Path, dir_okay=False),
              help="A draft rules file in the layout of definitions/payments.yml")
@click.option("--period", required=True, callback=_months, help="Steering period YYYY-MM")
@HOME
@DEFS
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Also write the comparison per provider x package to this CSV file")
def payments(rules_file, period, home, definitions_dir, out) -> None:
    """What if: the period's payments under a draft rule set, beside the published ones.

    Reads the warehouse read-only and runs the payment rules on the period's published
    verdicts, participation and episodes; prints per provider the published payment,
    the draft's and the difference, and the totals. Writes nothing to the warehouse or
    the reports (only the CSV given by --out). Amounts resting on 1 to 4 episodes are
    hidden ("<5"), as in the reports. An invalid rules file stops with the file and key
    named.

    \b
    Example:
        arvo payments --rules draft_payments.yml --period 2025-12
        arvo payments --rules draft_payments.yml --period 2025-12 --out whatif.csv
    """
    from arvo import config, definitions
    from arvo.payments import whatif

    settings = config.Settings.from_env(home)
    try:
        defs = definitions.load(definitions_dir or settings.definitions_dir, period)
        draft = whatif.load_rules(rules_file, defs)
        result = whatif.compare(settings.warehouse, period, draft)
    except (definitions.DefinitionError, FileNotFoundError, LookupError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    click.echo(f"Payments {period}: published (mart_provider_payments) and draft "
               f"({rules_file}), EUR")
    click.echo(f"{'provider':<48} {'published':>14} {'draft':>14} {'difference':>14}")
    for r in result.shown(result.by_provider()).itertuples():
        click.echo(f"{str(r.provider_name)[:48]:<48} {_eur(r.published_eur)} "
                   f"{_eur(r.draft_eur)} {_eur(r.difference_eur, '+')}")
    t = result.total()
    click.echo(f"{'total':<48} {t['published_eur']:>14,.2f} {t['draft_eur']:>14,.2f} "
               f"{t['difference_eur']:>+14,.2f}")
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        result.shown(result.by_package).to_csv(out, index=False)
        click.echo(f"written: {out}")


def _eur(value, sign: str = "") -> str:
    """An amount right-aligned to 14, or a small-cell marker as it is."""
    return f"{value:>{sign}14,.2f}" if not isinstance(value, str) else f"{value:>14}"
