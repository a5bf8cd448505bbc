"""`arvo serve` and `arvo deploy`: the loop on its schedules under a Prefect server
(arvo/server.py, flows/deployments.py; docs/operations.md)."""

from __future__ import annotations

import sys

import click

from flows.options import HOME


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
