"""Users of the service: creation with a one-time token, revocation, Slack mapping."""

from sqlmodel import Session, select

from core import audit
from core.errors import Conflict, NotFound
from core.transaction import atomic
from registry import slack_ids
from service import page_sessions
from service.auth import hash_token, new_token
from service.models import Role, User, UserPublic


def add_user(
    session: Session, *, email: str, role: Role, actor: str, slack_user_id: str | None = None
) -> tuple[User, str]:
    """Create a user and return it with its token, which is shown once and stored only as a hash."""
    email = email.strip().lower()
    with atomic(session=session):  # flush_claiming may refuse the Slack id once the user is added
        if session.exec(select(User).where(User.email == email)).first():
            raise Conflict(f"A user with email {email} already exists.")
        slack_ids.claim(session, slack_user_id)
        token = new_token()
        user = User(email=email, role=role, slack_user_id=slack_user_id, token_hash=hash_token(token))
        session.add(user)
        slack_ids.flush_claiming(session, slack_user_id)
        audit.record(
            session,
            "user.add",
            user.id or 0,
            actor=actor,
            after=UserPublic.model_validate(user, from_attributes=True),
        )
    return user, token


def revoke_user(session: Session, *, email: str, actor: str) -> User:
    """Deactivate a user: their token and their admin-page sessions stop working at once."""
    user = session.exec(select(User).where(User.email == email.strip().lower())).first()
    if user is None:
        raise NotFound(f"No user with email {email}.")
    before = UserPublic.model_validate(user, from_attributes=True).model_dump(mode="json")
    user.active = False
    session.add(user)
    page_sessions.end_all(session, user.id or 0)
    audit.record(
        session, "user.revoke", user.id or 0, actor=actor, before=before, after={**before, "active": False}
    )
    return user
