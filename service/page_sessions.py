"""Admin-page sessions, kept in the database so that ending one takes effect at once in every worker.

A session is a random id in the browser's cookie and a row here under a keyed hash of that id (HMAC with
``SCR_SECRET_KEY``): a copy of the table, or a row written into it, opens nothing without the key, and a
new key ends every session. Signing out deletes the row; a new password or a revoked user deletes all of
that user's rows, in the transaction that makes the change.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, col, delete, select, update

from core.clock import utcnow
from service.models import PageSession, User
from service.settings import get_settings

# Ids this service makes are 43 characters; anything much longer is not one of them.
MAX_ID_LENGTH = 128


@dataclass(frozen=True)
class Live:
    """A session that is still good, with the user it belongs to."""

    row: PageSession
    user: User


def keyed_hash(purpose: str, value: str) -> str:
    """HMAC-SHA256 of ``value`` under the service's secret key, separated by ``purpose``."""
    key = get_settings().secret_key.get_secret_value().encode()
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def _id_hash(session_id: str) -> str:
    return keyed_hash("page-session", session_id)


def start(db: Session, user: User, *, hours: int) -> str:
    """Open a session for ``user``; returns the id for the cookie. Only an active user with a password
    may hold one: a user who signs in only with an API token never does."""
    if user.id is None or not user.active or not user.password_hash:
        raise ValueError("Only an active user with a password can hold an admin-page session.")
    now = utcnow()
    db.exec(delete(PageSession).where(col(PageSession.expires_at) <= now))  # type: ignore[call-overload]
    session_id = secrets.token_urlsafe(32)
    db.add(
        PageSession(
            id_hash=_id_hash(session_id),
            user_id=user.id,
            csrf=secrets.token_urlsafe(32),
            created_at=now,
            expires_at=now + timedelta(hours=hours),
        )
    )
    db.flush()
    return session_id


def find(db: Session, session_id: str | None) -> Live | None:
    """The unexpired session ``session_id`` names, if its user is active and has a password."""
    if not session_id or len(session_id) > MAX_ID_LENGTH:
        return None
    found = db.exec(
        select(PageSession, User)
        .join(User, col(User.id) == col(PageSession.user_id))
        .where(PageSession.id_hash == _id_hash(session_id), col(PageSession.expires_at) > utcnow())
    ).first()
    if found is None:
        return None
    row, user = found
    return Live(row, user) if user.active and user.password_hash else None


def end(db: Session, row: PageSession) -> None:
    """Sign one session out."""
    db.exec(delete(PageSession).where(col(PageSession.id_hash) == row.id_hash))  # type: ignore[call-overload]


def end_all(db: Session, user_id: int) -> None:
    """End every session of a user, with the change that calls for it (a new password, a revoked user)."""
    db.exec(delete(PageSession).where(col(PageSession.user_id) == user_id))  # type: ignore[call-overload]


def set_notice(db: Session, row: PageSession, message: str) -> None:
    """Keep a one-line confirmation for the session's next page."""
    _set_notice(db, row, message[:500])


def take_notice(db: Session, row: PageSession) -> str | None:
    """The confirmation waiting when the session was looked up, which is then gone."""
    notice = row.notice  # read first: clearing it in the session that loaded ``row`` clears ``row`` too
    if notice is not None:
        _set_notice(db, row, None)
    return notice


def _set_notice(db: Session, row: PageSession, notice: str | None) -> None:
    db.exec(update(PageSession).where(col(PageSession.id_hash) == row.id_hash).values(notice=notice))  # type: ignore[call-overload]
