"""A consultant's own record, through the Slack bot: see it, set availability, declare interests and ties.

Only the bot calls these, naming the consultant by the Slack id on their record (``CurrentConsultant``):
the consultant reaches their own record and nobody else's, and their commissions are named by case
reference only. What they declare waits for an admin (``service.api.declarations``). The record itself
is read in ``commissioning.consultant_views``.
"""

from typing import Annotated

from fastapi import APIRouter, Query, status

from commissioning import consultant_views
from commissioning.consultant_views import MyCommission, MyRecord
from core import clock
from core.values import OptionalLine
from registry import self_service
from registry.agencies import list_agencies
from registry.models import (
    AvailabilityUpdate,
    EngagementDeclaration,
    EngagementPublic,
    InterestDeclaration,
    InterestPublic,
)
from service.api.schemas import AgencyChoice
from service.auth import CurrentConsultant
from service.db import SessionDep, UnitOfWorkRoute
from service.policy import PolicyDep

router = APIRouter(prefix="/api/v1/me", tags=["self-service"], route_class=UnitOfWorkRoute)


@router.get("")
def my_record(session: SessionDep, consultant: CurrentConsultant, policy: PolicyDep) -> MyRecord:
    """The consultant's own record: status, checks, capacity in use, away, ties, interests, commissions."""
    assert consultant.id is not None
    return consultant_views.own_record(
        session=session,
        consultant_id=consultant.id,
        dbs_recheck_years=policy.dbs_recheck_years,
        today=clock.today(),
    )


@router.patch("/availability")
def set_availability(
    body: AvailabilityUpdate, session: SessionDep, consultant: CurrentConsultant, policy: PolicyDep
) -> MyRecord:
    """Set capacity (1-5) and/or the periods away (the list sent replaces those held)."""
    assert consultant.id is not None
    today = clock.today()
    self_service.set_availability(
        session=session, consultant_id=consultant.id, data=body, actor=consultant.email, today=today
    )
    return consultant_views.own_record(
        session=session, consultant_id=consultant.id, dbs_recheck_years=policy.dbs_recheck_years, today=today
    )


@router.post("/interests", status_code=status.HTTP_201_CREATED)
def declare_interest(
    body: InterestDeclaration, session: SessionDep, consultant: CurrentConsultant
) -> InterestPublic:
    """Declare an interest (in a case, an agency, or described); it warns until an admin confirms it."""
    assert consultant.id is not None
    return self_service.declare_interest(
        session=session, consultant_id=consultant.id, data=body, actor=consultant.email, today=clock.today()
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
    return consultant_views.own_commissions(session=session, consultant_id=consultant.id)


@router.get("/agencies")
def agencies(
    session: SessionDep,
    _: CurrentConsultant,
    q: Annotated[OptionalLine, Query(max_length=200, description="part of the name")] = None,
) -> list[AgencyChoice]:
    """Agencies to pick from when declaring (names of public bodies and the list's own agencies)."""
    return [AgencyChoice(id=a.id, name=a.name) for a in list_agencies(session=session, q=q)[:100]]
