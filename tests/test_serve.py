"""`arvo serve` end to end: a real Prefect server on loopback, the deployments of
prefect.yaml, a worker; runs triggered through the API (tests/test_serve.py, `make
test-ops`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import httpx
import pytest

from arvo.server import free_port

pytestmark = pytest.mark.ops
PERIOD = "2024-12"


class _Hook(BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self):  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Hook.received.append(json.loads(body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def served(tmp_path_factory, prefect_server):
    """A small region and `arvo serve` over it, with a webhook catching failures."""
    from flows.cycle import DemoParams, generate_demo_region

    home = tmp_path_factory.mktemp("serve")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ARVO_PSEUDONYM_KEY", "serve-key")
        generate_demo_region(DemoParams(home=home, residents=400, months=13))
    hook = HTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    port = free_port()
    env = {**os.environ, "ARVO_PSEUDONYM_KEY": "serve-key"}
    env.pop("PREFECT_API_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "serve", "--home", str(home), "--port", str(port),
         "--notify-url", f"http://127.0.0.1:{hook.server_port}/hook"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    first = proc.stdout.readline()
    assert first.startswith("Prefect UI: http://127.0.0.1:"), first + proc.stdout.read()
    yield home, f"http://127.0.0.1:{port}/api", proc
    proc.terminate()
    proc.wait(timeout=60)
    hook.shutdown()


def _send(method: str, url: str, **kwargs) -> httpx.Response:
    """A request to the served API, sent again while the server answers 503 (busy: its
    SQLite database locked by a run's writes), as Prefect's own client does for a data
    engineer's `prefect deployment run` (prefect.client.base, PREFECT_CLIENT_MAX_RETRIES:
    5 retries, backing off)."""
    response = httpx.request(method, url, timeout=30, **kwargs)
    for attempt in range(5):
        if response.status_code != 503:
            break
        time.sleep(2 ** attempt)
        response = httpx.request(method, url, timeout=30, **kwargs)
    response.raise_for_status()
    return response


def _post(api: str, path: str, body: dict) -> list[dict]:
    """A filter request with every field given (this Prefect server refuses nulls)."""
    return _send("POST", f"{api}{path}", json={"offset": 0, "limit": 200, **body}).json()


def _run(api: str, deployment: str, params: dict) -> str:
    found = _send("GET", f"{api}/deployments/name/{deployment}").json()
    created = _send("POST", f"{api}/deployments/{found['id']}/create_flow_run",
                    json={"parameters": {"params": params}})
    return created.json()["id"]


def _wait(api: str, run_ids: list[str], seconds: float = 400) -> dict[str, dict]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        runs = {r: _send("GET", f"{api}/flow_runs/{r}").json() for r in run_ids}
        if all(run["state"]["type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED")
               for run in runs.values()):
            return runs
        time.sleep(2)
    raise AssertionError(f"runs not finished in {seconds} s: {runs}")


def _logs_until(api: str, run_ids: list[str], text: str, seconds: float = 60) -> list[dict]:
    """The runs' logs, oldest first, once each run has one holding `text`: a run's last
    logs reach the server in the client's final batch, which may land after its state."""
    deadline = time.monotonic() + seconds
    while True:
        logs = _post(api, "/logs/filter", {"logs": {"flow_run_id": {"any_": run_ids}},
                                           "sort": "TIMESTAMP_ASC"})
        seen = {log["flow_run_id"] for log in logs if text in log["message"]}
        if seen >= set(run_ids) or time.monotonic() > deadline:
            return logs
        time.sleep(1)


def test_the_deployments_are_registered_with_their_helsinki_schedules(served):
    _, api, _ = served
    deployments = {d["name"]: d for d in _post(api, "/deployments/filter", {})}
    assert set(deployments) == {"monthly-steering", "quarterly-follow-up",
                                "yearly-definition", "submissions-watch", "freeze-period",
                                "backfill"}
    crons = {name: [(s["schedule"]["cron"], s["schedule"]["timezone"])
                    for s in d["schedules"]] for name, d in deployments.items()
             if name != "submissions-watch"}
    assert crons["freeze-period"] == []
    assert crons["monthly-steering"] == [("0 3 10 * *", "Europe/Helsinki")]
    assert crons["quarterly-follow-up"] == [("0 4 15 1,4,7,10 *", "Europe/Helsinki")]
    assert crons["yearly-definition"] == [("0 5 20 1 *", "Europe/Helsinki")]
    assert crons["backfill"] == []
    watch = deployments["submissions-watch"]["schedules"][0]["schedule"]
    assert (watch["interval"], watch["timezone"]) == (900.0, "Europe/Helsinki")
    assert deployments["monthly-steering"]["work_pool_name"] == "arvo"


def test_two_runs_of_a_period_take_turns_and_publish_their_figures(served):
    home, api, _ = served
    first = _run(api, "steering/monthly-steering", {"period": PERIOD})
    time.sleep(2)
    second = _run(api, "steering/monthly-steering", {"period": PERIOD})
    runs = _wait(api, [first, second])
    assert [r["state"]["type"] for r in runs.values()] == ["COMPLETED", "COMPLETED"]
    assert {r["name"] for r in runs.values()} == {f"steering-{PERIOD}"}

    logs = _logs_until(api, [first, second], "released the warehouse")
    held = [(log["flow_run_id"], log["message"].split(" the warehouse")[0])
            for log in logs if "the warehouse" in log["message"]]
    waits = [run for run, what in held if what.startswith("waiting")]
    assert len(waits) == 1, held
    # one run holds the warehouse from start to release, then the other
    order = [(run, what) for run, what in held if what in ("holding", "released")]
    assert [what for _, what in order] == ["holding", "released", "holding", "released"]
    assert order[0][0] == order[1][0] != order[2][0] == order[3][0] == waits[0]

    artifacts = _post(api, "/artifacts/filter", {"sort": "CREATED_DESC"})
    mine = [a for a in artifacts if a["flow_run_id"] in (first, second)]
    assert {a["key"] for a in mine} == {f"steering-{PERIOD}"} and len(mine) == 2
    report = home.resolve() / "reports" / PERIOD / "steering_report.html"
    assert report.is_file()
    for artifact in mine:
        assert "| Obligation checks failed |" in artifact["data"]
        assert "| Payments (sum of providers' totals) |" in artifact["data"]
        assert report.as_uri() in artifact["data"]
    ingested = [a["data"] for a in mine if "| Rows in / accepted / quarantined | 0 /" not in
                a["data"]]
    assert len(ingested) == 1  # the run that came second found nothing new to ingest


def test_a_failed_run_is_notified_through_the_webhook(served):
    _, api, _ = served
    _Hook.received.clear()
    run = _run(api, "steering/monthly-steering", {"period": "2020-01"})  # before v1
    state = _wait(api, [run])[run]
    assert state["state"]["type"] == "FAILED"
    deadline = time.monotonic() + 30
    while not _Hook.received and time.monotonic() < deadline:
        time.sleep(0.5)
    text = _Hook.received[0]["text"]
    assert "steering-2020-01" in text and "Failed" in text
    assert f"/runs/flow-run/{run}" in text


def test_serve_stops_its_worker_and_server(served):
    _, api, proc = served
    proc.terminate()
    assert proc.wait(timeout=60) == 0
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"{api}/health", timeout=5)
