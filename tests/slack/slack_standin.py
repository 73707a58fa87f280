"""A stand-in for the Slack Web API on 127.0.0.1, and Slack's request signing.

It records every call (method, headers, parsed body) and answers the methods the bot uses the way Slack
does, including the three steps of a files upload v2 (``files.getUploadURLExternal``, a POST of the bytes
to the URL it hands out, ``files.completeUploadExternal``) and the ``response_url`` hooks. Tests wait
for the calls they expect (the bot does its work after acknowledging), then read what was sent.

It is as strict as Slack: every payload is checked against Slack's Block Kit and method rules
(``blockkit_rules``), and refused as Slack refuses it (``{"ok": false, "error": "invalid_blocks",
"response_metadata": {"messages": [...]}}``; HTTP 400 on a ``response_url``). It also keeps Slack's use
limits: the trigger ids it mints (``mint_trigger``) expire three seconds after they are issued and are
exchanged once; a ``response_url`` it hands out takes five posts within 30 minutes. Every refusal is kept
in ``refusals`` (the Slack tests fail on any they did not expect: ``expect_refusals``).

It plays Slack's side of the OAuth install flow too: the app's credentials and redirect URLs
(``register_app``), the authorisation page (``GET /oauth/v2/authorize``, where the person the test names
with ``installing`` approves, and the browser is sent back with a one-time code), and ``oauth.v2.access``,
which exchanges the code for a bot token of that workspace as strictly as Slack: the client id and
secret must be the app's, the code must have been issued to that app, not used before and not more than
ten minutes old, and the redirect URI must be the one the authorisation used. Each bot token belongs to
one workspace (``team_of``; any other ``xoxb-`` token belongs to ``TEAM``), and ``auth.test`` says which.
"""

import base64
import hashlib
import hmac
import itertools
import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode

import blockkit_limits as limits
from blockkit_rules import Verdict, check_ack, check_call, token_verdict

BOT_USER = "UBOT"
TEAM = "T0TEST"
APP_ID = "A0TEST"
CODE_SECONDS = 600  # an OAuth code is good for ten minutes, once


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
    refusal: Verdict | None = None  # set when Slack's rules refused the call
    warnings: list[str] = field(default_factory=list)  # what Slack accepts but advises against

    def json_field(self, name: str) -> Any:
        """A field the SDK sent form-encoded as a JSON string (``blocks``, ``view``), decoded."""
        value = self.body.get(name)
        return json.loads(value) if isinstance(value, str) else value

    def describe(self) -> str:
        """The refusal in a line or more: the method, Slack's error and its reasons."""
        refusal = self.refusal or Verdict()
        return "\n".join([f"{self.method}: {refusal.error}", *(f"  {m}" for m in refusal.messages)])


@dataclass(frozen=True)
class OAuthApp:
    """A Slack app as its OAuth settings page holds it."""

    client_id: str
    client_secret: str
    redirect_urls: tuple[str, ...]


@dataclass(frozen=True)
class Installer:
    """Who approves the next install on Slack's authorisation page, and in which workspace."""

    team_id: str
    team_name: str
    user_id: str
    organisation: str | None = None  # an Enterprise Grid organisation installing the app org-wide


@dataclass
class Grant:
    """A code Slack issued on the authorisation page, until ``oauth.v2.access`` exchanges it."""

    client_id: str
    redirect_uri: str | None  # as the authorisation request gave it
    used_redirect: str  # where the browser was sent
    scopes: str
    installer: Installer
    issued: float
    used: bool = False


def _basic(authorization: str | None) -> tuple[str, str] | None:
    """The client id and secret of an ``Authorization: Basic`` header, if it is one."""
    if not authorization or not authorization.startswith("Basic "):
        return None
    try:
        user, _, password = base64.b64decode(authorization.removeprefix("Basic ")).decode().partition(":")
    except ValueError:
        return None
    return user, password


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
        self.refusals: list[Call] = []  # calls (and acknowledgements) Slack's rules refused
        self.rate_limited: dict[str, int] = {}
        self.failing: dict[str, str] = {}
        self.socket_url = ""  # what apps.connections.open hands out: a Socket Mode test's websocket
        self.expecting_refusals = False
        # Whether the bot is still at work, when the test can tell (``live_server.busy``): ``settle`` then
        # waits for exactly that, not for a quiet spell.
        self.busy: Callable[[], bool] | None = None
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self._triggers: dict[str, float] = {}  # trigger id -> when it was issued (time.monotonic)
        self._exchanged: set[str] = set()
        self._hooks: dict[str, list[float]] = {}  # response_url path -> [issued at, posts made]
        self._apps: dict[str, OAuthApp] = {}  # client id -> the app
        self._installer: Installer | None = None
        self._grants: dict[str, Grant] = {}  # code -> what it grants
        self._tokens: dict[str, str] = {}  # bot token -> its workspace (issued by oauth.v2.access)

    @property
    def base_url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    def response_url(self, name: str = "cmd", *, age: float = 0.0) -> str:
        """A new response URL, as Slack sends with a slash command or an interaction (``age``: issued that
        many seconds ago)."""
        path = f"/hooks/{name}/{next(self._ids)}"
        with self._lock:
            self._hooks[path] = [time.monotonic() - age, 0]
        return f"{self.base_url}{path}"

    def mint_trigger(self, *, age: float = 0.0) -> str:
        """A new trigger id, as Slack sends with a slash command or an interaction: good for one
        ``views.open`` (or ``views.push``) within three seconds (``age``: issued that many seconds ago)."""
        trigger = f"{next(self._ids)}.{int(time.time())}.trigger"
        with self._lock:
            self._triggers[trigger] = time.monotonic() - age
        return trigger

    def register_app(self, client_id: str, client_secret: str, *, redirect_urls: tuple[str, ...]) -> None:
        """An app with these credentials and redirect URLs (its OAuth settings page), as Slack knows it."""
        with self._lock:
            self._apps[client_id] = OAuthApp(client_id, client_secret, redirect_urls)

    def installing(
        self, team_id: str, *, team_name: str, user_id: str, organisation: str | None = None
    ) -> None:
        """The next install is approved by ``user_id`` of workspace ``team_id`` on the authorisation page
        (or, with ``organisation``, for the whole of that Enterprise Grid organisation)."""
        with self._lock:
            self._installer = Installer(team_id, team_name, user_id, organisation)

    def team_of(self, token: str | None) -> str:
        """The workspace a bot token belongs to (``TEAM`` for the tokens the tests set themselves)."""
        token = (token or "").removeprefix("Bearer ").strip()
        with self._lock:
            return self._tokens.get(token, TEAM)

    def age_codes(self, seconds: float) -> None:
        """Make every code issued so far ``seconds`` older."""
        with self._lock:
            for grant in self._grants.values():
                grant.issued -= seconds

    def authorize(self, query: dict[str, str]) -> tuple[int, str]:
        """Slack's authorisation page, approved at once by the ``installing`` person: the status and the
        address the browser is sent to (back to the app with a code and the state), or the error shown."""
        with self._lock:
            app = self._apps.get(query.get("client_id", ""))
            installer = self._installer
            if app is None:
                return 400, "invalid_client_id"
            redirect = query.get("redirect_uri")
            if redirect is not None and redirect not in app.redirect_urls:
                return 400, "bad_redirect_uri"
            if installer is None or not query.get("scope"):
                return 400, "no_scopes" if installer else "no_installer"
            code = f"{int(time.time())}.{secrets.token_hex(16)}"
            to = redirect or app.redirect_urls[0]
            self._grants[code] = Grant(
                app.client_id, redirect, to, query["scope"], installer, time.monotonic()
            )
        back = {"code": code, **({"state": query["state"]} if "state" in query else {})}
        return 302, f"{to}?{urlencode(back)}"

    def _oauth_access(
        self, body: dict[str, Any], authorization: str | None
    ) -> tuple[Verdict, dict[str, Any]]:
        """``oauth.v2.access`` (under the lock), which takes the app's credentials, not a token: Slack's
        verdict and answer, a new bot token of the workspace the code was granted in."""
        client_id, secret = _basic(authorization) or (
            body.get("client_id", ""),
            body.get("client_secret", ""),
        )
        app = self._apps.get(client_id)
        grant = self._grants.get(body.get("code", ""))
        sent = body.get("redirect_uri")
        if app is None:
            verdict = Verdict("invalid_client_id", ["[ERROR] no app has this client_id"])
        elif not hmac.compare_digest(secret.encode(), app.client_secret.encode()):
            verdict = Verdict("bad_client_secret", ["[ERROR] the client_secret is not the app's"])
        elif (
            grant is None
            or grant.used
            or grant.client_id != client_id
            or time.monotonic() - grant.issued > CODE_SECONDS
        ):
            verdict = Verdict("invalid_code", ["[ERROR] the code is unknown, used, expired or another app's"])
        elif sent != grant.redirect_uri and (grant.redirect_uri is not None or sent != grant.used_redirect):
            grant.used = True  # a code is spent by its first exchange, good or bad
            verdict = Verdict(
                "bad_redirect_uri", ["[ERROR] redirect_uri is not the one the authorisation used"]
            )
        else:
            grant.used = True
            verdict = Verdict()
        if not verdict.ok or grant is None:
            return verdict, {"ok": False, "error": verdict.error}
        team = grant.installer
        token = f"xoxb-{team.team_id}-{secrets.token_hex(8)}"
        self._tokens[token] = team.team_id
        return verdict, {
            "ok": True,
            "access_token": token,
            "token_type": "bot",
            "scope": grant.scopes,
            "bot_user_id": BOT_USER,
            "app_id": APP_ID,
            "team": None if team.organisation else {"name": team.team_name, "id": team.team_id},
            "enterprise": {"name": team.organisation, "id": "E0ORG"} if team.organisation else None,
            "is_enterprise_install": team.organisation is not None,
            "authed_user": {"id": team.user_id},
        }

    def expect_refusals(self) -> None:
        """This test means to make Slack refuse calls: the rig's check of refusals lets it pass."""
        self.expecting_refusals = True

    def check_ack(self, kind: str, answer: dict[str, Any], *, view: dict[str, Any] | None = None) -> Verdict:
        """Check what the app answered in an acknowledgement (``blockkit_rules.check_ack``); a refusal is
        kept in ``refusals`` as a call to ``ack:KIND``."""
        verdict = check_ack(kind, answer, view=view)
        if not verdict.ok:
            call = Call(f"ack:{kind}", "", {}, answer, b"", verdict.answer(), verdict, verdict.warnings)
            with self._lock:
                self.refusals.append(call)
        return verdict

    def take_refusals(self) -> tuple[list[Call], bool]:
        """The refusals so far and whether the test expected any; both are cleared."""
        with self._lock:
            refused, expected = list(self.refusals), self.expecting_refusals
            self.refusals.clear()
            self.expecting_refusals = False
        return refused, expected

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
            self.refusals.clear()
            self.rate_limited.clear()
            self.failing.clear()
            self.expecting_refusals = False
            self._installer = None
            self._grants.clear()

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
        """Wait until the bot's background work is done: until the service it runs in has no work in
        progress (``busy``) and no call arrived while that was checked twice; or, where the test cannot
        tell (the bot in another process), until no call has arrived for ``quiet`` seconds."""
        deadline = time.monotonic() + timeout
        pause = quiet if self.busy is None else 0.01
        seen = -1
        while time.monotonic() < deadline:
            count = len(self.calls)
            if count == seen and not (self.busy and self.busy()):
                return
            seen = count
            time.sleep(pause)
        if self.busy is not None:
            raise AssertionError(f"the bot was still at work after {timeout}s")

    def _judge(
        self, method: str, path: str, body: dict[str, Any], authorization: str | None
    ) -> tuple[Verdict, int]:
        """Slack's verdict on a call (under the lock), and the HTTP status a response URL answers with."""
        if method != "response_url":
            refused = token_verdict(method, authorization or body.get("token"))
            if not refused.ok:
                return refused, 200
        if method == "response_url":
            hook = self._hooks.get(path)
            if hook is None:
                return Verdict("no_service", ["[ERROR] no such response_url"]), 404
            hook[1] += 1
            if hook[1] > limits.RESPONSE_URL_POSTS:
                return Verdict(
                    "used_url", [f"[ERROR] a response_url takes {limits.RESPONSE_URL_POSTS} posts"]
                ), 404
            if time.monotonic() - hook[0] > limits.RESPONSE_URL_SECONDS:
                return Verdict("expired_url", ["[ERROR] a response_url lasts 30 minutes"]), 404
        verdict = check_call(method, body)
        if verdict.ok and method in ("views.open", "views.push") and body.get("trigger_id"):
            verdict = self._exchange(str(body["trigger_id"]))
        return verdict, 200 if verdict.ok else 400

    def _exchange(self, trigger: str) -> Verdict:
        issued = self._triggers.get(trigger)
        if issued is None:
            return Verdict("invalid_trigger_id", [f"[ERROR] no trigger {trigger!r} was issued"])
        if trigger in self._exchanged:
            return Verdict("exchanged_trigger_id", ["[ERROR] the trigger_id was already exchanged"])
        age = time.monotonic() - issued
        if age > limits.TRIGGER_SECONDS:
            return Verdict(
                "expired_trigger_id", [f"[ERROR] the trigger_id expired: used {age:.1f} s after issue"]
            )
        self._exchanged.add(trigger)
        return Verdict()

    def _answer(self, method: str, body: dict[str, Any], authorization: str | None = None) -> dict[str, Any]:
        n = next(self._ids)
        if method == "apps.connections.open":
            return {"ok": True, "url": self.socket_url}
        if method == "auth.test":
            token = (authorization or body.get("token") or "").removeprefix("Bearer ").strip()
            team = self._tokens.get(token, TEAM)
            return {"ok": True, "user_id": BOT_USER, "bot_id": "B0TEST", "team_id": team, "user": "scr"}
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
            status = 200
            with standin._lock:
                limited = standin.rate_limited.get(method, 0)
                if limited:
                    standin.rate_limited[method] = limited - 1
                elif method in standin.failing:
                    call.answer = {"ok": False, "error": standin.failing.pop(method)}
                elif method == "oauth.v2.access":
                    verdict, call.answer = standin._oauth_access(body, self.headers.get("Authorization"))
                    if not verdict.ok:
                        call.refusal = verdict
                        standin.refusals.append(call)
                elif method != "upload":
                    verdict, status = standin._judge(method, path, body, self.headers.get("Authorization"))
                    call.warnings = verdict.warnings
                    if not verdict.ok:
                        call.refusal, call.answer = verdict, verdict.answer()
                        standin.refusals.append(call)
                    elif method != "response_url":
                        call.answer = standin._answer(method, body, self.headers.get("Authorization"))
                standin.calls.append(call)
            if limited:
                self._send(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"})
            elif (
                method in ("upload", "response_url")
                and call.refusal is None
                and call.answer.get("ok") is False
            ):
                self._send_text(400, call.answer["error"])  # a refusal the test asked for with ``fail``
            elif method == "upload":
                self._send_text(200, f"OK - {len(raw)}")
            elif method == "response_url":
                refusal = call.refusal
                self._send_text(
                    status, "ok" if refusal is None else "\n".join([str(refusal.error), *refusal.messages])
                )
            else:
                self._send(200, call.answer)

        def do_GET(self) -> None:
            """Slack's authorisation page (``/oauth/v2/authorize``), which a browser opens to add the app."""
            path, _, query = self.path.partition("?")
            if path != "/oauth/v2/authorize":
                self.send_error(404)
                return
            status, where = standin.authorize(_parse(query.encode(), "x-www-form-urlencoded"))
            if status != 302:
                self._send_text(status, where)
                return
            self.send_response(302)
            self.send_header("Location", where)
            self.send_header("Content-Length", "0")
            self.end_headers()

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
