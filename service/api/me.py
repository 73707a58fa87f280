"""A consultant's own record, through the Slack bot: see it, set availability, declare interests and ties.

Only the bot calls these, naming the consultant by the Slack id on their record (``CurrentConsultant``):
the consultant reaches their own record and nobody else's, and their commissions are named by case
reference only. What they declare waits for an admin (``service.api.declarations``).
"""

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, Field
from sqlmodel import Session

from commissioning import commissions
from commissioning.models import CommissionRole, CommissionStatus
from core.values import OptionalLine
from registry import candidates, self_service
from registry.agencies import list_agencies
from registry.consultants import get_consultant
from registry.lifecycle import dbs_valid_until
from registry.models import (
    AbsencePublic,
    AvailabilityUpdate,
    Consultant,
    EngagementDeclaration,
    EngagementPublic,
    InterestDeclaration,
    InterestPublic,
)
from registry.vocabulary import ConsultantStatus, RegistrationBody
from service.auth import CurrentConsultant
from service.db import SessionDep, UnitOfWorkRoute
from service.policy import PolicyDep

router = APIRouter(prefix="/api/v1/me", tags=["self-service"], route_class=UnitOfWorkRoute)


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


class AgencyChoice(BaseModel):
    id: str
    name: str


def _commissions(session: Session, consultant_id: int) -> list[MyCommission]:
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


def _record(session: Session, consultant: Consultant, *, dbs_recheck_years: int, today: date) -> MyRecord:
    assert consultant.id is not None
    detail = get_consultant(session=session, consultant_id=consultant.id)
    held = _commissions(session, consultant.id)
    named = [e.agency_id for e in detail.engagements] + [i.agency_id for i in detail.interests if i.agency_id]
    names = candidates.resolve_agencies(session=session, names=named).directory.names
    dbs = detail.dbs_check_date
    return MyRecord(
        id=detail.id,
        name=detail.name,
        email=detail.email,
        status=detail.status,
        status_reason=detail.status_reason,
        approved_on=detail.approved_on,
        checks=MyChecks(
            dbs_check_date=dbs,
            dbs_valid_until=None if dbs is None else dbs_valid_until(dbs, dbs_recheck_years),
            registration_body=detail.registration_body,
            registration_expiry=detail.registration_expiry,
            insurance_expiry=detail.insurance_expiry,
            reapproval_due=detail.reapproval_due,
        ),
        capacity=detail.capacity,
        places_held=len(held),
        away=[period for period in detail.away if period.end_date >= today],
        engagements=detail.engagements,
        interests=detail.interests,
        commissions=held,
        agencies=dict(names),
    )


@router.get("")
def my_record(session: SessionDep, consultant: CurrentConsultant, policy: PolicyDep) -> MyRecord:
    """The consultant's own record: status, checks, capacity in use, away, ties, interests, commissions."""
    return _record(session, consultant, dbs_recheck_years=policy.dbs_recheck_years, today=date.today())


@router.patch("/availability")
def set_availability(
    body: AvailabilityUpdate, session: SessionDep, consultant: CurrentConsultant, policy: PolicyDep
) -> MyRecord:
    """Set capacity (1-5) and/or the periods away (the list sent replaces those held)."""
    assert consultant.id is not None
    today = date.today()
    self_service.set_availability(
        session=session, consultant_id=consultant.id, data=body, actor=consultant.email, today=today
    )
    return _record(session, consultant, dbs_recheck_years=policy.dbs_recheck_years, today=today)


@router.post("/interests", status_code=status.HTTP_201_CREATED)
def declare_interest(
    body: InterestDeclaration, session: SessionDep, consultant: CurrentConsultant
) -> InterestPublic:
    """Declare an interest (in a case, an agency, or described); it warns until an admin confirms it."""
    assert consultant.id is not None
    return self_service.declare_interest(
        session=session, consultant_id=consultant.id, data=body, actor=consultant.email, today=date.today()
    )


@router.post("/engagements", status_code=status.HTTP_201_CREATED)
def declare_engagement(
    body: EngagementDeclaration, session: SessionDep, consultant: CurrentConsultant
) -> EngagementPublic:
    """Declare a tie with an agency; it warns until an admin confirms it, then counts in full."""
    assert consultant.id is not None
    return self_service.declare_engagement(
        session=session, consultant_id=consultant.id, data=body, actor=consultant.email
    )


@router.get("/commissions")
def my_commissions(session: SessionDep, consultant: CurrentConsultant) -> list[MyCommission]:
    """The consultant's commissions holding a place, by case reference."""
    assert consultant.id is not None
    return _commissions(session, consultant.id)


@router.get("/agencies")
def agencies(
    session: SessionDep,
    _: CurrentConsultant,
    q: Annotated[OptionalLine, Query(max_length=200, description="part of the name")] = None,
) -> list[AgencyChoice]:
    """Agencies to pick from when declaring (names of public bodies and the list's own agencies)."""
    return [AgencyChoice(id=a.id, name=a.name) for a in list_agencies(session=session, q=q)[:100]]
