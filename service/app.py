"""The FastAPI application factory: routers, domain-error mapping, health checks, and what lets an operator
see what it does (logs, request ids, metrics, error reports)."""

from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from core.errors import Conflict, DomainError, Invalid, NotAllowed, NotFound
from service import daily_jobs, error_reporting, heap, logs, metrics, slack_http
from service.api import (
    cases,
    chronologies,
    commissions,
    data_protection,
    declarations,
    figures,
    me,
    milestones,
    partnerships,
    recommendations,
    registry,
    reports,
    shortlist,
    slack,
    slack_workspaces,
    system,
    terms,
)
from service.auth import refusal_handler
from service.background import once_started
from service.db import get_engine
from service.headers import SecurityHeaders
from service.limits import BodySizeLimit
from service.ratelimit import PublicRateLimit
from service.request_ids import RequestIds, with_id
from service.settings import check_secret_key, get_settings
from service.web import agencies as agency_pages
from service.web import case_milestones as case_milestone_pages
from service.web import cases as case_pages
from service.web import chronologies as chronology_pages
from service.web import consultants as consultant_pages
from service.web import dashboard as dashboard_pages
from service.web import imports as import_pages
from service.web import pages as shared_pages
from service.web import partnerships as partnership_pages
from service.web import recommendations as recommendation_pages
from service.web import reports as report_pages
from service.web import reviews as review_pages
from service.web import session as sign_in_pages
from service.web import users as user_pages
from service.web.pages import PageRefused, page_refused_response

# The API's routers, included in this order; a new area adds its router here. Every request walks the
# routes in order until one matches (no two routers' paths overlap, so the order decides nothing else):
# the busiest come first, the health checks, then the threshold check and cases, shortlists and the list.
ROUTERS: tuple[APIRouter, ...] = (
    system.router,
    cases.router,
    shortlist.router,
    registry.router,
    slack.router,
    slack_workspaces.router,
    commissions.router,
    terms.router,
    chronologies.router,
    milestones.router,
    data_protection.router,
    me.router,
    declarations.router,
    partnerships.router,
    figures.router,
    recommendations.router,
    reports.router,
)
# The admin pages, under /admin.
WEB_ROUTERS: tuple[APIRouter, ...] = (
    shared_pages.router,
    sign_in_pages.router,
    dashboard_pages.router,
    consultant_pages.router,
    agency_pages.router,
    import_pages.router,
    case_pages.router,
    case_milestone_pages.router,
    chronology_pages.router,
    review_pages.router,
    user_pages.router,
    partnership_pages.router,
    recommendation_pages.router,
    report_pages.router,
)


def _jsonable(value: Any) -> Any:
    """Findings may be dataclasses or models; turn them into plain JSON."""
    from fastapi.encoders import jsonable_encoder

    if hasattr(value, "to_json"):
        return value.to_json()
    return jsonable_encoder(value)


def _domain_error_response(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DomainError)
    body: dict[str, Any] = with_id({"detail": error.message})
    status = 400
    if isinstance(error, NotFound):
        status = 404
    elif isinstance(error, Conflict):
        status = 409
        body["findings"] = [_jsonable(finding) for finding in error.findings]
    elif isinstance(error, NotAllowed):
        status = 409
        body["allowed"] = error.allowed
    elif isinstance(error, Invalid):
        status = 422
        body["problems"] = error.problems
    return JSONResponse(body, status_code=status)


def _validation_error_response(_: Request, error: Exception) -> JSONResponse:
    """422 naming every field and reason, without echoing the input back."""
    assert isinstance(error, RequestValidationError)
    problems = [
        {"loc": list(item.get("loc", ())), "msg": item.get("msg", ""), "type": item.get("type", "")}
        for item in error.errors()
    ]
    fields = ", ".join(".".join(str(part) for part in p["loc"][1:]) or "body" for p in problems)
    body = with_id({"detail": f"Invalid input: {fields}.", "problems": problems})
    return JSONResponse(body, status_code=422)


# The body of every 4xx this service sends: a sentence a person can act on, the details behind it, and
# the request's id (as in the X-Request-ID header and the service's log lines).
ERROR_BODY_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "required": ["detail"],
    "properties": {
        "detail": {"type": "string", "description": "what is wrong and what to do about it"},
        "problems": {"type": "array", "items": {"type": "object"}, "description": "every invalid field"},
        "findings": {"type": "array", "items": {"type": "object"}, "description": "conflict findings"},
        "allowed": {"type": "array", "items": {"type": "string"}, "description": "allowed transitions"},
        "request_id": {"type": "string", "description": "the request's id, to quote when asking for help"},
    },
}


def _publish_error_schema(app: FastAPI) -> None:
    """Make the OpenAPI 422 schema describe the error body this service really sends."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            schema.setdefault("components", {}).setdefault("schemas", {})["HTTPValidationError"] = (
                ERROR_BODY_SCHEMA
            )
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def create_app() -> FastAPI:
    """Build the service; the Slack bot and admin pages mount here when configured.

    Refuses (``InsecureSecretKey``) to build on a missing, placeholder or short ``SCR_SECRET_KEY``, however
    the server was started.
    """
    settings = get_settings()
    check_secret_key(settings)
    logs.configure(level=settings.log_level, fmt=settings.log_format)
    error_reporting.start(settings)  # before the app is built: Sentry's integrations wrap it
    metrics.watch_pool(get_engine())
    metrics.leave_when_done()
    app = FastAPI(
        title="Case review commissioning",
        summary="Thresholds, independent reviewers and terms of reference for safeguarding case reviews.",
        version="0.1.0",
    )
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.state.public_rate_limit = PublicRateLimit(settings.public_rate_per_minute)
    app.state.metrics_token = settings.metrics_token
    app.add_exception_handler(DomainError, _domain_error_response)
    app.add_exception_handler(RequestValidationError, _validation_error_response)
    app.add_exception_handler(PageRefused, page_refused_response)
    app.add_exception_handler(StarletteHTTPException, refusal_handler)
    for router in (*ROUTERS, *WEB_ROUTERS):
        app.include_router(router)
    if slack_http.enabled(settings):
        slack_http.mount(app, settings)
    daily_jobs.schedule(app, get_engine(), interval_seconds=settings.retention_purge_check_seconds)
    _publish_error_schema(app)
    app.add_middleware(metrics.HttpMetrics)
    app.add_middleware(RequestIds)  # outside the rest: every log line of the request carries its id
    app.add_middleware(SecurityHeaders)  # added last, so it wraps every other middleware's responses
    return app


def served_app() -> FastAPI:
    """The app as ``scr serve`` runs it: ``create_app``, with the process's heap settled once the app has
    started (``service.heap``). Tests build apps with ``create_app`` and keep Python's usual collector."""
    app = create_app()
    once_started(app, heap.settle)
    return app
