"""The `arvo import` and `arvo compare` commands: NHS PROMs packs through Arvo, and
Arvo's results against NHS's published figures (docs/nhs-proms.md)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from arvo import config
from flows.options import HOME
from flows.options import months as _months


@click.group(name="import")
def import_group() -> None:
    """Turn other registers' data into provider submissions in Arvo's contract."""


@import_group.command(name="nhs-proms")
@click.argument("pack_dir", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False),
              default=Path("var/nhs"), show_default=True,
              help="Writes <out>/raw/<ODS code>/<YYYY-MM>/ submissions and <out>/definitions/")
@click.option("--modelled-only", is_flag=True,
              help="Keep only the records NHS's case-mix model used (NHS's inclusion rule for "
                   "its published averages); the others are listed in excluded_records.csv")
def import_nhs_proms(pack_dir, out_dir, modelled_only) -> None:
    """Import an NHS PROMs record-level data pack (hip and knee replacement).

    Each NHS provider becomes a provider (ODS code), each record an episode with an
    EQ-5D-3L and an Oxford Hip or Knee Score response before the operation and six
    months after it (docs/nhs-proms.md says what is made up: identities and dates).
    Any year's pack is read as NHS names it ("Hip_Replacement_Provider_1617.csv.zip",
    "Hip Replacements Provider 1718.csv"), dated by the year in its file names. Then run
    the pipeline on it, unchanged, with the command printed at the end. A pack that
    cannot be read: the files found and what was expected, exit status 2.

    \b
    Example:
        arvo import nhs-proms ../shared/data/nhs-proms-2016-17 --out var/nhs --modelled-only
    """
    from arvo.nhs.pack import PackError, locate
    from flows.nhs.flows import ImportParams
    from flows.nhs.flows import import_nhs_proms as import_flow
    from flows.runs import in_this_process

    try:
        locate(pack_dir)  # the files of one year, found before any work: one clear error
        summary = in_this_process(import_flow, ImportParams(
            pack_dir=pack_dir, out_dir=out_dir, modelled_only=modelled_only))
    except PackError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    for line in summary.lines():
        click.echo(line)
    out = summary.out_dir
    click.echo(f"\nnext: arvo steer --home {out} --raw-dir {summary.raw_dir} "
               f"--definitions-dir {summary.definitions_dir} --period {summary.period}\n"
               f"then: arvo compare nhs-provcomm {pack_dir} --home {out}")


def _comparison(out_help: str):
    """The arguments every comparison with an NHS pack takes: PACK_DIR, --home, --period,
    --out (described by `out_help`)."""
    def wrap(fn):
        for option in reversed((
                click.argument("pack_dir", type=click.Path(path_type=Path, file_okay=False,
                                                           exists=True)),
                HOME,
                click.option("--period", default=None, callback=_months,
                             help="Steering period the import was run for. Default: the "
                                  "import's, from the pack's year (2017-09 for 2016-17)"),
                click.option("--out", type=click.Path(path_type=Path, dir_okay=False),
                             default=None, help=out_help))):
            fn = option(fn)
        return fn
    return wrap


@click.group(name="compare")
def compare_group() -> None:
    """Check Arvo's results against figures others published."""


@compare_group.command(name="nhs-provcomm")
@_comparison("Row-by-row comparison CSV. Default: <home>/nhs_provcomm_comparison.csv")
def compare_nhs_provcomm(pack_dir, home, period, out) -> None:
    """Compare per-provider health gains with NHS's published ProvComm figures.

    Reads mart_provider_measure_outcomes from the warehouse under --home (after `arvo
    steer` on an `arvo import nhs-proms` output) and ProvComm from PACK_DIR; prints the
    match rate and writes every row with its status. Exit status 1 if a published row
    whose records are in the pack differs.

    \b
    Example:
        arvo compare nhs-provcomm ../shared/data/nhs-proms-2016-17 --home var/nhs
    """
    from arvo.nhs import provcomm
    from flows.nhs.flows import compare_nhs_provcomm as compare_flow

    result = _compare(compare_flow, pack_dir, home, period, out,
                      "nhs_provcomm_comparison.csv", "row by row")
    explained = (provcomm.MATCH, provcomm.TOTAL_COUNT, provcomm.NOT_IN_PACK, *provcomm.UNPUBLISHED)
    if not result.rows["status"].isin(explained).all():
        sys.exit(1)


@compare_group.command(name="nhs-adjusted")
@_comparison("Provider-by-provider CSV. Default: <home>/nhs_adjusted_comparison.csv")
def compare_nhs_adjusted(pack_dir, home, period, out) -> None:
    """Compare case-mix adjusted health gains and funnel alarms with NHS's published ones.

    Reads mart_provider_funnel from the warehouse under --home (after `arvo steer` on an
    `arvo import nhs-proms` output) and ProvComm from PACK_DIR. For each primary joint x
    measure: Pearson r between Arvo's adjusted health gain and NHS's, and the providers
    NHS's adjusted post-op scores place beyond |z| 4 or within |z| 1.96 on NHS's funnel
    (England's mean and SD, no overdispersion) against Arvo's alarms under the same
    limits. Exit status 1 if a target is missed (docs/nhs-proms.md).

    \b
    Example:
        arvo compare nhs-adjusted ../shared/data/nhs-proms-2016-17 --home var/nhs
    """
    from flows.nhs.flows import compare_nhs_adjusted as compare_flow

    result = _compare(compare_flow, pack_dir, home, period, out,
                      "nhs_adjusted_comparison.csv", "provider by provider")
    if result.missed():
        sys.exit(1)


def _compare(compare_flow, pack_dir: Path, home: Path | None, period: str | None,
             out: Path | None, default_name: str, what: str):
    """Run a comparison flow on the pack and the warehouse under `home`; print its lines."""
    from flows.nhs.flows import CompareParams
    from flows.runs import in_this_process

    period = period or _pack_period(pack_dir)
    settings = config.Settings.from_env(home)
    out = out or settings.home / default_name
    result = in_this_process(compare_flow, CompareParams(
        pack_dir=pack_dir, warehouse=settings.warehouse, period=period, out=out))
    for line in result.lines():
        click.echo(line)
    click.echo(f"{what}: {out}")
    return result


def _pack_period(pack_dir: Path) -> str:
    """The steering period an import of the pack is run for (exit status 2 if unreadable)."""
    from arvo.nhs.pack import PackError, locate
    from arvo.nhs.submission import import_period

    try:
        return import_period(locate(pack_dir)[0])
    except PackError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
