"""The data engineer's commands around the pipeline: `arvo serve` and `arvo deploy` (the
loop on its schedules under a Prefect server: arvo/server.py, flows/deployments.py) and
`arvo bench` (arvo/bench.py); docs/operations.md."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from flows.options import HOME, ensure_demo_key
from flows.options import months as _months


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


@click.command()
@click.option("--home", type=click.Path(path_type=Path), default=Path("var/bench"),
              show_default=True, help="Root of the benchmark's region and outputs")
@click.option("--residents", default=50_000, show_default=True)
@click.option("--period", default="2025-12", show_default=True, callback=_months)
@click.option("--quick", is_flag=True, help="Time the quick commands instead: `arvo check` "
              "on the period month's largest provider folder, `arvo score` on six responses")
def bench(home, residents, period, quick) -> None:
    """Time one steering period on the demo region and report its peak memory.

    Generates the region once (seed 42, 24 months from 2024-01), starts a Prefect server,
    and measures `arvo steer` twice: a monthly run (earlier months already in the lake)
    and a cold run (empty lake). With --quick, times the quick commands (no server).

    \b
    Example:
        arvo bench --residents 50000 --period 2025-12
        arvo bench --quick
    """
    from arvo import bench as bench_mod
    from flows.cycle import DemoParams, generate_demo_region

    home = home.resolve()
    if not (home / "demo" / "raw").is_dir() or residents != _bench_size(home):
        generate_demo_region(DemoParams(home=home, residents=residents))
        (home / "demo" / "residents.txt").write_text(str(residents))
    if quick:
        env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
        for m in bench_mod.quick(home, period, env):
            click.echo(f"  {m.command:<42} wall " + ", ".join(
                f"{w:.1f} s (CPU {c:.1f} s)" for w, c in zip(m.wall_seconds, m.cpu_seconds,
                                                            strict=True))
                + f"; exit status {m.exit_status}")
        return
    ensure_demo_key(home)
    server, url = bench_mod.start_prefect_server(home / "prefect-server.log")
    try:
        env = {**os.environ, "PREFECT_API_URL": url}
        results = bench_mod.run(home, period, env)
    finally:
        server.terminate()
        server.wait(timeout=30)
    click.echo(f"steering period {period}, {residents} residents, "
               f"{os.cpu_count()} CPUs visible")
    for m in results:
        stages = ", ".join(f"{k} {v:.1f} s" for k, v in m.stage_seconds.items())
        click.echo(f"  {m.scenario:<8} wall {m.wall_seconds:6.1f} s  peak RSS "
                   f"{m.peak_rss_mb:6.0f} MB  ({stages})")


def _bench_size(home: Path) -> int | None:
    path = home / "demo" / "residents.txt"
    return int(path.read_text()) if path.is_file() else None
