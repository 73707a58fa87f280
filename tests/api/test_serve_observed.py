"""``scr serve --workers 2`` as an operator runs it: one JSON log line per event, uvicorn's too, each
request's lines under its id, and one /metrics adding up both workers whichever answers the scrape."""

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from service.db import make_engine

REPO = Path(__file__).resolve().parents[2]
TOKEN = "metrics-token-for-two-workers-0123456789"
READY_TIMEOUT = 90.0  # seconds: two workers import the app on a shared, busy machine
REQUESTS = 20
# One client for the whole file, opening a new connection for each request (the kernel hands each to
# either worker): a client per request would load the CA bundle again each time, over a second in all.
HTTP = httpx.Client(limits=httpx.Limits(max_keepalive_connections=0))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def two_workers(database_url: str, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """``scr serve --workers 2`` on the run's database; its URL and the file its logs go to."""
    port, log = free_port(), tmp_path / "serve.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SCR_SLACK", "PROMETHEUS"))}
    env |= {"SCR_DATABASE_URL": database_url, "SCR_METRICS_TOKEN": TOKEN, "SCR_LOG_FORMAT": "json"}
    command = [sys.executable, "-m", "service.cli", "serve", "--workers", "2", "--port", str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=out)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + READY_TIMEOUT
        while not _ready(url):
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, f"not ready in {READY_TIMEOUT}s:\n{log.read_text()}"
            time.sleep(0.2)
        yield url, log
    finally:
        process.terminate()
        process.wait(timeout=30)


def _ready(url: str) -> bool:
    try:
        return HTTP.get(f"{url}/readyz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def _scrape(url: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    answer = HTTP.get(f"{url}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
    assert answer.status_code == 200, answer.text
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


def _both_workers_up(url: str, log: Path) -> None:
    """Wait until both workers have started (each logs it), so both are in every figure below."""
    deadline = time.monotonic() + READY_TIMEOUT
    while sum('"Application startup complete."' in line for line in log.read_text().splitlines()) < 2:
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.2)


def test_two_workers_log_as_json_under_each_requests_id_and_share_one_metrics(
    two_workers: tuple[str, Path], database_url: str
) -> None:
    url, log = two_workers
    pool_size = make_engine(database_url).pool.size()  # type: ignore[attr-defined]
    _both_workers_up(url, log)
    sent = [f"two-workers-{n:02d}" for n in range(REQUESTS)]
    for request_id in sent:  # a new connection each: the kernel hands them to either worker
        answer = HTTP.get(f"{url}/healthz", headers={"X-Request-ID": request_id})
        assert answer.headers["x-request-id"] == request_id

    healthz = frozenset({"method": "GET", "route": "/healthz", "status": "200"}.items())
    for _ in range(6):  # whichever worker answers, it reports both workers' figures
        found = _scrape(url)
        assert found[("scr_http_requests_total", healthz)] == REQUESTS
        assert found[("scr_db_pool_size", frozenset())] == 2 * pool_size  # each worker's pool, added up

    time.sleep(0.5)  # the access lines are written as the answers go
    lines: list[dict[str, Any]] = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    access = {line.get("request_id"): line for line in lines if line["logger"] == "uvicorn.access"}
    for request_id in sent:
        assert access[request_id]["event"] == "GET /healthz 200", access.get(request_id)
    started = [line for line in lines if line["event"].startswith("Started server process")]
    assert len(started) == 2 and {line["level"] for line in started} == {"info"}
