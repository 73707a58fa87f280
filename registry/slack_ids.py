"""Who holds a Slack account, and the refusal when someone else already does.

A Slack account is a member id in a workspace (``team_id``, as stored: ``OWN_WORKSPACE`` or a team id);
the same member id in another workspace is another person. One account belongs to one record, a board
user or a consultant (``SlackIdentity``; the database enforces it). Every way of setting an id (the API,
the CSV import, the admin pages, ``scr user add``) checks here first, so a clash is refused with a 409
that names the holder in words a person knows.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import column, table
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from core.errors import Conflict
from registry.identities import SlackIdentity
from registry.models import Consultant

# The board users' table, named as the identity table's foreign key names it: the registry reads a user's
# name (or, until they have one, their email) to say who holds an id, and needs nothing else of the
# service's model.
_USERS = table("app_user", column("id"), column("email"), column("display_name"))


@dataclass(frozen=True)
class Holder:
    """The record a Slack member id belongs to."""

    user_id: int | None
    consultant_id: int | None
    words: str  # "the consultant Jane Smith", "the board user Sam Patel" (or their email, unnamed)

    def is_record(self, *, user_id: int | None = None, consultant_id: int | None = None) -> bool:
        return (user_id is not None and self.user_id == user_id) or (
            consultant_id is not None and self.consultant_id == consultant_id
        )


def holders(session: Session, slack_user_ids: Iterable[str], *, team_id: str) -> dict[str, Holder]:
    """The holder of each of ``slack_user_ids`` in workspace ``team_id`` that has one, in one query."""
    wanted = sorted(set(slack_user_ids))
    if not wanted:
        return {}
    rows = session.exec(
        select(
            SlackIdentity.slack_user_id,
            SlackIdentity.user_id,
            SlackIdentity.consultant_id,
            _USERS.c.email,
            _USERS.c.display_name,
            Consultant.name,
        )
        .outerjoin(_USERS, _USERS.c.id == SlackIdentity.user_id)
        .outerjoin(Consultant, col(Consultant.id) == SlackIdentity.consultant_id)
        .where(SlackIdentity.team_id == team_id, col(SlackIdentity.slack_user_id).in_(wanted))
    )
    return {
        slack_user_id: Holder(
            user_id,
            consultant_id,
            f"the board user {user_name or email}" if user_id is not None else f"the consultant {name}",
        )
        for slack_user_id, user_id, consultant_id, email, user_name, name in rows
    }


def taken_message(slack_user_id: str, holder: Holder) -> str:
    return (
        f"The Slack member id {slack_user_id} already belongs to {holder.words}: one Slack account is "
        "linked to one person. Take it off their record first if it is really this person's."
    )


def taken(slack_user_id: str, holder: Holder) -> Conflict:
    return Conflict(
        taken_message(slack_user_id, holder),
        findings=[{"field": "slack_user_id", "slack_user_id": slack_user_id, "held_by": holder.words}],
    )


def claim(
    session: Session,
    slack_user_id: str | None,
    *,
    team_id: str,
    user_id: int | None = None,
    consultant_id: int | None = None,
) -> None:
    """Conflict unless member ``slack_user_id`` of workspace ``team_id`` is free or already the record's
    own (a new record has no id yet)."""
    if not slack_user_id:
        return
    holder = holders(session, [slack_user_id], team_id=team_id).get(slack_user_id)
    if holder is not None and not holder.is_record(user_id=user_id, consultant_id=consultant_id):
        raise taken(slack_user_id, holder)


def flush_claiming(session: Session, slack_user_id: str | None) -> None:
    """Flush; if the database refuses the id because another request took it since ``claim`` looked,
    say so as a Conflict rather than fail."""
    try:
        session.flush()
    except IntegrityError as error:
        if slack_user_id and "slack_identity" in str(error.orig):
            raise Conflict(
                f"The Slack member id {slack_user_id} was linked to someone else a moment ago: look it up "
                "and try again.",
                findings=[{"field": "slack_user_id", "slack_user_id": slack_user_id}],
            ) from error
        raise
