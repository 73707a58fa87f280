"""What consultants declare about themselves, awaiting an admin: list, confirm, reject. Also an admin
setting a consultant's availability for them (the same change a consultant makes with ``/me``)."""

from datetime import date
from typing import Any

from fastapi import APIRouter, Response, status

from registry import self_service
from registry.models import AvailabilityUpdate, EngagementPublic, InterestPublic
from registry.self_service import Declared
from service.api.params import Id
from service.api.schemas import AvailabilityOut, PendingOut, RejectIn
from service.auth import AdminUser
from service.db import SessionDep, UnitOfWorkRoute

router = APIRouter(prefix="/api/v1", tags=["declarations"], route_class=UnitOfWorkRoute)


@router.get("/declarations/pending")
def pending(session: SessionDep, _: AdminUser) -> list[PendingOut]:
    """Every self-declared engagement and interest an admin has not yet confirmed or rejected."""
    return [
        PendingOut(
            kind=item.kind,
            consultant_id=item.consultant_id,
            consultant_name=item.consultant_name,
            record=item.record,
        )
        for item in self_service.pending(session=session)
    ]


def _confirm(
    session: SessionDep, kind: Declared, consultant_id: int, record_id: int, actor: str
) -> dict[str, Any]:
    confirmed = self_service.confirm(
        session=session, kind=kind, consultant_id=consultant_id, record_id=record_id, actor=actor
    )
    return confirmed.model_dump()


def _reject(
    session: SessionDep, kind: Declared, consultant_id: int, record_id: int, body: RejectIn, actor: str
) -> None:
    self_service.reject(
        session=session,
        kind=kind,
        consultant_id=consultant_id,
        record_id=record_id,
        reason=body.reason,
        actor=actor,
    )


NO_CONTENT = {"status_code": status.HTTP_204_NO_CONTENT, "response_class": Response}
CONFIRMED = {409: {"description": "already confirmed: correct or delete it on the record instead"}}


@router.post("/consultants/{consultant_id}/engagements/{engagement_id}/confirm")
def confirm_engagement(
    consultant_id: Id, engagement_id: Id, session: SessionDep, actor: AdminUser
) -> EngagementPublic:
    """Confirm a self-declared tie: from now on it counts as evidence (it may block)."""
    return EngagementPublic.model_validate(
        _confirm(session, Declared.engagement, consultant_id, engagement_id, actor.email)
    )


@router.post(
    "/consultants/{consultant_id}/engagements/{engagement_id}/reject", responses=CONFIRMED, **NO_CONTENT
)
def reject_engagement(
    consultant_id: Id, engagement_id: Id, body: RejectIn, session: SessionDep, actor: AdminUser
) -> None:
    """Reject a self-declared tie, with the reason: it is deleted; the audit log keeps it."""
    _reject(session, Declared.engagement, consultant_id, engagement_id, body, actor.email)


@router.post("/consultants/{consultant_id}/interests/{interest_id}/confirm")
def confirm_interest(
    consultant_id: Id, interest_id: Id, session: SessionDep, actor: AdminUser
) -> InterestPublic:
    """Confirm a self-declared interest: from now on it counts as evidence (it may block)."""
    return InterestPublic.model_validate(
        _confirm(session, Declared.interest, consultant_id, interest_id, actor.email)
    )


@router.post("/consultants/{consultant_id}/interests/{interest_id}/reject", responses=CONFIRMED, **NO_CONTENT)
def reject_interest(
    consultant_id: Id, interest_id: Id, body: RejectIn, session: SessionDep, actor: AdminUser
) -> None:
    """Reject a self-declared interest, with the reason: it is deleted; the audit log keeps it."""
    _reject(session, Declared.interest, consultant_id, interest_id, body, actor.email)


@router.patch("/consultants/{consultant_id}/availability")
def set_availability(
    consultant_id: Id, body: AvailabilityUpdate, session: SessionDep, actor: AdminUser
) -> AvailabilityOut:
    """Set a consultant's capacity and/or periods away for them (the list sent replaces those held)."""
    changed = self_service.set_availability(
        session=session, consultant_id=consultant_id, data=body, actor=actor.email, today=date.today()
    )
    return AvailabilityOut(capacity=changed.capacity, away=changed.away)
