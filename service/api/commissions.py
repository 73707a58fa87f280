"""Commissioning a consultant for a case, their declaration of independence, and what follows."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Response, status
from sqlmodel import Session

from commissioning import commissions
from commissioning.workflow import Action
from registry.models import Consultant
from service.api.params import Id, Ref
from service.api.schemas import CommissionIn, CommissionOut, ConfirmIn, DeclarationIn, ReasonIn
from service.auth import AnyUser, CommissionerUser, relayed_from_slack, require_role
from service.db import SessionDep, UnitOfWorkRoute
from service.models import Role, User
from service.policy import PolicyDep

router = APIRouter(prefix="/api/v1", tags=["commissions"], route_class=UnitOfWorkRoute)

# The consultant's own answers come through the Slack bot; a commissioner may record them from a form.
ConsultantVoice = Annotated[User, Depends(require_role(Role.commissioner, Role.admin, Role.bot))]


def _out(view: commissions.CommissionView) -> CommissionOut:
    return CommissionOut.model_validate(view.to_json())


def _consultants_voice(session: Session, commission_id: int, actor: User, slack_user_id: str | None) -> str:
    """Who the audit log says answered for the consultant. The bot may only relay the consultant's own
    answer: their Slack id must be the one on file, and the log records the Slack user it relayed."""
    if actor.role != Role.bot:
        return actor.email
    view = commissions.get_commission(session=session, commission_id=commission_id)
    consultant = session.get(Consultant, view.commission.consultant_id)
    if consultant is None or not slack_user_id or consultant.slack_user_id != slack_user_id:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail="Only the commissioned consultant can answer for this commission, from their own Slack "
            "account.",
        )
    relayed_from_slack(session, slack_user_id)
    return f"{actor.email} for Slack user {slack_user_id}"


@router.post("/cases/{ref}/commissions", status_code=status.HTTP_201_CREATED)
def create_commission(
    ref: Ref,
    body: CommissionIn,
    response: Response,
    session: SessionDep,
    actor: CommissionerUser,
    policy: PolicyDep,
    idempotency_key: Annotated[str | None, Header(max_length=128)] = None,
) -> CommissionOut:
    """Commission a consultant (409 with the findings if a check blocks or they are full).

    Send an ``Idempotency-Key`` header to make retries safe: the same key and request return the same
    commission (200), the same key with a different request is refused (409).
    """
    created = commissions.commission(
        session=session,
        ref=ref,
        consultant_id=body.consultant_id,
        role=body.role,
        actor=actor.email,
        policy=policy,
        today=date.today(),
        idempotency_key=idempotency_key,
    )
    if not created.created:
        response.status_code = status.HTTP_200_OK
    return _out(created.view)


@router.get("/cases/{ref}/commissions")
def list_commissions(ref: Ref, session: SessionDep, _: AnyUser) -> list[CommissionOut]:
    return [_out(view) for view in commissions.list_commissions(session=session, ref=ref)]


@router.get("/commissions/{commission_id}")
def get_commission(commission_id: Id, session: SessionDep, _: AnyUser) -> CommissionOut:
    return _out(commissions.get_commission(session=session, commission_id=commission_id))


@router.post("/commissions/{commission_id}/declaration")
def declare(
    commission_id: Id, body: DeclarationIn, session: SessionDep, actor: ConsultantVoice
) -> CommissionOut:
    """The consultant declares no conflict with each agency in the case, or declares a conflict."""
    voice = _consultants_voice(session, commission_id, actor, body.slack_user_id)
    return _out(
        commissions.declare(
            session=session,
            commission_id=commission_id,
            agencies=body.agencies,
            no_conflict=body.no_conflict,
            statement=body.statement,
            actor=voice,
        )
    )


@router.post("/commissions/{commission_id}/confirm")
def confirm(
    commission_id: Id, body: ConfirmIn, session: SessionDep, actor: CommissionerUser, policy: PolicyDep
) -> CommissionOut:
    """Confirm a declared commission; the checks run again first."""
    return _out(
        commissions.confirm(
            session=session,
            commission_id=commission_id,
            actor=actor.email,
            policy=policy,
            today=date.today(),
            reason=body.reason,
        )
    )


@router.post("/commissions/{commission_id}/decline")
def decline(commission_id: Id, body: ReasonIn, session: SessionDep, actor: ConsultantVoice) -> CommissionOut:
    """The consultant turns the commission down."""
    voice = _consultants_voice(session, commission_id, actor, body.slack_user_id)
    return _out(
        commissions.end(
            session=session,
            commission_id=commission_id,
            action=Action.decline,
            reason=body.reason,
            actor=voice,
        )
    )


@router.post("/commissions/{commission_id}/withdraw")
def withdraw(
    commission_id: Id, body: ReasonIn, session: SessionDep, actor: CommissionerUser
) -> CommissionOut:
    """The commissioner takes the commission back."""
    return _out(
        commissions.end(
            session=session,
            commission_id=commission_id,
            action=Action.withdraw,
            reason=body.reason,
            actor=actor.email,
        )
    )
