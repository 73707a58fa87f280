"""Which partnerships each Slack workspace serves: a request relayed from a workspace sees those alone.

A partnership may live in a Slack workspace of its own. Each workspace is mapped to the partnerships it
serves (``slack_workspace_partnership``); whoever is linked in it reaches, through Slack, the cases and
roles of those partnerships and no others, whatever roles they hold elsewhere (``service.access``
narrows their grants). The deployment's own workspace serves every partnership until it is mapped to
some; any other workspace serves none until it is mapped, so a workspace that has just added the app
sees nothing.

Workspaces are stored by their key (``service.slack_settings.slack_team_key``): the own workspace as
``OWN_WORKSPACE``, another by its team id. A mapping may be made before the workspace adds the app.
A partnership's Slack channels (reminders) are in the workspace mapped to it (the first mapped, if
several are), else in the own workspace.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from commissioning import partnerships
from commissioning.models import Partnership
from core import audit
from core.errors import Invalid
from registry.identities import OWN_WORKSPACE
from service.models import SlackWorkspacePartnership
from service.slack_settings import slack_team_key

TEAM_ID = re.compile(r"^T[A-Z0-9]{1,31}$")


def team_key(team_id: str) -> str:
    """The stored key of the workspace a person names by its team id (T0123...); Invalid for anything else."""
    team_id = team_id.strip().upper()
    if not TEAM_ID.match(team_id):
        raise Invalid(
            "A Slack workspace is named by its team id: T followed by capitals and digits, like T0123ABCD "
            "(in Slack: the workspace menu, then Settings, or the start of the workspace's address).",
            [{"loc": ["team_id"], "msg": "must be a Slack team id, T..."}],
        )
    return slack_team_key(team_id)


def served_by(session: Session, team: str) -> frozenset[int] | None:
    """The ids of the partnerships workspace ``team`` (a key) serves; None for every one (the own
    workspace while it is mapped to none)."""
    ids = frozenset(
        session.exec(
            select(SlackWorkspacePartnership.partnership_id).where(SlackWorkspacePartnership.team_id == team)
        ).all()
    )
    if not ids and team == OWN_WORKSPACE:
        return None
    return ids


def _prefixes(session: Session, team: str) -> list[str]:
    return list(
        session.exec(
            select(Partnership.prefix)
            .join(SlackWorkspacePartnership, col(SlackWorkspacePartnership.partnership_id) == Partnership.id)
            .where(SlackWorkspacePartnership.team_id == team)
            .order_by(col(Partnership.prefix))
        ).all()
    )


def set_served(session: Session, *, team: str, prefixes: Sequence[str], actor: str) -> list[Partnership]:
    """Have workspace ``team`` (a key) serve exactly the partnerships ``prefixes`` name (none: the own
    workspace serves every one again, another serves none); NotFound for an unknown prefix."""
    wanted = {p.id: p for p in (partnerships.by_prefix(session, prefix) for prefix in prefixes)}
    before = _prefixes(session, team)
    rows = session.exec(
        select(SlackWorkspacePartnership).where(SlackWorkspacePartnership.team_id == team)
    ).all()
    for row in rows:
        if row.partnership_id not in wanted:
            session.delete(row)
    kept = {row.partnership_id for row in rows}
    for pid in wanted:
        if pid not in kept:
            session.add(SlackWorkspacePartnership(team_id=team, partnership_id=pid))
    session.flush()
    after = sorted(p.prefix for p in wanted.values())
    if after != before:
        audit.record(
            session,
            "slack_workspace.partnerships",
            team,
            actor=actor,
            before={"partnerships": before},
            after={"partnerships": after},
        )
    return sorted(wanted.values(), key=lambda p: p.name)


def add_served(session: Session, *, team: str, partnership: Partnership, actor: str) -> None:
    """Have workspace ``team`` (a key) serve ``partnership`` too (the own workspace already does while it
    serves every partnership)."""
    prefixes = _prefixes(session, team)
    if team == OWN_WORKSPACE and not prefixes:
        return
    if partnership.prefix not in prefixes:
        set_served(session, team=team, prefixes=[*prefixes, partnership.prefix], actor=actor)


@dataclass(frozen=True)
class ServingWorkspace:
    """A workspace the service knows of (it added the app, or is mapped), and what it serves."""

    team: str  # its key
    name: str | None  # as Slack named it when it added the app
    partnerships: tuple[Partnership, ...]  # empty: every one (the own workspace) or none (another)

    @property
    def own(self) -> bool:
        return self.team == OWN_WORKSPACE

    def serves_in_words(self) -> str:
        if self.partnerships:
            return ", ".join(f"{p.name} ({p.prefix})" for p in self.partnerships)
        return "every partnership" if self.own else "no partnership yet"


def workspaces(session: Session) -> list[ServingWorkspace]:
    """The own workspace, every workspace that added the app and every one mapped, with what each serves."""
    from service.slack_workspaces import SlackWorkspace  # with slack_sdk: only when workspaces are listed

    mapped: dict[str, list[Partnership]] = {}
    for row, partnership in session.exec(
        select(SlackWorkspacePartnership, Partnership)
        .join(Partnership, col(Partnership.id) == SlackWorkspacePartnership.partnership_id)
        .order_by(col(Partnership.name))
    ).all():
        mapped.setdefault(row.team_id, []).append(partnership)
    names: dict[str, str | None] = {OWN_WORKSPACE: None}
    for workspace in session.exec(select(SlackWorkspace)).all():
        names[slack_team_key(workspace.team_id)] = workspace.team_name
    teams = sorted({*names, *mapped}, key=lambda team: (team != OWN_WORKSPACE, team))
    return [ServingWorkspace(team, names.get(team), tuple(mapped.get(team, ()))) for team in teams]


def workspace(session: Session, team: str) -> ServingWorkspace:
    """Workspace ``team`` (a key) and what it serves, whether or not it added the app."""
    found = next((w for w in workspaces(session) if w.team == team), None)
    return found or ServingWorkspace(team, None, ())


def channel_teams(session: Session, partnership_ids: Iterable[int]) -> dict[int, str]:
    """The workspace (a key) each partnership's Slack channels are in: the first other workspace mapped to
    it, else the own workspace."""
    found = {pid: OWN_WORKSPACE for pid in partnership_ids}
    rows = session.exec(
        select(SlackWorkspacePartnership)
        .where(SlackWorkspacePartnership.team_id != OWN_WORKSPACE)
        .order_by(col(SlackWorkspacePartnership.mapped_at), col(SlackWorkspacePartnership.team_id))
    ).all()
    for row in rows:
        if found.get(row.partnership_id) == OWN_WORKSPACE:
            found[row.partnership_id] = row.team_id
    return found
