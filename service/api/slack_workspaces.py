"""The Slack workspaces the service knows of and the partnerships each serves (list admins, who run the
regional service): a request relayed from a workspace sees only the partnerships it serves."""

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from service import slack_partnerships
from service.access import ListAdmin
from service.db import SessionDep, UnitOfWorkRoute
from service.slack_partnerships import ServingWorkspace

router = APIRouter(prefix="/api/v1/slack/workspaces", tags=["slack"], route_class=UnitOfWorkRoute)
TeamId = Annotated[str, Path(min_length=2, max_length=32, pattern=r"^[Tt][A-Za-z0-9]{1,31}$")]
Prefix = Annotated[str, Field(min_length=2, max_length=6, pattern=r"^[A-Za-z]{2,6}$")]


class WorkspaceOut(BaseModel):
    team_id: str | None = Field(description="its team id; null: the deployment's own workspace")
    team_name: str | None = Field(description="its name, as Slack gave it when the workspace added the app")
    own: bool = Field(description="the deployment's own workspace")
    partnerships: list[str] = Field(
        description="the prefixes of the partnerships it serves; empty: every one (the own workspace) or "
        "none (another)"
    )
    serves_all: bool = Field(description="whether it serves every partnership")


class WorkspacePartnershipsIn(BaseModel):
    partnerships: list[Prefix] = Field(
        max_length=100,
        description="the prefixes of the partnerships it serves, replacing those it served; empty: every "
        "one for the own workspace, none for another",
    )


def _out(found: ServingWorkspace) -> WorkspaceOut:
    return WorkspaceOut(
        team_id=None if found.own else found.team,
        team_name=found.name,
        own=found.own,
        partnerships=[p.prefix for p in found.partnerships],
        serves_all=found.own and not found.partnerships,
    )


@router.get("")
def list_workspaces(session: SessionDep, _: ListAdmin) -> list[WorkspaceOut]:
    """The deployment's own workspace, each that added the app and each mapped, with what each serves."""
    return [_out(found) for found in slack_partnerships.workspaces(session)]


@router.put("/{team_id}/partnerships")
def map_workspace(
    team_id: TeamId, body: WorkspacePartnershipsIn, session: SessionDep, admin: ListAdmin
) -> WorkspaceOut:
    """Set the partnerships workspace ``team_id`` serves (it may not have added the app yet); 404 for a
    prefix no partnership has."""
    team = slack_partnerships.team_key(team_id)
    slack_partnerships.set_served(session, team=team, prefixes=body.partnerships, actor=admin.email)
    return _out(slack_partnerships.workspace(session, team))
