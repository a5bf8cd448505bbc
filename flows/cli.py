"""The `arvo` command line. The pipeline's commands run Prefect flows (`flows.steering`, ...);
the quick ones (`check`, `score`, `definitions check`, every `--help`) call the library and
never import Prefect.

Outputs land under ./var (or $ARVO_HOME): var/lake, var/quarantine, var/warehouse,
var/reports. Run `arvo COMMAND --help` for each command's options and an example.
"""

from __future__ import annotations

import atexit
import os
import sys
from pathlib import Path

import click

from arvo.contract import INSTRUMENT_ITEMS
from flows.check_cli import check as check_command
from flows.definitions_cli import definitions_group
from flows.follow_up_cli import follow_up as follow_up_command
from flows.freeze_cli import force_frozen_options, refuse_frozen
from flows.freeze_cli import freeze as freeze_command
from flows.freeze_cli import watch as watch_command
from flows.nhs import cli as nhs_cli
from flows.ops_cli import bench as bench_command
from flows.ops_cli import deploy as deploy_command
from flows.ops_cli import serve as serve_command
from flows.options import DEFS, HOME, LANG, PDF, RAW, ensure_demo_key
from flows.options import months as _months
from flows.payments_cli import payments as payments_command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Arvo: value-based steering of health and social care services.

    \b
    Quick start (synthetic region, full cycle, reports printed at the end):
        arvo demo
    """


def _start_ingest_workers(home: Path | None) -> None:
    """Start the ingest workers' fork server before Prefect is imported, so that its own
    imports (about 2 s) overlap the run's start (arvo.forked)."""
    from arvo import forked
    from arvo.config import Settings

    if Settings.from_env(home).ingest_processes > 1:
        forked.start()


def _print_reports(results) -> None:
    click.echo("\nReports written:")
    for result in results:
        if not hasattr(result, "files"):  # a follow-up or a definition review
            phase = "follow-up" if hasattr(result, "draft") else "definition"
            span = (f"{result.periods[0]}..{result.periods[-1]}" if hasattr(result, "periods")
                    else result.period)
            for path in result.reports:
                click.echo(f"  {phase} {span}: {path}")
            if hasattr(result, "draft"):
                click.echo(f"  {phase} {span}: draft definitions {result.version}: "
                           f"{result.draft} ({result.proposals} proposals: "
                           f"{result.proposals_file})")
            continue
        for path in result.reports:
            if path.name in ("steering_report.html", "index.html", "steering_report.pdf"):
                click.echo(f"  {result.period}: {path}")
        for name in ("feedback.html", "feedback.pdf"):
            providers = [p for p in result.reports if p.name == name]
            if providers:
                click.echo(f"  {result.period}: {len(providers)} provider feedback reports: "
                           f"{providers[0].parent.parent}/*/{name}")


@main.command()
@HOME
@click.option("--seed", default=42, show_default=True, help="Random seed of the region")
@click.option("--residents", default=50_000, show_default=True, help="Residents of the region")
@click.option("--months", default=24, show_default=True, help="Months of submissions")
@click.option("--period", "periods", multiple=True, callback=_months,
              help="Steering period YYYY-MM (repeatable). Default: every month with a full "
                   "12-month window")
@PDF
def demo(home, seed, residents, months, periods, pdf) -> None:
    """Generate the synthetic region and run the whole loop over its history: steering
    every month, follow-ups quarterly, the definition review each December.

    \b
    Example:
        arvo demo --residents 5000 --home /tmp/arvo --pdf
    """
    from flows.cycle import DemoParams
    from flows.cycle import demo as demo_flow
    from flows.runs import in_this_process

    ensure_demo_key(home)
    result = in_this_process(demo_flow, DemoParams(
        home=home, seed=seed, residents=residents, months=months,
        periods=list(periods) or None, pdf=pdf))
    _print_cycle(result)


def _print_cycle(result) -> None:
    """Where each phase's reports are: each steering period's report (the last one's every
    report), then the definition reviews and the follow-ups with their drafts."""
    *earlier, last = result.steering
    if earlier:
        click.echo("\nSteering reports of the earlier periods (each with its providers' "
                   "feedback beside it):")
        for r in earlier:
            report = next((p for p in r.reports if p.name == "steering_report.html"), None)
            click.echo(f"  {r.period}: {report or 'no reports rendered'}")
    _print_reports([last, *result.definitions, *result.follow_ups])


@main.command()
@HOME
@RAW
@click.option("--seed", default=42, show_default=True, help="Random seed of the region")
@click.option("--residents", default=50_000, show_default=True, help="Residents of the region")
@click.option("--months", default=24, show_default=True, help="Months of submissions")
@click.option("--start-month", default="2024-01", show_default=True, callback=_months,
              help="First submission month YYYY-MM")
def generate(home, raw_dir, seed, residents, months, start_month) -> None:
    """Write the synthetic region's submissions and planted truth (no pipeline run).

    \b
    Example:
        arvo generate --residents 3000 --seed 7 --home /tmp/arvo
    """
    from flows.cycle import DemoParams, generate_demo_region

    summary = generate_demo_region(DemoParams(home=home, raw_dir=raw_dir, seed=seed,
                                              residents=residents, months=months,
                                              start_month=start_month))
    for k, v in summary.items():
        click.echo(f"{k}: {v}")


def _period_command(fn):
    fn = click.option("--period", required=True, callback=_months,
                      help="Steering period: last month YYYY-MM")(fn)
    return DEFS(RAW(HOME(fn)))


def _check_providers(params, providers) -> None:
    """Unknown provider IDs are a usage error, named in one line."""
    from arvo import definitions

    if not providers:
        return
    known = {p.id for p in definitions.load(params.settings().definitions_dir).providers}
    unknown = sorted(set(providers) - known)
    if unknown:
        raise click.BadParameter(f"{', '.join(unknown)} not in providers.yml of the "
                                 "definitions", param_hint="'--provider'")


@main.command()
@_period_command
@click.option("--provider", "providers", multiple=True, help="Provider Y-tunnus (repeatable)")
@click.option("--force", is_flag=True, help="Re-ingest months whose files have not changed")
def ingest(home, raw_dir, definitions_dir, period, providers, force) -> None:
    """Ingest providers' submissions up to a period into the lake and quarantine.

    \b
    Example:
        arvo ingest --period 2025-12 --raw-dir /data/submissions --provider 2358253-3
    """
    _start_ingest_workers(home)
    from flows.runs import in_this_process
    from flows.steering import SteeringParams
    from flows.steering import ingest as ingest_flow

    params = SteeringParams(home=home, raw_dir=raw_dir, definitions_dir=definitions_dir,
                            period=period, providers=list(providers) or None, force=force)
    _check_providers(params, providers)
    outcomes = in_this_process(ingest_flow, params)
    click.echo(f"{'provider':<10} {'month':<7} {'file':<16} {'in':>7} {'ok':>7} {'quar':>6} "
               f"{'blank':>6} status")
    for o in outcomes:
        click.echo(f"{o.provider_id:<10} {o.month:<7} {o.source_file:<16} {o.rows_in:>7} "
                   f"{o.rows_accepted:>7} {o.rows_quarantined:>6} {o.blank_lines:>6} "
                   f"{o.status}")
    for o in outcomes:
        if o.status in ("rejected", "empty", "withdrawn", "unrecognised"):
            click.echo(f"{o.status.upper()}: {o.message}", err=True)


@main.command()
@_period_command
@click.option("--force", is_flag=True, help="Re-ingest months whose files have not changed")
@click.option("--json", "as_json", is_flag=True,
              help="Print the result as one JSON line (stage timings, files, reports)")
@PDF
@LANG
@force_frozen_options
def steer(home, raw_dir, definitions_dir, period, force, as_json, pdf, lang, force_frozen,
          reason, by) -> None:
    """Run one steering period: ingest, build the marts, check the obligations, render reports.

    A period is in preview until `arvo freeze`; a frozen period is not rerun unless forced.

    \b
    Example:
        arvo steer --period 2025-12
        arvo steer --period 2025-12 --lang sv --pdf
        arvo steer --period 2025-12 --force-frozen --reason "corrected costs of provider X"
    """
    _start_ingest_workers(home)
    from flows.runs import in_this_process
    from flows.steering import SteeringParams, steering

    params = SteeringParams(
        home=home, raw_dir=raw_dir, definitions_dir=definitions_dir, period=period,
        force=force, pdf=pdf, lang=lang, force_frozen=force_frozen, reason=reason, by=by)
    refuse_frozen(params, [period], "steer")
    result = in_this_process(steering, params)
    if as_json:
        click.echo(result.model_dump_json())
    else:
        _print_reports([result])


@main.command()
@_period_command
@click.option("--segments", "draft", type=click.Path(path_type=Path, dir_okay=False),
              default=None, help="A draft segmentation in the form of definitions/segments.yml, "
                                 "compared with the current one. Default: the current segments")
@click.option("--force", is_flag=True, help="Re-ingest months whose files have not changed")
@PDF
@LANG
def define(home, raw_dir, definitions_dir, period, draft, force, pdf, lang) -> None:
    """Analyse the current state for the definition phase: population, service use, cost
    concentration, high-need clients, segment profiles (current and draft) and the
    baselines of candidate objectives, over the 12-month window ending with the period.

    Writes <home>/reports/definition/<period>/definition_report.html (docs/definition.md).

    \b
    Example:
        arvo define --period 2025-12
        arvo define --period 2025-12 --segments draft_segments.yml --lang sv --pdf
    """
    from arvo import definitions, drafts
    from flows.definition import DefinitionParams
    from flows.definition import definition as definition_flow
    from flows.runs import in_this_process

    params = DefinitionParams(home=home, raw_dir=raw_dir, definitions_dir=definitions_dir,
                              period=period, segments=draft, force=force, pdf=pdf, lang=lang)
    if draft is not None:  # a bad draft is one line, before any flow runs
        try:
            drafts.load_draft(draft, definitions.load(params.settings().definitions_dir,
                                                     period))
        except definitions.DefinitionError as exc:
            raise click.BadParameter(str(exc), param_hint="'--segments'") from None
    result = in_this_process(definition_flow, params)
    click.echo("\nReports written:")
    for path in result.reports:
        click.echo(f"  {result.period}: {path}")


@main.command()
@HOME
@RAW
@DEFS
@click.option("--from", "start", callback=_months, help="First steering period YYYY-MM")
@click.option("--to", "end", callback=_months, help="Last steering period YYYY-MM")
@click.option("--period", "periods", multiple=True, callback=_months,
              help="Steering period YYYY-MM (repeatable), instead of --from/--to")
@click.option("--follow-up/--no-follow-up", default=True, show_default=True,
              help="Follow-ups at each quarter's end and at the last period")
@click.option("--definition/--no-definition", default=True, show_default=True,
              help="The definition review each December")
@PDF
@LANG
def cycle(home, raw_dir, definitions_dir, start, end, periods, follow_up, definition, pdf,
          lang) -> None:
    """Run the loop over a range of periods: steering every month, the follow-up each
    quarter and at the end (with a draft of renewed definitions), the definition review
    each December; a backfill of the history when run over it.

    \b
    Example:
        arvo cycle --from 2024-12 --to 2025-12
        arvo cycle --period 2025-06 --period 2025-12 --no-definition
    """
    from flows.cycle import CycleParams
    from flows.cycle import cycle as cycle_flow
    from flows.runs import in_this_process

    if not periods and not (start and end):
        raise click.UsageError("give --from and --to, or --period (repeatable)")
    params = CycleParams(
        home=home, raw_dir=raw_dir, definitions_dir=definitions_dir, start=start, end=end,
        periods=list(periods) or None, follow_up=follow_up, definition=definition, pdf=pdf,
        lang=lang)
    refuse_frozen(params, params.periods, "steer")  # a frozen period is not rerun
    _print_cycle(in_this_process(cycle_flow, params))


@main.command()
@_period_command
@PDF
@LANG
@force_frozen_options
def report(home, raw_dir, definitions_dir, period, pdf, lang, force_frozen, reason,
           by) -> None:
    """Render the steering report and provider feedback from marts already built
    (refused for a frozen period unless forced).

    \b
    Example:
        arvo report --period 2025-12 --pdf
        arvo report --period 2025-12 --lang sv
        arvo report --period 2025-12 --force-frozen --reason "corrected translation"
    """
    from flows.runs import in_this_process
    from flows.steering import SteeringParams
    from flows.steering import report as report_flow

    params = SteeringParams(
        home=home, raw_dir=raw_dir, definitions_dir=definitions_dir, period=period,
        pdf=pdf, lang=lang, force_frozen=force_frozen, reason=reason, by=by)
    refuse_frozen(params, [period], "report")
    for path in in_this_process(report_flow, params):
        click.echo(path)


@main.command("page-image")
@click.argument("pdf", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.argument("png", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--width", default=1400, show_default=True, help="Width of the image in pixels")
def page_image(pdf, png, width) -> None:
    """Write page 1 of a report's PDF as a PNG image (for the docs).

    \b
    Example:
        arvo page-image var/reports/2025-12/steering_report.pdf docs/images/steering.png
    """
    from arvo.report.pdf import first_page_png

    click.echo(first_page_png(pdf, png, width))


@main.command()
@click.argument("instrument", metavar="INSTRUMENT",
                type=click.Choice(sorted(INSTRUMENT_ITEMS), case_sensitive=False))
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write the scored rows to this CSV file. Default: standard output")
@click.option("--eq5d5l-method", type=click.Choice(["value_set", "crosswalk"]), default=None,
              help="EQ5D5L index from a 5L value set or the van Hout crosswalk to a 3L "
                   "value set. Default: value_set")
@click.option("--value-set", default=None,
              help="EQ-5D value set country: EQ5D5L value set (default England) or crosswalk "
                   "country (default UK); EQ5D3L TTO value set (default UK)")
@HOME
def score(instrument, file, out, eq5d5l_method, value_set, home) -> None:
    """Score a CSV of PROM responses exactly as the pipeline does.

    FILE has an ID column (e.g. response_id) and the instrument's items q1..qN
    (docs/instruments.md); ',' or ';' separated, UTF-8 or Windows-1252. The same rows
    come out with one column per score (e.g. eq5d_index, eq_vas). A row with an item
    out of range is reported with its row and column and left unscored (exit status 1).
    INSTRUMENT is one of EQ5D5L, EQ5D3L, PHQ9, GAD7, PROMIS10, KCCQ12, OHS, OKS.

    \b
    Example:
        arvo score EQ5D5L responses.csv --out scored.csv
        arvo score EQ5D5L responses.csv --eq5d5l-method crosswalk --value-set UK
    """
    from arvo.scoring import ScoreError, score_file  # quick: no Prefect (flows.scoring)

    try:
        result = score_file(file, instrument, home=home, eq5d5l_method=eq5d5l_method,
                            value_set=value_set)
    except ScoreError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    text = result.to_csv()
    if out:
        out.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
    for issue in result.issues:
        click.echo(f"not scored: {issue}", err=True)
    basis = "; ".join(f"{m}: {b}" for m, b in result.basis.items())
    click.echo(f"{result.rows_scored} of {result.rows_in} rows of {result.file} passed the "
               f"checks and were scored as {result.instrument} ({', '.join(result.measures)})"
               + (f"; {basis}" if basis else "") + (f"; written to {out}" if out else ""),
               err=True)
    if result.issues:
        sys.exit(1)


main.add_command(nhs_cli.import_group)
main.add_command(nhs_cli.compare_group)
main.add_command(payments_command)
main.add_command(check_command)
main.add_command(definitions_group)
main.add_command(follow_up_command)
main.add_command(serve_command)
main.add_command(bench_command)
main.add_command(deploy_command)
main.add_command(freeze_command)
main.add_command(watch_command)

_exit_code = 1  # what an exception escaping the command ends with


def run() -> None:
    """The `arvo` console script: `main`, then an exit that skips tearing down the heap.

    After a pipeline command the process holds Prefect, dbt's parsed project and Great
    Expectations: freeing it all object by object took 1.4 s of the 500,000-resident
    monthly run (docs/performance-history.md, 2026-12-03, 04:15 to 08:13). Every exit
    handler still runs (Prefect's, logging's, multiprocessing's: `_leave` is registered
    first, so it runs last), output is flushed, and the exit code is the command's; only
    the interpreter's own teardown is skipped, as Instagram does for its web workers
    (`atexit.register(os._exit, 0)`, "Dismissing Python Garbage Collection at Instagram",
    2017).
    """
    global _exit_code
    atexit.register(_leave)
    try:
        main()
    except SystemExit as exc:
        _exit_code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
        raise
    except KeyboardInterrupt:
        _exit_code = 130
        raise


def _leave() -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(_exit_code)


if __name__ == "__main__":
    run()
