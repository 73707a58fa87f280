"""A stand-in for the Slack Web API on 127.0.0.1, and Slack's request signing.

It records every call (method, headers, parsed body) and answers the methods the bot uses the way Slack
does, including the three steps of a files upload v2 (``files.getUploadURLExternal``, a POST of the bytes
to the URL it hands out, ``files.completeUploadExternal``) and the ``response_url`` hooks. Tests wait
for the calls they expect (the bot does its work after acknowledging), then read what was sent.
"""

import hashlib
import hmac
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

BOT_USER = "UBOT"
TEAM = "T0TEST"


def sign(body: str, *, secret: str, timestamp: int | None = None) -> dict[str, str]:
    """The headers Slack sends with ``body``: a timestamp and the v0 HMAC-SHA256 signature."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}


@dataclass
class Call:
    method: str  # "chat.postMessage", "upload", "response_url"
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    raw: bytes = field(repr=False)
    answer: dict[str, Any] = field(default_factory=dict)

    def json_field(self, name: str) -> Any:
        """A field the SDK sent form-encoded as a JSON string (``blocks``, ``view``), decoded."""
        value = self.body.get(name)
        return json.loads(value) if isinstance(value, str) else value


def _parse(raw: bytes, content_type: str) -> dict[str, Any]:
    if not raw:
        return {}
    if "json" in content_type:
        return json.loads(raw)
    if "x-www-form-urlencoded" in content_type:
        return {key: values[0] for key, values in parse_qs(raw.decode(), keep_blank_values=True).items()}
    return {}


class SlackStandIn:
    """The Web API stand-in; ``start`` it, point the bot's ``SCR_SLACK_API_URL`` at ``api_url``."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.rate_limited: dict[str, int] = {}
        self.failing: dict[str, str] = {}
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    def response_url(self, name: str = "cmd") -> str:
        return f"{self.base_url}/hooks/{name}/{next(self._ids)}"

    def start(self) -> "SlackStandIn":
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self.rate_limited.clear()
            self.failing.clear()

    def rate_limit(self, method: str, *, times: int = 1) -> None:
        """Answer the next ``times`` calls to ``method`` with 429 and ``Retry-After: 1``."""
        self.rate_limited[method] = times

    def fail(self, method: str, *, error: str) -> None:
        """Answer the next call to ``method`` with ``{"ok": false, "error": error}``, as Slack refuses; a
        ``response_url`` post or an ``upload`` is answered with HTTP 400 and ``error`` as its text."""
        self.failing[method] = error

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [call for call in self.calls if call.method == method]

    def wait_for(self, method: str, count: int = 1, *, timeout: float = 10.0) -> list[Call]:
        """The calls to ``method`` once there are at least ``count`` of them; fails after ``timeout``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.calls_to(method)
            if len(found) >= count:
                return found
            time.sleep(0.01)
        seen = [call.method for call in self.calls]
        raise AssertionError(f"expected {count} call(s) to {method} within {timeout}s; saw {seen}")

    def settle(self, quiet: float = 0.3, *, timeout: float = 10.0) -> None:
        """Wait until no call has arrived for ``quiet`` seconds (the bot's background work is done)."""
        deadline = time.monotonic() + timeout
        seen = -1
        while time.monotonic() < deadline:
            count = len(self.calls)
            if count == seen:
                return
            seen = count
            time.sleep(quiet)

    def _answer(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        n = next(self._ids)
        if method == "auth.test":
            return {"ok": True, "user_id": BOT_USER, "bot_id": "B0TEST", "team_id": TEAM, "user": "scr"}
        if method in ("views.open", "views.update", "views.push", "views.publish"):
            view = body.get("view")
            view = json.loads(view) if isinstance(view, str) else view or {}
            return {"ok": True, "view": {**view, "id": body.get("view_id") or f"V{n:06d}", "hash": f"h{n}"}}
        if method == "chat.postMessage":
            return {"ok": True, "channel": body.get("channel"), "ts": f"{int(time.time())}.{n:06d}"}
        if method == "chat.update":
            return {"ok": True, "channel": body.get("channel"), "ts": body.get("ts")}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"{int(time.time())}.{n:06d}"}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "D" + str(body.get("users", "X")).lstrip("U")}}
        if method == "files.getUploadURLExternal":
            file_id = f"F{n:06d}"
            return {"ok": True, "file_id": file_id, "upload_url": f"{self.base_url}/upload/{file_id}"}
        if method == "files.completeUploadExternal":
            files = body.get("files")
            files = json.loads(files) if isinstance(files, str) else files or []
            return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files]}
        return {"ok": True}


def _handler(standin: SlackStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the recorded calls are the log."""

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            path, _, query = self.path.partition("?")
            if path.startswith("/api/"):
                method = path.removeprefix("/api/")
            elif path.startswith("/upload/"):
                method = "upload"
            elif path.startswith("/hooks/"):
                method = "response_url"
            else:
                self.send_error(404)
                return
            # The SDK sends some methods' arguments in the query string (conversations.open), others in
            # the body.
            body = {
                **_parse(query.encode(), "x-www-form-urlencoded"),
                **_parse(raw, self.headers.get("Content-Type", "")),
            }
            call = Call(method, path, dict(self.headers.items()), body, raw)
            with standin._lock:
                limited = standin.rate_limited.get(method, 0)
                if limited:
                    standin.rate_limited[method] = limited - 1
                elif method in standin.failing:
                    call.answer = {"ok": False, "error": standin.failing.pop(method)}
                elif method not in ("upload", "response_url"):
                    call.answer = standin._answer(method, body)
                standin.calls.append(call)
            if limited:
                self._send(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"})
            elif method in ("upload", "response_url") and call.answer.get("ok") is False:
                self._send_text(400, call.answer["error"])
            elif method == "upload":
                self._send_text(200, f"OK - {len(raw)}")
            elif method == "response_url":
                self._send_text(200, "ok")
            else:
                self._send(200, call.answer)

        def _send(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def _send_text(self, status: int, text: str) -> None:
            data = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler
