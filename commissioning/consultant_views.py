"""What the service shows about one consultant, read across both domains: their own record (``/me``, for
the Slack bot), the card the people commissioning see, and the subject access export.

Each joins the approved list (``registry``) with the commissions they hold (``commissioning``), and the
export the audit log too, so they live here: commissioning is the one domain package that may read both
(registry knows no cases). Read-only; each returns the public model the API serves as it is. Cases appear
by reference only, and nothing about another consultant is included.
"""

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import and_, or_
from sqlmodel import Session, SQLModel, col, func, select

from commissioning import commissions, workload
from commissioning.models import Case, Commission, CommissionRole, CommissionStatus, Declaration
from core.audit import AuditEvent, AuditEventPublic
from core.clock import utcnow
from registry import expiry, lifecycle
from registry.agencies import agency_names
from registry.consultants import get_consultant
from registry.lifecycle import dbs_valid_until
from registry.models import AbsencePublic, ConsultantDetail, EngagementPublic, InterestPublic
from registry.vocabulary import ConsultantStatus, RegistrationBody


def _agency_names(session: Session, detail: ConsultantDetail) -> dict[str, str]:
    """The name of each agency the record's engagements and interests mention."""
    named = [e.agency_id for e in detail.engagements] + [i.agency_id for i in detail.interests if i.agency_id]
    return agency_names(session=session, agency_ids=named)


# Their own record ------------------------------------------------------------------------------


class MyCommission(BaseModel):
    id: int
    case_ref: str
    role: CommissionRole
    status: CommissionStatus
    declared: bool = Field(description="the consultant has declared on it")
    created_at: datetime


class MyChecks(BaseModel):
    dbs_check_date: date | None
    dbs_valid_until: date | None = Field(description="the day before the recheck falls due")
    registration_body: RegistrationBody | None
    registration_expiry: date | None
    insurance_expiry: date | None
    reapproval_due: date | None


class MyRecord(BaseModel):
    """What the approved list holds about the consultant asking, and what they hold now."""

    id: int
    name: str
    email: str
    status: ConsultantStatus
    status_reason: str | None
    approved_on: date | None
    checks: MyChecks
    capacity: int
    places_held: int = Field(description="commissions holding a place (proposed, declared, confirmed)")
    away: list[AbsencePublic] = Field(description="periods away not yet over")
    engagements: list[EngagementPublic]
    interests: list[InterestPublic]
    commissions: list[MyCommission]
    agencies: dict[str, str] = Field(description="the name of each agency the record mentions")


def own_commissions(*, session: Session, consultant_id: int) -> list[MyCommission]:
    """The consultant's commissions holding a place, by case reference."""
    return [
        MyCommission(
            id=view.commission.id,  # type: ignore[arg-type]
            case_ref=view.case_ref,
            role=view.commission.role,
            status=view.commission.status,
            declared=view.declaration is not None,
            created_at=view.commission.created_at,
        )
        for view in commissions.held_by(session=session, consultant_id=consultant_id)
    ]


# What the record and its checks take from the approved list as it is held; the rest is worked out here.
_AS_HELD = set(MyRecord.model_fields) - {"checks", "places_held", "away", "commissions", "agencies"}
_CHECKS_AS_HELD = set(MyChecks.model_fields) - {"dbs_valid_until"}


def own_record(*, session: Session, consultant_id: int, dbs_recheck_years: int, today: date) -> MyRecord:
    """The consultant's own record: status, checks, capacity in use, away, ties, interests, commissions."""
    detail = get_consultant(session=session, consultant_id=consultant_id)
    held = own_commissions(session=session, consultant_id=consultant_id)
    dbs = detail.dbs_check_date
    return MyRecord(
        **detail.model_dump(include=_AS_HELD),
        checks=MyChecks(
            **detail.model_dump(include=_CHECKS_AS_HELD),
            dbs_valid_until=None if dbs is None else dbs_valid_until(dbs, dbs_recheck_years),
        ),
        places_held=len(held),
        away=[period for period in detail.away if period.end_date >= today],
        commissions=held,
        agencies=_agency_names(session, detail),
    )


# The card --------------------------------------------------------------------------------------

CARD_WINDOW_DAYS = 30  # a check falling due within this many days shows as due soon


class CheckOut(SQLModel):
    check: expiry.Check
    label: str
    recorded: date | None = None
    due: date | None = None
    state: expiry.State

    @classmethod
    def of(cls, status: expiry.CheckStatus) -> "CheckOut":
        return cls.model_validate(status, from_attributes=True)


class ConsultantCard(SQLModel):
    """A consultant as the people commissioning see them at a glance."""

    consultant: ConsultantDetail
    places_held: int
    checks: list[CheckOut]
    allowed_actions: list[str]
    agency_names: dict[str, str]


def card(*, session: Session, consultant_id: int, today: date, dbs_recheck_years: int) -> ConsultantCard:
    """The record with the places held, each check's state (falling due: within ``CARD_WINDOW_DAYS``) and
    the status actions open now."""
    detail = get_consultant(session=session, consultant_id=consultant_id)
    checks = expiry.statuses(
        detail, today=today, within_days=CARD_WINDOW_DAYS, dbs_recheck_years=dbs_recheck_years
    )
    return ConsultantCard(
        consultant=detail,
        places_held=workload.places_held(session=session, consultant_id=consultant_id),
        checks=[CheckOut.of(status) for status in checks],
        allowed_actions=lifecycle.allowed_actions(detail.status),
        agency_names=_agency_names(session, detail),
    )


# Subject access --------------------------------------------------------------------------------


class DeclarationHeld(BaseModel):
    agencies: list[str]
    no_conflict: bool
    statement: str | None
    declared_by: str
    declared_at: datetime
    void: bool
    recorded_by: str | None = None  # an admin who recorded it from the consultant's signed statement
    signed_on: date | None = None
    signed_reference: str | None = None


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


def _commissions_held(session: Session, consultant_id: int) -> list[CommissionHeld]:
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
        CommissionHeld.model_validate(
            {**commission.model_dump(), "case_ref": ref, "declarations": declarations[commission.id]}  # type: ignore[index]
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


def subject_access(*, session: Session, consultant_id: int) -> SubjectAccess:
    """Everything held about the consultant, the audit events chosen by their own records and their own
    voice; ``NotFound`` if there is no such consultant."""
    consultant = get_consultant(session=session, consultant_id=consultant_id)
    held = _commissions_held(session, consultant_id)
    return SubjectAccess(
        generated_at=utcnow(),
        consultant=consultant,
        slack_user_id=consultant.slack_user_id,
        commissions=held,
        audit_events=_events(
            session, consultant=consultant, commission_ids=[commission.id for commission in held]
        ),
    )
