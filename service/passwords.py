"""Passwords for signing in to the admin pages: argon2id hashes, set from the command line.

API tokens stay the way programs authenticate; a password only opens a browser session.
"""

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from core import audit
from core.errors import Invalid, NotFound
from service import page_sessions
from service.models import User

MIN_LENGTH = 12
MAX_LENGTH = 1024

_hasher = PasswordHasher()


def _find(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == email.strip().lower())).first()


def set_password(session: Session, *, email: str, password: str, actor: str) -> User:
    """Store an argon2 hash of ``password`` for the user and end their page sessions, so a browser signed
    in with the old password is signed out; the audit event records that, never the hash."""
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        raise Invalid(
            f"A password needs {MIN_LENGTH} to {MAX_LENGTH} characters.",
            [{"loc": ["password"], "msg": f"use at least {MIN_LENGTH} characters"}],
        )
    user = _find(session, email)
    if user is None:
        raise NotFound(f"No user with email {email}. Add them first with 'scr user add'.")
    user.password_hash = _hasher.hash(password)
    session.add(user)
    page_sessions.end_all(session, user.id or 0)
    audit.record(session, "user.set_password", user.id or 0, actor=actor, after={"email": user.email})
    return user


def authenticate(session: Session, *, email: str, password: str) -> User | None:
    """The active user with this email and password, or None, taking about as long either way."""
    user = _find(session, email)
    if user is None or not user.active or not user.password_hash:
        # Verify against a throwaway hash so an unknown account takes as long as a wrong password.
        _verifies(_dummy_hash(), password)
        return None
    if not _verifies(user.password_hash, password):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
        session.add(user)
    return user


def _verifies(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _dummy_hash() -> str:
    return _hasher.hash("not a password anyone has")
