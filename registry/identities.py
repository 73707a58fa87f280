"""Slack identities: one Slack account (a workspace and a member id in it) belongs to one record, a board
user or a consultant.

The table lives with the approved list (a consultant is the commoner holder) and names the board users'
table only by its foreign key, so the registry needs nothing from the service to keep an account unique.
"""

from typing import TYPE_CHECKING, Any

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel

# The workspace of an account linked without naming one: the deployment's own workspace. It is the team
# named by SCR_SLACK_TEAM_ID or, in a single-workspace deployment without that setting, the one workspace
# the bot serves (``service.slack_settings.slack_team_key`` says which teams it stands for). Links made before
# workspaces were recorded have it too. Slack team ids are capitals and digits, so it names no real team.
OWN_WORKSPACE = "own"


class SlackIdentity(SQLModel, table=True):
    """A Slack account, a workspace (``team_id``) and a member id in it, and the one record it belongs
    to: a board user or a consultant.

    Member ids belong to a workspace: the same id in two workspaces is two people, so the pair is the
    key. The database keeps it one person's: the pair is unique, a holder has at most one row, and the
    CHECK says each row has exactly one holder, so no race, import or direct write can give one Slack
    account to two records.
    """

    __tablename__ = "slack_identity"
    __table_args__ = (
        CheckConstraint("(user_id IS NULL) <> (consultant_id IS NULL)", name="ck_slack_identity_one_holder"),
        UniqueConstraint("team_id", "slack_user_id", name="uq_slack_identity_team_member"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(default=OWN_WORKSPACE, max_length=32)
    slack_user_id: str = Field(max_length=32, index=True)
    user_id: int | None = Field(
        default=None, foreign_key="app_user.id", ondelete="CASCADE", unique=True, index=True
    )
    consultant_id: int | None = Field(
        default=None, foreign_key="consultant.id", ondelete="CASCADE", unique=True, index=True
    )


# How a holder reaches its row: loaded with the holder in one more query per page of holders.
HELD_IDENTITY = {"uselist": False, "lazy": "selectin", "cascade": "all, delete-orphan", "single_parent": True}


class SlackHolder:
    """A table whose records may hold a Slack identity (``User``, ``Consultant``).

    ``slack_user_id`` reads and writes the record's ``SlackIdentity`` row, so code that treats the id as
    a field of the record (constructors, ``setattr``, Public schemas read ``from_attributes``) goes
    through the table that keeps it unique; an id set that way keeps its workspace (the own workspace
    for a new link). ``link_slack`` names the workspace too. Check who holds an account first
    (``registry.slack_ids``) to refuse a clash in words; the database refuses it anyway.
    """

    if TYPE_CHECKING:
        slack_identity: SlackIdentity | None

    def __init__(self, **data: Any) -> None:
        slack_user_id = data.pop("slack_user_id", None)
        team_id = data.pop("slack_team_key", None) or OWN_WORKSPACE
        super().__init__(**data)
        if slack_user_id:
            self.link_slack(slack_user_id, team_id=team_id)

    @property
    def slack_user_id(self) -> str | None:
        return None if self.slack_identity is None else self.slack_identity.slack_user_id

    @slack_user_id.setter
    def slack_user_id(self, value: str | None) -> None:
        """Set, change or (with None or an empty id) remove the record's Slack identity, in its workspace."""
        self.link_slack(value, team_id=self.slack_team_key)

    @property
    def slack_team_key(self) -> str:
        """The workspace of the record's Slack account as stored (``OWN_WORKSPACE`` or a team id)."""
        return OWN_WORKSPACE if self.slack_identity is None else self.slack_identity.team_id

    @property
    def slack_team_id(self) -> str | None:
        """The workspace of the record's Slack account; None for the deployment's own workspace (or none)."""
        key = self.slack_team_key
        return None if key == OWN_WORKSPACE else key

    def link_slack(self, slack_user_id: str | None, *, team_id: str) -> None:
        """Link the record to member ``slack_user_id`` of workspace ``team_id`` (a key from
        ``service.slack_settings.slack_team_key``), or unlink it (None or an empty id)."""
        if not slack_user_id:
            self.slack_identity = None
        elif self.slack_identity is None:
            self.slack_identity = SlackIdentity(team_id=team_id, slack_user_id=slack_user_id)
        else:
            self.slack_identity.team_id = team_id
            self.slack_identity.slack_user_id = slack_user_id
