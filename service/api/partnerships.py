"""Partnerships over HTTP: listing and reading them, adding and changing one (list admins), the
partnerships contributing to a case (the lead's commissioners and admins), and a partnership's local notes
about consultants (its own commissioners and admins)."""

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response, status
from pydantic import BaseModel, Field

from commissioning import partnerships
from commissioning.models import Case, ConsultantLocalNote, Partnership
from core.values import Line, OptionalLine, Text
from service.access import (
    CaseCommissioner,
    GrantsDep,
    ListAdmin,
    PartnershipCommissioner,
    Prefix,
    require_case_role,
)
from service.api.params import MAX_ID, Ref
from service.auth import CurrentUser
from service.db import SessionDep, UnitOfWorkRoute
from service.models import Role

router = APIRouter(prefix="/api/v1", tags=["partnerships"], route_class=UnitOfWorkRoute)
NO_CONTENT: dict[str, Any] = {"status_code": status.HTTP_204_NO_CONTENT, "response_class": Response}
Area = Annotated[str, Field(min_length=1, max_length=100)]


class PartnershipOut(BaseModel):
    name: str
    prefix: str
    areas: list[str] = Field(description="the local-authority areas it covers, as slugs (city-of-london)")
    reminder_channel: str | None
    admin_channel: str | None
    policy: dict[str, Any] = Field(
        description="its own values of the local policy settings: independence_policy, retention_years, "
        "reminder_lead_days"
    )


class PartnershipIn(BaseModel):
    name: Line = Field(min_length=1, max_length=200)
    prefix: str = Field(min_length=2, max_length=6, pattern=r"^[A-Za-z]{2,6}$")
    areas: list[Area] = Field(default_factory=list, max_length=100)
    reminder_channel: OptionalLine = Field(default=None, max_length=80)
    admin_channel: OptionalLine = Field(default=None, max_length=80)
    policy: dict[str, Any] = Field(default_factory=dict)


class PartnershipChange(BaseModel):
    name: OptionalLine = Field(default=None, max_length=200)
    areas: list[Area] | None = Field(default=None, max_length=100, description="replaces the areas")
    reminder_channel: OptionalLine = Field(default=None, max_length=80)
    admin_channel: OptionalLine = Field(default=None, max_length=80)
    policy: dict[str, Any] | None = None


class NoteIn(BaseModel):
    consultant_id: int = Field(ge=1, le=MAX_ID)
    reason: Text = Field(min_length=3, max_length=1000)


class NoteOut(BaseModel):
    id: int
    consultant_id: int
    reason: str
    recorded_by: str
    recorded_at: dt.datetime


def _out(found: partnerships.PartnershipView) -> PartnershipOut:
    return PartnershipOut.model_validate(found.to_json())


def _note_out(note: ConsultantLocalNote) -> NoteOut:
    return NoteOut.model_validate(note, from_attributes=True)


@router.get("/partnerships")
def list_partnerships(session: SessionDep, _: CurrentUser) -> list[PartnershipOut]:
    """Every partnership, with the areas it covers: what decides which one leads a case."""
    return [_out(found) for found in partnerships.list_partnerships(session)]


@router.post("/partnerships", status_code=status.HTTP_201_CREATED)
def add_partnership(body: PartnershipIn, session: SessionDep, actor: ListAdmin) -> PartnershipOut:
    """Add a partnership (list admins); 409 if its name or prefix is taken or an area is another's."""
    return _out(
        partnerships.add_partnership(
            session,
            name=body.name,
            prefix=body.prefix,
            areas=body.areas,
            actor=actor.email,
            reminder_channel=body.reminder_channel,
            admin_channel=body.admin_channel,
            policy=body.policy,
        )
    )


@router.get("/partnerships/{prefix}")
def get_partnership(prefix: Prefix, session: SessionDep, _: CurrentUser) -> PartnershipOut:
    return _out(partnerships.view(session, partnerships.by_prefix(session, prefix)))


@router.patch("/partnerships/{prefix}")
def change_partnership(
    prefix: Prefix, body: PartnershipChange, session: SessionDep, actor: ListAdmin
) -> PartnershipOut:
    """Change a partnership's name, areas, channels or policy (list admins). Its prefix stays."""
    changes = body.model_dump(exclude_unset=True)
    return _out(partnerships.change_partnership(session, prefix=prefix, changes=changes, actor=actor.email))


@dataclass(frozen=True)
class Contribution:
    """The case and the partnership a contribution route names, and who asks."""

    case: Case
    partnership: Partnership
    actor: str


def _contribution(
    ref: Ref,
    prefix: Prefix,
    request: Request,
    session: SessionDep,
    actor: CaseCommissioner,
    grants: GrantsDep,
) -> Contribution:
    """Only the lead partnership's commissioners and admins say which partnerships contribute to a case."""
    case = require_case_role(request, session, grants, ref, (Role.commissioner, Role.admin)).case
    return Contribution(case, partnerships.by_prefix(session, prefix), actor.email)


ContributionDep = Annotated[Contribution, Depends(_contribution)]


@router.post("/cases/{ref}/partnerships/{prefix}", **NO_CONTENT)
def add_contributor(contribution: ContributionDep, session: SessionDep) -> None:
    """Have another partnership contribute to the case (its people read it); the lead partnership's
    commissioners and admins."""
    partnerships.add_contributor(
        session, case=contribution.case, partnership=contribution.partnership, actor=contribution.actor
    )


@router.delete("/cases/{ref}/partnerships/{prefix}", **NO_CONTENT)
def remove_contributor(contribution: ContributionDep, session: SessionDep) -> None:
    """A partnership no longer contributes to the case."""
    partnerships.remove_contributor(
        session, case=contribution.case, partnership=contribution.partnership, actor=contribution.actor
    )


@router.get("/partnerships/{prefix}/consultant-notes")
def list_notes(session: SessionDep, partnership: PartnershipCommissioner) -> list[NoteOut]:
    """The partnership's local reasons not to use consultants (its commissioners and admins)."""
    return [_note_out(note) for note in partnerships.notes(session, partnership_id=partnership.id or 0)]


@router.post("/partnerships/{prefix}/consultant-notes", status_code=status.HTTP_201_CREATED)
def add_note(
    body: NoteIn, session: SessionDep, partnership: PartnershipCommissioner, actor: CurrentUser
) -> NoteOut:
    """Note a local reason not to use a consultant: a warning to this partnership's commissioners on the
    shortlist. The consultant stays on the shared list."""
    return _note_out(
        partnerships.add_note(
            session,
            partnership=partnership,
            consultant_id=body.consultant_id,
            reason=body.reason,
            actor=actor.email,
        )
    )


@router.delete("/partnerships/{prefix}/consultant-notes/{note_id}", **NO_CONTENT)
def delete_note(
    note_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    session: SessionDep,
    partnership: PartnershipCommissioner,
    actor: CurrentUser,
) -> None:
    partnerships.delete_note(session, partnership=partnership, note_id=note_id, actor=actor.email)
