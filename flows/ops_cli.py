"""The data engineer's commands around the pipeline: `arvo serve` and `arvo deploy` (the
loop on its schedules under a Prefect server: arvo/server.py, flows/deployments.py) and
`arvo bench` (arvo/bench.py); docs/operations.md."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from arvo.config import REPO_ROOT
from flows.options import HOME, ensure_demo_key
from flows.options import months as _months

FIGURES = REPO_ROOT / "docs" / "bench" / "figures.csv"


@click.command()
def deploy() -> None:
    """Register the deployments of prefect.yaml (schedules in Europe/Helsinki) with the
    Prefect server at PREFECT_API_URL; `arvo serve` does this for its own server.

    \b
    Example:
        PREFECT_API_URL=https://prefect.example.fi/api arvo deploy
    """
    from flows.deployments import register

    for name in register():
        click.echo(f"deployed {name}")


@click.command()
@HOME
@click.option("--port", default=4200, show_default=True,
              help="Loopback port of the Prefect server and its UI")
@click.option("--notify-url", default=None,
              help="Webhook that gets a message when a run fails or crashes (saved as the "
                   "Prefect notification block custom-webhook/arvo-failure)")
def serve(home, port, notify_url) -> None:
    """Run Arvo on its schedules: start a Prefect server on loopback (history under
    <home>/prefect), create the work pool `arvo`, register the deployments of
    prefect.yaml and start a worker; stop with Ctrl-C.

    \b
    Example:
        arvo serve --home /srv/arvo
        arvo serve --port 4300 --notify-url https://hooks.example.fi/arvo
    """
    import signal
    import time

    from arvo.config import Settings
    from arvo.server import Serving

    serving = Serving(home=Settings.from_env(home).home.resolve(), port=port,
                      notify_url=notify_url)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        serving.start()
        click.echo(f"Prefect UI: {serving.ui}  (API {serving.url}; history and logs under "
                   f"{serving.home / 'prefect'})")
        click.echo(f"deployments of prefect.yaml registered; a worker runs them with "
                   f"ARVO_HOME={serving.home}. Trigger one now with:\n"
                   f"  PREFECT_API_URL={serving.url} .venv/bin/prefect deployment run "
                   f"steering/monthly-steering")
        click.echo("serving; Ctrl-C stops the worker and the server", err=True)
        while all(p.poll() is None for p in serving.processes):
            time.sleep(2)
        click.echo("a Prefect process ended; stopping", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        pass
    finally:
        serving.stop()


def _sizes(ctx, param, value: str) -> list[int]:
    try:
        return [int(v.replace("_", "")) for v in value.split(",") if v.strip()]
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a comma-separated list of numbers "
                                 "(e.g. 50000,200000)") from None


@click.command()
@click.option("--home", type=click.Path(path_type=Path), default=Path("var/bench"),
              show_default=True, help="Root of the benchmark's regions (one folder per size)")
@click.option("--residents", default="50000", show_default=True, callback=_sizes,
              help="Residents of the region; several sizes comma-separated")
@click.option("--months", default="24", show_default=True, callback=_sizes,
              help="Months of history, ending 2025-12; several comma-separated")
@click.option("--period", default=None, callback=_months,
              help="Steering period measured; default the region's last month")
@click.option("--scenarios", default="monthly,cold", show_default=True,
              type=click.Choice(["monthly", "cold", "monthly,cold"]),
              help="Which runs to measure; the monthly run alone still runs the cold one "
              "first, unmeasured, as its set-up")
@click.option("--csv", "csv_path", type=click.Path(path_type=Path), default=FIGURES,
              show_default="docs/bench/figures.csv", help="CSV the figures are appended to")
@click.option("--docs/--no-docs", default=True, show_default=True,
              help="Rewrite the figures' table in docs/operations.md from the CSV")
@click.option("--quick", is_flag=True, help="Time the quick commands instead: `arvo check` "
              "on the period month's largest provider folder, `arvo score` on six responses")
def bench(home, residents, months, period, scenarios, csv_path, docs, quick) -> None:
    """Measure Arvo on demo regions: generating each, then a cold steering period (the
    first run over the history, up to the month before the period) and the monthly one
    that follows it, stage by stage (wall, rows, rows per second, peak memory), and the
    dbt and validation stages against the same work run directly in DuckDB.

    Each size's region (seed 42, ending 2025-12) is generated once under
    <home>/r<residents>-m<months>; one Prefect server serves every run. The figures are
    appended to the CSV and, with --docs, tabled in docs/operations.md with the scaling
    exponents. With --quick, times the quick commands instead (no server).

    \b
    Example:
        arvo bench --residents 500000 --months 24
        arvo bench --residents 50000,200000,500000 --months 24 --scenarios monthly
        arvo bench --quick
    """
    import datetime as dt

    from arvo.bench import figures, runs
    from arvo.bench.quick import quick as quick_commands
    from arvo.server import start_prefect_server

    home = home.resolve()
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    if quick:
        region = runs.region_home(home, residents[0], months[0])
        if not (region / "demo" / "raw").is_dir():
            runs.generate(region, residents[0], months[0], env)
        month = period or runs.LAST_MONTH
        for m in quick_commands(region, month, env):
            click.echo(f"  {m.command:<42} wall " + ", ".join(
                f"{w:.1f} s (CPU {c:.1f} s)" for w, c in zip(m.wall_seconds, m.cpu_seconds,
                                                            strict=True))
                + f"; exit status {m.exit_status}")
        return
    home.mkdir(parents=True, exist_ok=True)
    ensure_demo_key(home)  # sets the key file's variable in os.environ when none is set
    server, url = start_prefect_server(home / "prefect-server.log")
    try:
        env = {**os.environ, "PREFECT_API_URL": url}
        for n in residents:
            for m in months:
                stages = runs.measure(home, n, m, period, env, tuple(scenarios.split(",")))
                figures.append(csv_path, stages, measured_at=dt.datetime.now().isoformat(
                    timespec="minutes"), commit=_commit(), cpus=os.cpu_count(), residents=n,
                    months=m, period=period or runs.LAST_MONTH)
                click.echo(f"{n:,} residents, {m} months ({os.cpu_count()} CPUs visible):")
                for s in stages:
                    click.echo(f"  {s.scenario:<8} {s.stage:<24} {s.wall_seconds:7.1f} s  "
                               + (f"{s.rows:>11,}" if s.rows is not None else " " * 11)
                               + f" {s.unit:<26} peak "
                               + (f"{s.peak_mb:,.0f} MB" if s.peak_mb else "-"))
    finally:
        server.terminate()
        server.wait(timeout=30)
    rows = figures.read(csv_path)
    for line in figures.scaling(rows):
        click.echo(line)
    click.echo(f"figures appended to {csv_path}")
    if docs:
        figures.write_docs(REPO_ROOT / "docs" / "operations.md", rows)
        click.echo(f"table rewritten in {REPO_ROOT / 'docs' / 'operations.md'}")


def _commit() -> str:
    """The short commit measured, with -dirty when the working tree has changes."""
    import subprocess

    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(REPO_ROOT), *args], capture_output=True,
                              text=True).stdout.strip()

    return (git("rev-parse", "--short", "HEAD") or "unknown") + (
        "-dirty" if git("status", "--porcelain", "--untracked-files=no") else "")
