"""Bearer-token authentication and role checks.

Tokens are random and long, so a SHA-256 digest is enough to store them safely and look them up by
index. The Slack bot holds a ``bot`` token and names the Slack user it acts for in
``X-Slack-User-Id``; the request then runs with that user's role.
"""

import hashlib
import secrets
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Header, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session, select

from service.db import SessionDep
from service.models import Role, User

SLACK_USER_HEADER = "X-Slack-User-Id"


def new_token() -> str:
    """A fresh API token; only its hash is stored."""
    return "scr_" + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def user_for_token(session: Session, token: str) -> User | None:
    """The active user holding ``token``, if any."""
    user = session.exec(select(User).where(User.token_hash == hash_token(token))).first()
    return user if user is not None and user.active else None


def _unauthorised(message: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail=message, headers={"WWW-Authenticate": "Bearer"})


bearer = HTTPBearer(auto_error=False, description="An API token from 'scr user add'.")


def current_user(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    x_slack_user_id: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> User:
    """The caller, from ``Authorization: Bearer TOKEN`` (and, for the bot, the Slack user it acts for)."""
    if credentials is None or not credentials.credentials:
        raise _unauthorised("Sign in: send 'Authorization: Bearer <token>'. Ask an admin for a token.")
    user = user_for_token(session, credentials.credentials.strip())
    if user is None:
        raise _unauthorised("That token is not valid or has been revoked. Ask an admin for a new one.")
    if user.role != Role.bot:
        return user
    if not x_slack_user_id:
        return user
    acting = session.exec(select(User).where(User.slack_user_id == x_slack_user_id)).first()
    if acting is None or not acting.active:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail="Your Slack account is not linked to a user of this service. Ask an admin to run "
            "'scr user add EMAIL --role ROLE --slack-user-id YOUR_ID'.",
        )
    return acting


CurrentUser = Annotated[User, Depends(current_user)]


def require_role(*roles: Role) -> Callable[[User], User]:
    """A dependency that lets through only users holding one of ``roles``."""
    names = " or ".join(role.value for role in roles)

    def check(user: CurrentUser) -> User:
        if user.role not in roles:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                detail=f"This needs the {names} role; you are signed in as {user.role}.",
            )
        return user

    return check


AnyUser = Annotated[User, Depends(require_role(Role.admin, Role.commissioner, Role.chair))]
AdminUser = Annotated[User, Depends(require_role(Role.admin))]
CommissionerUser = Annotated[User, Depends(require_role(Role.commissioner, Role.admin))]
ChairUser = Annotated[User, Depends(require_role(Role.chair))]
BotUser = Annotated[User, Depends(require_role(Role.bot))]
