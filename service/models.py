"""The service's own tables: users, their roles in partnerships and their Slack identities, admin-page
sessions, the sign-in throttle and CSV import previews."""

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import EmailStr
from sqlalchemy import String, Text
from sqlmodel import Field, Relationship, SQLModel

from core.clock import utcnow
from core.values import Line, OptionalLine
from registry.identities import HELD_IDENTITY, SlackHolder, SlackIdentity
from registry.models import SLACK_USER_ID, Input


class Role(StrEnum):
    """A user's standing. ``User.role`` holds the regional one (list admin, analyst, the bot, an agency's
    contact for chronologies, a commissioned reviewer, or member: a person whose roles are all held in
    partnerships); admin, commissioner and chair are held in a partnership (``PartnershipRole``)."""

    list_admin = "list_admin"
    analyst = "analyst"
    member = "member"
    bot = "bot"
    agency_contact = "agency_contact"
    reviewer = "reviewer"
    admin = "admin"
    commissioner = "commissioner"
    chair = "chair"


REGIONAL_ROLES: tuple[Role, ...] = (
    Role.list_admin,
    Role.analyst,
    Role.member,
    Role.bot,
    Role.agency_contact,
    Role.reviewer,
)
PARTNERSHIP_ROLES: tuple[Role, ...] = (Role.admin, Role.commissioner, Role.chair)
ROLE_WORDS: dict[Role, str] = {
    Role.list_admin: "list admin",
    Role.analyst: "analyst",
    Role.member: "member of a partnership",
    Role.bot: "the Slack bot",
    Role.agency_contact: "agency contact",
    Role.reviewer: "reviewer",
    Role.admin: "admin",
    Role.commissioner: "commissioner",
    Role.chair: "chair",
}


class PartnershipRole(SQLModel, table=True):
    """A role a user holds in one partnership: a person may chair one and commission for another."""

    __tablename__ = "partnership_role"

    user_id: int = Field(foreign_key="app_user.id", primary_key=True, ondelete="CASCADE")
    partnership_id: int = Field(
        foreign_key="partnership.id", primary_key=True, index=True, ondelete="CASCADE"
    )
    role: Role = Field(sa_type=String(16), primary_key=True)


class SlackWorkspacePartnership(SQLModel, table=True):
    """A partnership a Slack workspace serves, the workspace by its key (``registry.identities.OWN_WORKSPACE``
    or a team id): ``service.slack_partnerships`` keeps them."""

    __tablename__ = "slack_workspace_partnership"

    team_id: str = Field(primary_key=True, max_length=32)
    partnership_id: int = Field(
        foreign_key="partnership.id", primary_key=True, index=True, ondelete="CASCADE"
    )
    mapped_at: datetime = Field(default_factory=utcnow)


class UserBase(SQLModel):
    email: EmailStr = Field(max_length=254, unique=True, index=True)
    role: Role = Field(sa_type=String(16))
    display_name: str | None = Field(
        default=None, max_length=200, description="the name people see; until it is set, the email stands in"
    )


class User(SlackHolder, UserBase, table=True):
    __tablename__ = "app_user"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str | None = Field(default=None, max_length=64, unique=True, index=True)
    password_hash: str | None = Field(default=None, max_length=255)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    agency_id: str | None = Field(
        default=None,
        foreign_key="agency.id",
        index=True,
        max_length=64,
        ondelete="SET NULL",
        description="an agency contact's agency",
    )
    consultant_id: int | None = Field(
        default=None,
        foreign_key="consultant.id",
        unique=True,
        ondelete="SET NULL",
        description="a reviewer's consultant record",
    )
    slack_identity: SlackIdentity | None = Relationship(
        sa_relationship_kwargs={**HELD_IDENTITY, "foreign_keys": "[SlackIdentity.user_id]"}
    )

    @property
    def shown_name(self) -> str:
        """How people see this user named: their display name, or their email until they have one."""
        return self.display_name or self.email


class UserPublic(UserBase):
    id: int
    active: bool
    slack_user_id: str | None = None
    slack_team_id: str | None = None  # the workspace of slack_user_id; None: the deployment's own
    agency_id: str | None = None  # an agency contact's agency
    consultant_id: int | None = None  # a reviewer's consultant record


# What an admin types on the users page. The bot's own user is not a person: it is added from the command
# line, which prints the token it runs with.
PersonRole = Literal[
    Role.list_admin, Role.analyst, Role.agency_contact, Role.admin, Role.commissioner, Role.chair
]
PERSON_ROLES: tuple[Role, ...] = (
    Role.list_admin,
    Role.analyst,
    Role.agency_contact,
    Role.admin,
    Role.commissioner,
    Role.chair,
)


class DisplayName(Input):
    display_name: Line = Field(min_length=1, max_length=200)


class SlackLink(Input):
    slack_user_id: Line = Field(min_length=1, max_length=32, schema_extra={"pattern": SLACK_USER_ID})


class UserCreate(DisplayName, Input):
    """A person added from the users page, with the Slack member id they use the bot with, if any."""

    email: EmailStr = Field(max_length=254)
    role: PersonRole
    partnership: OptionalLine = Field(
        default=None,
        max_length=6,
        description="the prefix of the partnership an admin, commissioner or chair serves",
    )
    agency: OptionalLine = Field(default=None, max_length=200, description="an agency contact's agency")
    slack_user_id: OptionalLine = Field(default=None, max_length=32, schema_extra={"pattern": SLACK_USER_ID})


class PageSession(SQLModel, table=True):
    """A signed-in browser on the admin pages. Its cookie holds a random id; only a keyed hash of it is
    kept here, so a copy of the table opens nothing, and deleting the row ends the session everywhere."""

    __tablename__ = "page_session"

    id_hash: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="app_user.id", ondelete="CASCADE", index=True)
    csrf: str = Field(max_length=64)
    notice: str | None = Field(default=None, max_length=500)  # a confirmation waiting for the next page
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime = Field(index=True)


class SignInFailure(SQLModel, table=True):
    """Recent failed sign-ins for one account or one address, shared by every worker and replica.

    The key is a keyed hash of the email or address, so the table holds no one's typing (a password typed
    into the email box, say).
    """

    __tablename__ = "sign_in_failure"

    key_hash: str = Field(primary_key=True, max_length=64)
    kind: str = Field(max_length=16)  # "account" or "address"
    failures: int
    last_failed_at: datetime = Field(index=True)


class ImportPreview(SQLModel, table=True):
    """A CSV file an admin has previewed, kept until they import it (or it expires) so the commit step posts
    only its SHA-256 rather than the whole file, and any worker or replica can finish the import."""

    __tablename__ = "import_preview"

    sha256: str = Field(primary_key=True, max_length=64)
    csv_text: str = Field(sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, index=True)
