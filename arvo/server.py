"""A Prefect server, work pool, deployments and worker on this machine (`arvo serve`).

`start_prefect_server` starts `prefect server start` on a loopback port and waits until
it answers; its database (the runs' history) lives under `PREFECT_HOME`, on disk.
`Serving` then sets the server up for the loop: the process work pool `arvo`, the
deployments of `prefect.yaml` (`prefect deploy --all`), the optional failure
notification block, and a worker that runs the deployments' flows with `ARVO_HOME` as
their home. `arvo bench` uses the same server start for its measured runs.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from arvo.config import REPO_ROOT

WORK_POOL = "arvo"
NOTIFY_BLOCK_NAME = "arvo-failure"


def free_port() -> int:
    """A TCP port on loopback that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _prefect() -> str:
    return str(Path(sys.executable).parent / "prefect")


def start_prefect_server(log_path: Path, port: int | None = None,
                         env: dict[str, str] | None = None) -> tuple[subprocess.Popen, str]:
    """Start `prefect server start` on a loopback port (a free one by default) and wait
    until it answers; (the process, its API URL)."""
    port = port or free_port()
    url = f"http://127.0.0.1:{port}/api"
    log = log_path.open("w")
    proc = subprocess.Popen([_prefect(), "server", "start", "--host", "127.0.0.1",
                             "--port", str(port)], stdout=log, stderr=subprocess.STDOUT,
                            env=env)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as r:
                if r.status == 200:
                    return proc, url
        except OSError:
            time.sleep(0.5)
        if proc.poll() is not None:
            break
    proc.terminate()
    raise RuntimeError(f"Prefect server did not start; see {log_path}")


@dataclass
class Serving:
    """The processes of `arvo serve` and where they log."""

    home: Path
    port: int
    notify_url: str | None = None
    processes: list[subprocess.Popen] = field(default_factory=list)
    url: str = ""

    @property
    def logs(self) -> Path:
        return self.home / "prefect" / "logs"

    @property
    def ui(self) -> str:
        return self.url.removesuffix("/api")

    def env(self) -> dict[str, str]:
        """The environment of the server, the deploy and the worker."""
        return {**os.environ, "PREFECT_HOME": str(self.home / "prefect"),
                "PREFECT_API_URL": self.url, "PREFECT_UI_URL": self.ui,
                "ARVO_HOME": str(self.home), "ARVO_REPO": str(REPO_ROOT),
                "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}

    def start(self) -> None:
        """Server, work pool, deployments, notification block, worker, in this order."""
        self.logs.mkdir(parents=True, exist_ok=True)
        self.url = f"http://127.0.0.1:{self.port}/api"
        server, self.url = start_prefect_server(self.logs / "server.log", self.port,
                                                self.env())
        self.processes.append(server)
        self._run("work-pool", "create", WORK_POOL, "--type", "process", "--overwrite")
        self._run_python("-m", "flows.cli", "deploy")
        if self.notify_url:
            self._save_notify_block()
        log = (self.logs / "worker.log").open("w")
        self.processes.append(subprocess.Popen(
            [_prefect(), "worker", "start", "--pool", WORK_POOL, "--type", "process"],
            cwd=REPO_ROOT, env=self.env(), stdout=log, stderr=subprocess.STDOUT))

    def _run(self, *args: str) -> None:
        """`prefect ARGS` against the server; RuntimeError naming the log if it fails."""
        self._call([_prefect(), *args])

    def _run_python(self, *args: str) -> None:
        """`python ARGS` against the server; RuntimeError naming the log if it fails."""
        self._call([sys.executable, *args])

    def _call(self, command: list[str]) -> None:
        log = self.logs / "setup.log"
        with log.open("a") as out:
            done = subprocess.run(command, cwd=REPO_ROOT, env=self.env(), stdout=out,
                                  stderr=subprocess.STDOUT, check=False)
        if done.returncode:
            self.stop()
            raise RuntimeError(f"`{' '.join(command[-3:])}` failed; see {log}")

    def _save_notify_block(self) -> None:
        self._run_python("-c", (
            "from prefect.blocks.notifications import CustomWebhookNotificationBlock as B\n"
            f"B(name={NOTIFY_BLOCK_NAME!r}, url={self.notify_url!r}, "
            "json_data={'text': '{{subject}}: {{body}}'}, allow_private_urls=True)"
            f".save({NOTIFY_BLOCK_NAME!r}, overwrite=True)\n"))

    def stop(self) -> None:
        """Stop the worker, then the server."""
        for proc in reversed(self.processes):
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        self.processes.clear()
