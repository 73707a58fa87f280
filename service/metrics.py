"""The service's Prometheus metrics, and what ``GET /metrics`` answers.

- ``scr_http_requests_total`` and ``scr_http_request_duration_seconds``: every request, by method and
  route template (``/api/v1/cases/{ref}``, never the path itself, so no case reference becomes a label;
  a path no route matches counts as ``unmatched``).
- ``scr_db_pool_checked_out`` and ``scr_db_pool_size``: the database connections in use and kept, summed
  over the live worker processes.
- ``scr_cache_events_total`` (``core.metrics.cache_event``), and the bot's reminders, digest items and
  Slack errors (``bot.metrics``).

``/metrics`` is not public: it answers 404 until ``SCR_METRICS_TOKEN`` is set, then only a request
bearing that token. With several worker processes each keeps its own figures; prometheus_client's
multiprocess mode (``PROMETHEUS_MULTIPROC_DIR``, which ``scr serve --workers N`` sets up) adds them up,
whichever worker answers the scrape.
"""

import atexit
import hmac
import os
import time
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from sqlalchemy import Engine, event
from starlette.types import Message, Receive, Scope, Send

from service.middleware import HttpMiddleware

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "unmatched"

REQUESTS = Counter(
    "scr_http_requests", "HTTP requests answered, by method, route and status.", ["method", "route", "status"]
)
LATENCY = Histogram(
    "scr_http_request_duration_seconds",
    "Time to answer an HTTP request, by method and route.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
POOL_CHECKED_OUT = Gauge(
    "scr_db_pool_checked_out", "Database connections in use.", multiprocess_mode="livesum"
)
POOL_SIZE = Gauge(
    "scr_db_pool_size",
    "Database connections the pools keep open (each may open more, up to its overflow, when busy).",
    multiprocess_mode="livesum",
)


def route_of(scope: Scope) -> str:
    """The template of the route that answered (``/api/v1/cases/{ref}``), or ``unmatched``."""
    return getattr(scope.get("route"), "path", None) or UNMATCHED


class HttpMetrics(HttpMiddleware):
    """The ASGI middleware counting and timing every HTTP request; a request that raised counts as 500."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started, status = time.perf_counter(), 500

        async def send_recording(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_recording)
        finally:
            method = scope["method"] if scope["method"] in METHODS else "OTHER"
            route = route_of(scope)
            REQUESTS.labels(method=method, route=route, status=str(status)).inc()
            LATENCY.labels(method=method, route=route).observe(time.perf_counter() - started)


def _checked_out(*_: Any) -> None:
    POOL_CHECKED_OUT.inc()


def _checked_in(*_: Any) -> None:
    POOL_CHECKED_OUT.dec()


def watch_pool(engine: Engine) -> None:
    """Count the connections of ``engine``'s pool as they are checked out and in (once per engine)."""
    if event.contains(engine, "checkout", _checked_out):
        return
    event.listen(engine, "checkout", _checked_out)
    event.listen(engine, "checkin", _checked_in)
    size = getattr(engine.pool, "size", None)
    POOL_SIZE.set(size() if callable(size) else 1)


def multiprocess_mode() -> bool:
    return bool(os.environ.get(MULTIPROCESS_DIR))


def leave_when_done() -> None:
    """In multiprocess mode, drop this process's live figures (the pool gauges) when it exits."""
    if multiprocess_mode():
        atexit.register(multiprocess.mark_process_dead, os.getpid())


def token_matches(authorization: str | None, token: str) -> bool:
    """Whether ``Authorization: Bearer ...`` carries ``token``, compared in constant time."""
    scheme, _, sent = (authorization or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        sent.strip().encode("latin-1", "replace"), token.encode("latin-1", "replace")
    )


def exposition() -> tuple[bytes, str]:
    """Every metric in Prometheus's text format: this process's, or every worker's in multiprocess mode."""
    if multiprocess_mode():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
