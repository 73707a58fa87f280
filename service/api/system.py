"""Health, readiness, the metrics and the audit log."""

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, Response, status
from fastapi.responses import JSONResponse
from sqlalchemy import String, cast, or_, text
from sqlmodel import col, select

from commissioning.models import Case, Commission, Partnership
from core.audit import AuditEvent, AuditEventPublic
from core.values import OptionalLine
from service.access import AuditReader, Grants, GrantsDep
from service.db import SessionDep, UnitOfWorkRoute, get_engine
from service.metrics import exposition, token_matches
from service.migrate import current_revision, head_revision
from service.models import PartnershipRole, Role
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
    session: SessionDep,
    _: AuditReader,
    grants: GrantsDep,
    entity_type: EntityField = None,
    entity_id: EntityField = None,
) -> list[AuditEventPublic]:
    """Audit events, oldest first, optionally for one entity. List admins read the whole log; a
    partnership's admins read the events of the cases it leads (their commissions too), of its people
    and of the partnership itself."""
    query = select(AuditEvent).order_by(col(AuditEvent.id))
    if entity_type:
        query = query.where(AuditEvent.entity_type == entity_type)
    if entity_id:
        query = query.where(AuditEvent.entity_id == entity_id)
    if not grants.list_admin:
        query = query.where(_own_partnerships(grants))
    events = session.exec(query).all()
    return [AuditEventPublic.model_validate(event, from_attributes=True) for event in events]


def _own_partnerships(grants: Grants) -> object:
    """The events a partnership admin may read: of the cases their partnerships lead, those cases'
    commissions, the people holding a role there, and the partnerships themselves."""
    own = list(grants.partnerships(Role.admin))
    cases = select(Case.ref).where(col(Case.partnership_id).in_(own))
    commissions = (
        select(cast(Commission.id, String))
        .join(Case, col(Case.id) == Commission.case_id)
        .where(col(Case.partnership_id).in_(own))
    )
    people = select(cast(PartnershipRole.user_id, String)).where(col(PartnershipRole.partnership_id).in_(own))
    prefixes = select(Partnership.prefix).where(col(Partnership.id).in_(own))
    return or_(
        (AuditEvent.entity_type == "case") & col(AuditEvent.entity_id).in_(cases),
        (AuditEvent.entity_type == "commission") & col(AuditEvent.entity_id).in_(commissions),
        (AuditEvent.entity_type == "user") & col(AuditEvent.entity_id).in_(people),
        (AuditEvent.entity_type == "partnership") & col(AuditEvent.entity_id).in_(prefixes),
    )
