"""Slack identities: one Slack member id belongs to one record, a board user or a consultant.

The table lives with the approved list (a consultant is the commoner holder) and names the board users'
table only by its foreign key, so the registry needs nothing from the service to keep an id unique.
"""

from typing import TYPE_CHECKING, Any

from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel


class SlackIdentity(SQLModel, table=True):
    """A Slack member id and the one record it belongs to: a board user or a consultant.

    The database keeps it one person's: the id is unique, a holder has at most one row, and the CHECK
    says each row has exactly one holder, so no race, import or direct write can give one Slack account
    to two records. The service serves one workspace today; when partnerships share it, a workspace
    column joins the key (unique together with ``slack_user_id``) and the holders stay as they are.
    """

    __tablename__ = "slack_identity"
    __table_args__ = (
        CheckConstraint("(user_id IS NULL) <> (consultant_id IS NULL)", name="ck_slack_identity_one_holder"),
    )

    id: int | None = Field(default=None, primary_key=True)
    slack_user_id: str = Field(max_length=32, unique=True, index=True)
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
    through the table that keeps it unique. Check who holds an id first (``registry.slack_ids``) to
    refuse a clash in words; the database refuses it anyway.
    """

    if TYPE_CHECKING:
        slack_identity: SlackIdentity | None

    def __init__(self, **data: Any) -> None:
        slack_user_id = data.pop("slack_user_id", None)
        super().__init__(**data)
        if slack_user_id:
            self.slack_user_id = slack_user_id

    @property
    def slack_user_id(self) -> str | None:
        return None if self.slack_identity is None else self.slack_identity.slack_user_id

    @slack_user_id.setter
    def slack_user_id(self, value: str | None) -> None:
        """Set, change or (with None or an empty id) remove the record's Slack identity."""
        if not value:
            self.slack_identity = None
        elif self.slack_identity is None:
            self.slack_identity = SlackIdentity(slack_user_id=value)
        else:
            self.slack_identity.slack_user_id = value
