"""Unexpected errors go to Sentry only when ``SCR_SENTRY_DSN`` is set, and a report carries no personal
data: the failure, where it happened and the request's id, never the case it was about."""

import base64
import gzip
import json
import os
import subprocess
import sys
import threading
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import sentry_sdk
from factories import CASE_FEATURES

from service import error_reporting
from service.settings import Settings

REPO = Path(__file__).resolve().parents[2]
SENTINEL = "Aaliyah-Sentinel-Child"  # what a request could hold: it must reach no report
FEATURES = {**CASE_FEATURES, "incident_date": "2026-10-17", "notified_date": "2026-10-19"}  # dated oddly
TOKEN_SENTINEL = "scr_token-never-reported"


def test_without_a_dsn_nothing_is_initialised(monkeypatch: pytest.MonkeyPatch, environment) -> None:  # type: ignore[no-untyped-def]
    def refuse(**_: Any) -> None:
        raise AssertionError("sentry_sdk.init was called without a DSN")

    monkeypatch.setattr(sentry_sdk, "init", refuse)
    assert error_reporting.start(Settings(sentry_dsn="")) is False
    assert error_reporting.start(Settings(sentry_dsn="  ")) is False
    environment(SCR_SENTRY_DSN="")
    from service.app import create_app

    create_app()
    assert not sentry_sdk.is_initialized()


def test_a_report_keeps_nothing_of_the_request_but_its_method_path_and_id() -> None:
    event = {
        "request": {
            "method": "POST",
            "url": f"http://service/api/v1/threshold?name={SENTINEL}",
            "query_string": f"name={SENTINEL}",
            "data": {"features": {"child_name": SENTINEL}},
            "cookies": {"scr_session": "secret"},
            "headers": {
                "Authorization": f"Bearer {TOKEN_SENTINEL}",
                "User-Agent": "curl",
                "X-Request-ID": "r1",
            },
            "env": {"REMOTE_ADDR": "10.0.0.9"},
        },
        "user": {"ip_address": "10.0.0.9"},
    }
    import structlog

    with structlog.contextvars.bound_contextvars(request_id="r1"):
        scrubbed = error_reporting.scrub(event)
    assert scrubbed["request"] == {
        "method": "POST",
        "url": "http://service/api/v1/threshold",
        "headers": {"User-Agent": "curl", "X-Request-ID": "r1"},
    }
    assert "user" not in scrubbed and scrubbed["tags"] == {"request_id": "r1"}
    crumb = {"data": {"url": "http://slack/api?q=x", "http.query": "q=x", "method": "GET"}}
    assert error_reporting.scrub_breadcrumb(crumb) == {"data": {"url": "http://slack/api", "method": "GET"}}


class Collector(ThreadingHTTPServer):
    """A stand-in for a Sentry server: keeps every envelope posted to it."""

    def __init__(self) -> None:
        self.envelopes: list[bytes] = []
        super().__init__(("127.0.0.1", 0), _Envelope)


class _Envelope(BaseHTTPRequestHandler):
    server: Collector

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "deflate":
            body = zlib.decompress(body)
        elif encoding == "br":
            import brotli  # type: ignore[import-not-found]

            body = brotli.decompress(body)
        self.server.envelopes.append(body)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *_: Any) -> None:
        pass


@pytest.fixture
def collector() -> Iterator[Collector]:
    server = Collector()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


# Run in a process of its own: Sentry's integrations patch Starlette and FastAPI for the whole process.
FAILING_REQUEST = f"""
import json, sys
from fastapi.testclient import TestClient
import commissioning.threshold
from service.app import create_app

def broken(*args, **kwargs):
    raise RuntimeError("the threshold engine broke")

commissioning.threshold.decide = broken
with TestClient(create_app(), raise_server_exceptions=False) as client:
    answer = client.post(
        "/api/v1/threshold?note={SENTINEL}",
        json={{"features": {FEATURES!r}}},
        headers={{
            "Authorization": "Bearer {TOKEN_SENTINEL}",
            "Cookie": "scr_session={SENTINEL}",
            "X-Slack-User-Id": "{SENTINEL}",
        }},
    )
import sentry_sdk
sentry_sdk.flush(timeout=10)
print(json.dumps({{"status": answer.status_code, "request_id": answer.headers["x-request-id"]}}))
"""


def _events(envelopes: list[bytes]) -> list[dict[str, Any]]:
    events = []
    for envelope in envelopes:
        lines = envelope.split(b"\n")
        for header, payload in zip(lines[1::2], lines[2::2], strict=False):
            if json.loads(header).get("type") == "event":
                events.append(json.loads(payload))
    return events


def test_an_error_is_reported_to_the_dsn_without_personal_data(
    collector: Collector, database_url: str
) -> None:
    port = collector.server_address[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCR_SLACK")}
    env |= {"SCR_DATABASE_URL": database_url, "SCR_SENTRY_DSN": f"http://publickey@127.0.0.1:{port}/42"}
    env |= {"SCR_SENTRY_ENVIRONMENT": "test", "SCR_LOG_FORMAT": "json"}
    done = subprocess.run(
        [sys.executable, "-c", FAILING_REQUEST],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert answer["status"] == 500
    events = _events(collector.envelopes)
    assert events, f"no event reached the stand-in; {len(collector.envelopes)} envelopes"
    reported = [e for e in events if "the threshold engine broke" in json.dumps(e.get("exception", {}))]
    assert reported, events
    event = reported[0]
    everything = b"".join(collector.envelopes) + json.dumps(events).encode()
    secrets = (SENTINEL, TOKEN_SENTINEL, FEATURES["incident_date"], FEATURES["notified_date"])
    for secret in (*secrets, base64.b64encode(SENTINEL.encode()).decode()):
        assert secret.encode() not in everything, secret
    for frame in event["exception"]["values"][-1]["stacktrace"]["frames"]:
        assert "vars" not in frame
    assert event.get("tags", {}).get("request_id") == answer["request_id"]
    assert event["environment"] == "test" and event["release"] == error_reporting.RELEASE
