"""Health, readiness, the metrics and the audit log."""

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, Response, status
from fastapi.responses import JSONResponse
from sqlalchemy import text

from core import audit
from core.audit import AuditEventPublic
from core.values import OptionalLine
from service.auth import AdminUser
from service.db import SessionDep, UnitOfWorkRoute, get_engine
from service.metrics import exposition, token_matches
from service.migrate import current_revision, head_revision
from service.request_ids import with_id

router = APIRouter(route_class=UnitOfWorkRoute)
# Checked as text the database can hold (no NUL, which PostgreSQL refuses): bad input is a 422.
EntityField = Annotated[OptionalLine, Query(max_length=64)]


@router.get("/healthz", tags=["system"])
async def healthz() -> dict[str, str]:
    """The process is up; answered on the event loop, so a busy thread pool cannot delay it."""
    return {"status": "ok"}


@router.get("/readyz", tags=["system"], responses={503: {"description": "database unreachable or behind"}})
def readyz() -> JSONResponse:
    """The database answers and its schema is at the migrations' head."""
    try:
        engine = get_engine()
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        current, head = current_revision(engine), head_revision()
    except Exception as error:  # any driver error means "not ready", which is the answer
        body = with_id({"status": "unavailable", "detail": type(error).__name__})
        return JSONResponse(body, status_code=503)
    if current != head:
        detail = f"schema at {current}, expected {head}: run 'scr db upgrade'"
        return JSONResponse(with_id({"status": "migrating", "detail": detail}), status_code=503)
    return JSONResponse({"status": "ready", "schema": current})


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    """Prometheus's figures (``service.metrics``), for a scraper holding ``SCR_METRICS_TOKEN`` only; without
    that setting the route answers as if it did not exist."""
    token = request.app.state.metrics_token.get_secret_value()
    if not token:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="Not Found")
    if not token_matches(request.headers.get("authorization"), token):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="Send 'Authorization: Bearer <token>' with the metrics token (SCR_METRICS_TOKEN).",
            headers={"WWW-Authenticate": "Bearer"},
        )
    body, content_type = exposition()
    return Response(body, media_type=content_type)


@router.get("/api/v1/audit", tags=["audit"])
def list_audit(
    session: SessionDep, _: AdminUser, entity_type: EntityField = None, entity_id: EntityField = None
) -> list[AuditEventPublic]:
    """Audit events, oldest first, optionally for one entity."""
    events = audit.history(session, entity_type=entity_type, entity_id=entity_id)
    return [AuditEventPublic.model_validate(event, from_attributes=True) for event in events]
