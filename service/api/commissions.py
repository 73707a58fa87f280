"""Commissioning a consultant for a case, their declaration of independence, and what follows."""

from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Response, status
from sqlmodel import Session

from commissioning import commissions
from commissioning.models import SignedStatement
from commissioning.workflow import Action
from core import clock
from registry.models import Consultant
from service.access import (
    CaseCommissioner,
    CaseReader,
    CommissionAdmin,
    CommissionCommissioner,
    CommissionReader,
)
from service.api.params import Id, Ref
from service.api.schemas import (
    CommissionIn,
    CommissionOut,
    ConfirmIn,
    DeclarationIn,
    ReasonIn,
    RecordedDeclarationIn,
)
from service.auth import CurrentUser, SlackTeamHeader, relayed_from_slack
from service.db import SessionDep, UnitOfWorkRoute
from service.models import Role, User
from service.policy import case_policy
from service.slack_settings import slack_team_key

router = APIRouter(prefix="/api/v1", tags=["commissions"], route_class=UnitOfWorkRoute)


def _out(view: commissions.CommissionView) -> CommissionOut:
    return CommissionOut.model_validate(view.to_json())


def _consultants_voice(
    session: Session,
    commission_id: int,
    actor: User,
    slack_user_id: str | None,
    slack_team_id: str | None,
    *,
    refused: str,
) -> str:
    """Who the audit log says answered for the consultant: only the consultant answers for themselves,
    through the bot, which relays their answer from their own Slack account (the Slack id on their record,
    in the workspace the bot names in ``X-Slack-Team-Id``; the log records the Slack user it relayed).
    Anyone else is refused with ``refused``, which names the consultant (``{consultant}``) and what the
    caller may do instead."""
    view = commissions.get_commission(session=session, commission_id=commission_id)
    if actor.role != Role.bot:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail=refused.format(consultant=view.consultant_name, commission_id=commission_id),
        )
    consultant = session.get(Consultant, view.commission.consultant_id)
    if (
        consultant is None
        or not slack_user_id
        or consultant.slack_user_id != slack_user_id
        or consultant.slack_team_key != slack_team_key(slack_team_id)
    ):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail="Only the commissioned consultant can answer for this commission, from their own Slack "
            "account.",
        )
    relayed_from_slack(session, slack_user_id, slack_team_id)
    return commissions.relayed(actor.email, slack_user_id)


def _declared(
    session: Session,
    commission_id: int,
    body: DeclarationIn | RecordedDeclarationIn,
    *,
    actor: str,
    signed: SignedStatement | None = None,
) -> CommissionOut:
    """The declaration ``body`` made, in ``actor``'s voice (from a ``signed`` statement, when recorded)."""
    declared = commissions.declare(
        session=session,
        commission_id=commission_id,
        agencies=body.agencies,
        no_conflict=body.no_conflict,
        statement=body.statement,
        actor=actor,
        signed=signed,
    )
    return _out(declared)


def _ended(
    session: Session, commission_id: int, action: Action, body: ReasonIn, *, actor: str
) -> CommissionOut:
    ended = commissions.end(
        session=session, commission_id=commission_id, action=action, reason=body.reason, actor=actor
    )
    return _out(ended)


ONLY_THEY_DECLARE = (
    "Only {consultant}, the consultant commissioned, can make their declaration of independence: they "
    "answer the request in their Slack direct messages. If they signed one on paper or by email, an admin "
    "records it as such, with the statement's date and where it is kept (POST "
    "/api/v1/commissions/{commission_id}/declaration/recorded, or the case's page in the admin pages)."
)
ONLY_THEY_DECLINE = (
    "Only {consultant}, the consultant commissioned, can decline this commission on their own behalf, from "
    "their declaration request in Slack. If the board no longer needs them, a commissioner withdraws it "
    "with the reason (POST /api/v1/commissions/{commission_id}/withdraw)."
)


@router.post("/cases/{ref}/commissions", status_code=status.HTTP_201_CREATED)
def create_commission(
    ref: Ref,
    body: CommissionIn,
    response: Response,
    session: SessionDep,
    actor: CaseCommissioner,
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
        policy=case_policy(session, ref=ref),
        today=clock.today(),
        idempotency_key=idempotency_key,
    )
    if not created.created:
        response.status_code = status.HTTP_200_OK
    return _out(created.view)


@router.get("/cases/{ref}/commissions")
def list_commissions(ref: Ref, session: SessionDep, _: CaseReader) -> list[CommissionOut]:
    return [_out(view) for view in commissions.list_commissions(session=session, ref=ref)]


@router.get("/commissions/{commission_id}")
def get_commission(commission_id: Id, session: SessionDep, _: CommissionReader) -> CommissionOut:
    return _out(commissions.get_commission(session=session, commission_id=commission_id))


@router.post("/commissions/{commission_id}/declaration")
def declare(
    commission_id: Id,
    body: DeclarationIn,
    session: SessionDep,
    actor: CurrentUser,
    x_slack_team_id: SlackTeamHeader = None,
) -> CommissionOut:
    """The consultant declares no conflict with each agency in the case, or declares a conflict.

    Only the consultant, through the Slack bot (``slack_user_id`` the Slack id on their record); anyone
    else gets 403. An admin records a declaration signed on paper or by email with ``.../recorded``.
    """
    voice = _consultants_voice(
        session, commission_id, actor, body.slack_user_id, x_slack_team_id, refused=ONLY_THEY_DECLARE
    )
    return _declared(session, commission_id, body, actor=voice)


@router.post("/commissions/{commission_id}/declaration/recorded")
def record_signed_declaration(
    commission_id: Id, body: RecordedDeclarationIn, session: SessionDep, actor: CommissionAdmin
) -> CommissionOut:
    """Record a declaration the consultant signed on paper or by email, as such (admin).

    It stands as the consultant's declaration, recorded by the board from their signed statement: the
    record keeps who recorded it, the statement's date and where it is kept, and the terms of reference
    say so.
    """
    signed = SignedStatement(signed_on=body.signed_on, reference=body.reference)
    return _declared(session, commission_id, body, actor=actor.email, signed=signed)


@router.post("/commissions/{commission_id}/confirm")
def confirm(
    commission_id: Id, body: ConfirmIn, session: SessionDep, actor: CommissionCommissioner
) -> CommissionOut:
    """Confirm a declared commission; the checks run again first."""
    return _out(
        commissions.confirm(
            session=session,
            commission_id=commission_id,
            actor=actor.email,
            policy=case_policy(session, commission_id=commission_id),
            today=clock.today(),
            reason=body.reason,
        )
    )


@router.post("/commissions/{commission_id}/decline")
def decline(
    commission_id: Id,
    body: ReasonIn,
    session: SessionDep,
    actor: CurrentUser,
    x_slack_team_id: SlackTeamHeader = None,
) -> CommissionOut:
    """The consultant turns the commission down: only they, through the Slack bot (a commissioner who no
    longer needs them withdraws it instead)."""
    voice = _consultants_voice(
        session, commission_id, actor, body.slack_user_id, x_slack_team_id, refused=ONLY_THEY_DECLINE
    )
    return _ended(session, commission_id, Action.decline, body, actor=voice)


@router.post("/commissions/{commission_id}/withdraw")
def withdraw(
    commission_id: Id, body: ReasonIn, session: SessionDep, actor: CommissionCommissioner
) -> CommissionOut:
    """The commissioner takes the commission back."""
    return _ended(session, commission_id, Action.withdraw, body, actor=actor.email)
