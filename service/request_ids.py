"""An id for every request, so that what a person is told matches the service's log lines.

The id is the caller's ``X-Request-ID`` when it is a sane one (1 to 64 letters, digits, ``.``, ``_``,
``:`` or ``-``: a proxy's or the Slack bot's), else a new one. It is bound to the request's log lines
(structlog's context variables: the standard library's lines get it too, see ``service.logs``), sent
back in the ``X-Request-ID`` header, and put in every error body (``with_id``) and on the admin pages'
error pages. The Slack bot sends the id of what it is doing on each call and shows the same id as the
reference in its error messages.

A request that fails with an unexpected error is logged here, with its traceback and id, and answered
with a 500 naming the id (a page for the admin pages, JSON elsewhere); the error is then raised on, as
before, for the server (and Sentry) to see.
"""

import contextlib
import html
import json
import logging
import re
import secrets
from typing import Any

import structlog
from starlette.datastructures import MutableHeaders
from starlette.types import Message, Receive, Scope, Send

from service.logs import LOGGED
from service.metrics import route_of
from service.middleware import HttpMiddleware

log = logging.getLogger("service.requests")

HEADER = "X-Request-ID"
KEY = "request_id"  # the context variable's name; the bot binds the same one (``bot.reference``)
SANE = re.compile(r"[A-Za-z0-9._:-]{1,64}")
FAILED = (
    "Something went wrong in the service, so what you asked may not have been done. Try again; if it "
    "fails again, give whoever runs the service this reference: {reference}."
)
FAILED_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Something went wrong</title>
<link rel="stylesheet" href="/admin/static/admin.css"></head>
<body><main><h1>Something went wrong</h1><p>{message}</p>
<p><a href="/admin">Go to the start page</a></p></main></body></html>
"""
PAGE_HEADERS = {  # as the admin pages' own (``service.web.pages``): no script, never framed
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
}


def new() -> str:
    """A fresh id: short enough for a person to read out, unique enough to find one request's lines."""
    return secrets.token_hex(8)


def accepted(value: str | None) -> str:
    """The caller's id when it is sane, else a new one."""
    return value if value is not None and SANE.fullmatch(value) else new()


def current() -> str:
    """The id of the request being answered ("" outside one)."""
    return str(structlog.contextvars.get_contextvars().get(KEY, ""))


def with_id(body: dict[str, Any]) -> dict[str, Any]:
    """An error body with the request's id, so that whoever reads it can quote it."""
    return {**body, KEY: current()}


def _failure(scope: Scope, request_id: str) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    message = FAILED.format(reference=request_id)
    if str(scope.get("path", "")).startswith("/admin"):
        body = FAILED_PAGE.format(message=html.escape(message)).encode()
        headers = {"content-type": "text/html; charset=utf-8", **PAGE_HEADERS}
    else:
        body = json.dumps({"detail": message, KEY: request_id}).encode()
        headers = {"content-type": "application/json"}
    headers["content-length"] = str(len(body))
    return 500, [(name.lower().encode(), value.encode()) for name, value in headers.items()], body


class RequestIds(HttpMiddleware):
    """The ASGI middleware that gives each HTTP request its id (see the module's docstring)."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        sent = dict(scope["headers"]).get(HEADER.lower().encode())
        request_id = accepted(sent.decode("latin-1") if sent is not None else None)
        scope.setdefault("state", {})[KEY] = request_id
        tokens = structlog.contextvars.bind_contextvars(request_id=request_id)
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                MutableHeaders(scope=message)[HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as error:
            log.exception("request.failed method=%s route=%s", scope.get("method"), route_of(scope))
            with contextlib.suppress(AttributeError):
                setattr(error, LOGGED, True)
            if not started:
                status, headers, body = _failure(scope, request_id)
                await send_with_id({"type": "http.response.start", "status": status, "headers": headers})
                await send_with_id({"type": "http.response.body", "body": body})
            raise
        finally:
            structlog.contextvars.reset_contextvars(**tokens)
