"""Unexpected errors reported to Sentry (or a server speaking its protocol), only when ``SCR_SENTRY_DSN``
is set: without it nothing is initialised and nothing leaves the machine.

A report says what failed and where, never what a case holds: no request body (a case's features), no
query string, cookie or credential, no local variables of the failing code, and no user. It carries
the request's id (``request_id`` tag), the same id as the log lines and the reference a person was
shown, so the report, the logs and the person's message can be matched.
"""

import logging
from typing import TYPE_CHECKING, Any

import structlog

if TYPE_CHECKING:
    from service.settings import Settings

log = logging.getLogger("service.errors")

RELEASE = "scr-commissioning@0.1.0"
SAFE_HEADERS = frozenset({"content-type", "content-length", "user-agent", "x-request-id"})
UNSAFE_BREADCRUMB_DATA = ("http.query", "http.fragment")


def scrub(event: dict[str, Any], _hint: dict[str, Any] | None = None) -> dict[str, Any]:
    """``event`` with nothing of the request but its method, path and harmless headers, and the request
    id as a tag."""
    request = event.get("request")
    if isinstance(request, dict):
        headers = request.get("headers") or {}
        event["request"] = {
            "method": request.get("method"),
            "url": str(request.get("url") or "").split("?", 1)[0],
            "headers": {name: value for name, value in headers.items() if name.lower() in SAFE_HEADERS},
        }
    event.pop("user", None)
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    if request_id:
        event.setdefault("tags", {})["request_id"] = request_id
    return event


def scrub_breadcrumb(crumb: dict[str, Any], _hint: dict[str, Any] | None = None) -> dict[str, Any]:
    """A breadcrumb of an HTTP call without its query string (a search may name a person)."""
    data = crumb.get("data")
    if isinstance(data, dict):
        for key in UNSAFE_BREADCRUMB_DATA:
            data.pop(key, None)
        if "url" in data:
            data["url"] = str(data["url"]).split("?", 1)[0]
    return crumb


def start(settings: "Settings") -> bool:
    """Initialise Sentry when ``SCR_SENTRY_DSN`` is set; whether it was."""
    dsn = settings.sentry_dsn.get_secret_value().strip()
    if not dsn:
        return False
    import sentry_sdk

    sentry_sdk.init(
        dsn=dsn,
        environment=settings.sentry_environment,
        release=RELEASE,
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        before_send=scrub,
        before_breadcrumb=scrub_breadcrumb,
    )
    log.info("sentry.started environment=%s", settings.sentry_environment)
    return True
