"""What consultants declare about themselves, awaiting an admin: list, confirm, reject. Also an admin
setting a consultant's availability for them (the same change a consultant makes with ``/me``)."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Response, status
from sqlmodel import SQLModel

from core import clock
from registry import self_service
from registry.models import AvailabilityUpdate, EngagementPublic, InterestPublic
from registry.self_service import Declared
from service.access import ListAdmin
from service.api.params import MAX_ID, Id
from service.api.schemas import AvailabilityOut, PendingOut, RejectIn
from service.db import SessionDep, UnitOfWorkRoute

router = APIRouter(prefix="/api/v1", tags=["declarations"], route_class=UnitOfWorkRoute)


@router.get("/declarations/pending")
def pending(session: SessionDep, _: ListAdmin) -> list[PendingOut]:
    """Every self-declared engagement and interest an admin has not yet confirmed or rejected."""
    return [
        PendingOut.model_validate(item, from_attributes=True)
        for item in self_service.pending(session=session)
    ]


NO_CONTENT = {"status_code": status.HTTP_204_NO_CONTENT, "response_class": Response}
CONFIRMED = {409: {"description": "already confirmed: correct or delete it on the record instead"}}


def _declaration_routes(kind: Declared, public: type[SQLModel], *, what: str) -> None:
    """Confirm and reject (admin) a consultant's declaration of ``kind``, described as ``what``.

    Each kind keeps the paths, operation names and descriptions it had when its routes were written out
    one by one, so the OpenAPI describes the same operations.
    """
    path = f"/consultants/{{consultant_id}}/{kind.value}s/{{{kind.value}_id}}"
    RecordId = Annotated[int, Path(alias=f"{kind.value}_id", ge=1, le=MAX_ID)]

    def confirmed(consultant_id: Id, record_id: RecordId, session: SessionDep, actor: ListAdmin) -> Any:
        return self_service.confirm(
            session=session, kind=kind, consultant_id=consultant_id, record_id=record_id, actor=actor.email
        )

    def rejected(
        consultant_id: Id, record_id: RecordId, body: RejectIn, session: SessionDep, actor: ListAdmin
    ) -> None:
        self_service.reject(
            session=session,
            kind=kind,
            consultant_id=consultant_id,
            record_id=record_id,
            reason=body.reason,
            actor=actor.email,
        )

    routes: list[tuple[str, Any, str, dict[str, Any]]] = [
        (
            "confirm",
            confirmed,
            f"Confirm a self-declared {what}: from now on it counts as evidence (it may block).",
            {"response_model": public},
        ),
        (
            "reject",
            rejected,
            f"Reject a self-declared {what}, with the reason: it is deleted; the audit log keeps it.",
            {"responses": CONFIRMED, **NO_CONTENT},
        ),
    ]
    for action, answer, description, answered in routes:
        router.add_api_route(
            f"{path}/{action}",
            answer,
            methods=["POST"],
            name=f"{action}_{kind.value}",
            description=description,
            **answered,
        )


_declaration_routes(Declared.engagement, EngagementPublic, what="tie")
_declaration_routes(Declared.interest, InterestPublic, what="interest")


@router.patch("/consultants/{consultant_id}/availability")
def set_availability(
    consultant_id: Id, body: AvailabilityUpdate, session: SessionDep, actor: ListAdmin
) -> AvailabilityOut:
    """Set a consultant's capacity and/or periods away for them (the list sent replaces those held)."""
    changed = self_service.set_availability(
        session=session, consultant_id=consultant_id, data=body, actor=actor.email, today=clock.today()
    )
    return AvailabilityOut(capacity=changed.capacity, away=changed.away)
