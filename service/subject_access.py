"""A consultant's subject access export: everything the service holds about them, in one JSON document.

It spans the approved list, the commissions and declarations on the commissioning side, and the audit
log, which is why it lives in the shell. Cases appear by reference only, and nothing about another
consultant is included: audit events are chosen by the consultant's own records and their own voice.
"""

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import and_, or_
from sqlmodel import Session, col, func, select

from commissioning.models import Case, Commission, CommissionRole, CommissionStatus, Declaration
from core.audit import AuditEvent
from core.clock import utcnow
from registry import consultants
from registry.models import ConsultantDetail
from service.models import AuditEventPublic


class DeclarationHeld(BaseModel):
    agencies: list[str]
    no_conflict: bool
    statement: str | None
    declared_by: str
    declared_at: datetime
    void: bool


class CommissionHeld(BaseModel):
    id: int
    case_ref: str
    role: CommissionRole
    status: CommissionStatus
    warnings: list[dict[str, Any]]
    created_by: str
    created_at: datetime
    updated_at: datetime
    declarations: list[DeclarationHeld]


class SubjectAccess(BaseModel):
    """Everything held about one consultant, as of ``generated_at``. ``consultant`` is their record with
    everything the approved list holds beside it (engagements, interests, accreditations, reviews, ...)."""

    generated_at: datetime
    consultant: ConsultantDetail
    slack_user_id: str | None
    commissions: list[CommissionHeld]
    audit_events: list[AuditEventPublic]


def _commissions(session: Session, consultant_id: int) -> list[CommissionHeld]:
    rows = session.exec(
        select(Commission, Case.ref)
        .join(Case, col(Case.id) == col(Commission.case_id))
        .where(Commission.consultant_id == consultant_id)
        .order_by(col(Commission.id))
    ).all()
    declarations: dict[int, list[DeclarationHeld]] = {commission.id: [] for commission, _ in rows}  # type: ignore[misc]
    for declaration in session.exec(
        select(Declaration)
        .where(col(Declaration.commission_id).in_(list(declarations)))
        .order_by(col(Declaration.id))
    ):
        declarations[declaration.commission_id].append(
            DeclarationHeld.model_validate(declaration, from_attributes=True)
        )
    return [
        CommissionHeld(
            id=commission.id,  # type: ignore[arg-type]
            case_ref=ref,
            role=commission.role,
            status=commission.status,
            warnings=commission.warnings,
            created_by=commission.created_by,
            created_at=commission.created_at,
            updated_at=commission.updated_at,
            declarations=declarations[commission.id],  # type: ignore[index]
        )
        for commission, ref in rows
    ]


def _events(
    session: Session, *, consultant: ConsultantDetail, commission_ids: list[int]
) -> list[AuditEventPublic]:
    """Events about the consultant's record and commissions, and events they caused themselves.

    On SQLite a deleted applicant's id can be given to a new consultant, so the record's events start
    after the last deletion of that id.
    """
    entity_id = str(consultant.id)
    deleted = session.exec(
        select(func.max(AuditEvent.id)).where(
            AuditEvent.entity_type == "consultant",
            AuditEvent.entity_id == entity_id,
            AuditEvent.action == "consultant.delete",
        )
    ).one()
    about = [
        and_(
            col(AuditEvent.entity_type) == "consultant",
            col(AuditEvent.entity_id) == entity_id,
            col(AuditEvent.id) > (deleted or 0),
        ),
        and_(
            col(AuditEvent.entity_type) == "commission",
            col(AuditEvent.entity_id).in_([str(i) for i in commission_ids]),
        ),
        col(AuditEvent.actor) == consultant.email,
    ]
    if consultant.slack_user_id:  # the bot records "<bot> for Slack user U..." when it relays them
        about.append(col(AuditEvent.actor).endswith(f" for Slack user {consultant.slack_user_id}"))
    events = session.exec(select(AuditEvent).where(or_(*about)).order_by(col(AuditEvent.id)))
    return [AuditEventPublic.model_validate(event, from_attributes=True) for event in events]


def export(*, session: Session, consultant_id: int) -> SubjectAccess:
    """Everything held about the consultant; ``NotFound`` if there is no such consultant."""
    consultant = consultants.get_consultant(session=session, consultant_id=consultant_id)
    commissions = _commissions(session, consultant_id)
    return SubjectAccess(
        generated_at=utcnow(),
        consultant=consultant,
        slack_user_id=consultant.slack_user_id,
        commissions=commissions,
        audit_events=_events(
            session, consultant=consultant, commission_ids=[commission.id for commission in commissions]
        ),
    )
