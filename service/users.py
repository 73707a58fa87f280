"""Users of the service: adding one (with a one-time token from the command line), their display name,
their Slack member id, revocation, and the list the users page shows.

Keyword-only after ``session``; each change records its audit event (``user.*``) in the caller's unit of
work. A Slack member id goes through ``registry.slack_ids``, so an id another person holds is refused in
words whichever way it is set.
"""

from pydantic import ValidationError
from sqlmodel import Session, col, select

from core import audit
from core.errors import Conflict, Invalid, NotFound
from core.transaction import atomic
from registry import slack_ids
from registry.identities import OWN_WORKSPACE
from service import page_sessions
from service.auth import hash_token, new_token
from service.models import DisplayName, Role, User, UserPublic


def _public(user: User) -> dict[str, object]:
    return UserPublic.model_validate(user, from_attributes=True).model_dump(mode="json")


def checked_name(display_name: str | None) -> str | None:
    """``display_name`` trimmed, or Invalid saying what is wrong with it (one line, 1 to 200 characters)."""
    if display_name is None:
        return None
    if not display_name.strip():
        raise Invalid(
            "The name is empty: give the name people should see, like Jane Smith.",
            [{"loc": ["display_name"], "msg": "is empty"}],
        )
    try:
        return DisplayName(display_name=display_name).display_name
    except ValidationError as error:
        reason = str(error.errors()[0]["msg"]).removeprefix("Value error, ")
        if error.errors()[0]["type"] == "string_too_long":
            reason = "is longer than 200 characters"
        raise Invalid(f"The name {reason}.", [{"loc": ["display_name"], "msg": reason}]) from None


def create_user(
    session: Session,
    *,
    email: str,
    role: Role,
    actor: str,
    display_name: str | None = None,
    slack_user_id: str | None = None,
    slack_team: str = OWN_WORKSPACE,
) -> User:
    """Add a user who holds no API token: a person who uses the bot (by their Slack member id, in workspace
    ``slack_team``, a key from ``slack_team_key``) and, once they have a password, the admin pages.
    Conflict if the email or the Slack account is taken."""
    email = email.strip().lower()
    display_name = checked_name(display_name)
    with atomic(session=session):  # flush_claiming may refuse the Slack id once the user is added
        if session.exec(select(User).where(User.email == email)).first():
            raise Conflict(
                f"A user with email {email} already exists.", findings=[{"field": "email", "email": email}]
            )
        slack_ids.claim(session, slack_user_id, team_id=slack_team)
        user = User(
            email=email,
            role=role,
            display_name=display_name,
            slack_user_id=slack_user_id,
            slack_team_key=slack_team,
        )
        session.add(user)
        slack_ids.flush_claiming(session, slack_user_id)
        audit.record(
            session,
            "user.add",
            user.id or 0,
            actor=actor,
            after=_public(user),
        )
    return user


def add_user(
    session: Session,
    *,
    email: str,
    role: Role,
    actor: str,
    slack_user_id: str | None = None,
    slack_team: str = OWN_WORKSPACE,
    display_name: str | None = None,
) -> tuple[User, str]:
    """Create a user and return it with its API token, which is shown once and stored only as a hash."""
    token = new_token()
    with atomic(session=session):
        user = create_user(
            session,
            email=email,
            role=role,
            actor=actor,
            display_name=display_name,
            slack_user_id=slack_user_id,
            slack_team=slack_team,
        )
        user.token_hash = hash_token(token)
        session.add(user)
        session.flush()
    return user, token


def get_user(session: Session, *, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"No user with id {user_id}.")
    return user


def list_users(session: Session) -> list[User]:
    """Every user, active ones first, each group by name as people see it."""
    users = session.exec(select(User).order_by(col(User.id))).all()
    return sorted(users, key=lambda user: (not user.active, user.shown_name.casefold()))


def _changed(session: Session, user: User, before: dict[str, object], *, actor: str) -> None:
    """Record the change to ``user`` from ``before``; nothing when nothing changed."""
    after = _public(user)
    if after == before:
        return
    audit.record(
        session,
        actor=actor,
        action="user.update",
        entity_type="user",
        entity_id=user.id or 0,
        before=before,
        after=after,
    )


def set_display_name(session: Session, *, user_id: int, display_name: str, actor: str) -> User:
    """Give a user the name people see them by."""
    user = get_user(session, user_id=user_id)
    before = _public(user)
    user.display_name = checked_name(display_name)
    session.add(user)
    session.flush()
    _changed(session, user, before, actor=actor)
    return user


def link_slack(
    session: Session, *, user_id: int, slack_user_id: str, actor: str, slack_team: str | None = None
) -> User:
    """Link (or change) the Slack account the bot knows a user by, member ``slack_user_id`` of workspace
    ``slack_team`` (None: the workspace of the account it replaces, or the own one); Conflict if someone
    else holds it, or if the user is revoked (a revoked user's id would only keep it from its rightful
    holder)."""
    user = get_user(session, user_id=user_id)
    if not user.active:
        raise Conflict(
            f"{user.shown_name} is revoked: a revoked user cannot be linked to Slack.",
            findings=[{"field": "slack_user_id"}],
        )
    before = _public(user)
    with atomic(session=session):
        team = slack_team or user.slack_team_key
        slack_ids.claim(session, slack_user_id, team_id=team, user_id=user.id)
        user.link_slack(slack_user_id, team_id=team)
        session.add(user)
        slack_ids.flush_claiming(session, slack_user_id)
        _changed(session, user, before, actor=actor)
    return user


def unlink_slack(session: Session, *, user_id: int, actor: str) -> User:
    """Take a user's Slack member id off them: the bot no longer acts for that Slack account."""
    user = get_user(session, user_id=user_id)
    if user.slack_user_id is None:
        raise Conflict(f"{user.shown_name} is not linked to a Slack account.")
    before = _public(user)
    user.slack_user_id = None
    session.add(user)
    session.flush()
    _changed(session, user, before, actor=actor)
    return user


def revoke_user(session: Session, *, email: str, actor: str) -> User:
    """Deactivate a user: their token and their admin-page sessions stop working at once."""
    user = session.exec(select(User).where(User.email == email.strip().lower())).first()
    if user is None:
        raise NotFound(f"No user with email {email}.")
    before = _public(user)
    user.active = False
    session.add(user)
    page_sessions.end_all(session, user.id or 0)
    audit.record(
        session, "user.revoke", user.id or 0, actor=actor, before=before, after={**before, "active": False}
    )
    return user
