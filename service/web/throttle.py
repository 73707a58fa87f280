"""The brake on password guessing: per account and per address, kept in the database.

Failures are counted for the email tried (whoever tries it, from wherever) and for the address trying
(whichever emails it tries), so neither spreading guesses over many addresses nor over many accounts
gets more tries. The count lives in ``sign_in_failure``, so every worker and replica sees the same one.
The address is the connection's own, unless it is a proxy named in ``SCR_TRUSTED_PROXIES``.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import Depends
from sqlalchemy import case
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, delete, select

from core.clock import utcnow
from service.models import SignInFailure
from service.page_sessions import keyed_hash

ACCOUNT = "account"
ADDRESS = "address"


@dataclass(frozen=True)
class _Key:
    kind: str
    hash: str
    free: int


class Throttle:
    """Slows down password guessing for an account, and for an address.

    For each, the first ``free`` failures cost nothing; from then on each failure makes the next attempt
    wait, doubling from ``first_wait`` up to ``longest`` seconds. An attempt during the wait is refused
    without checking the password, so guessing faster gains nothing. A count is forgotten
    ``forget_after`` seconds after its last failure, and forgotten counts are deleted.
    """

    def __init__(
        self,
        *,
        free_per_account: int = 3,
        free_per_address: int = 10,
        first_wait: float = 5.0,
        longest: float = 300.0,
        forget_after: float = 3600.0,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.free = {ACCOUNT: free_per_account, ADDRESS: free_per_address}
        self.first_wait = first_wait
        self.longest = longest
        self.forget_after = timedelta(seconds=forget_after)
        self.clock = clock

    def _keys(self, *, email: str | None, address: str | None) -> list[_Key]:
        """Hashed, so the table holds no one's typing (a password put in the email box, say)."""
        named = [(ACCOUNT, email.strip().lower() if email is not None else None), (ADDRESS, address)]
        return [
            _Key(kind, keyed_hash(f"sign-in-{kind}", value), self.free[kind])
            for kind, value in named
            if value is not None
        ]

    def _delay(self, failures: int, free: int) -> float:
        return 0.0 if failures < free else min(self.longest, self.first_wait * 2 ** (failures - free))

    def wait(self, db: Session, *, email: str, address: str) -> float:
        """Seconds before this email may be tried from this address again; 0 when it may be tried now."""
        keys = {key.hash: key for key in self._keys(email=email, address=address)}
        now = self.clock()
        rows = db.exec(select(SignInFailure).where(col(SignInFailure.key_hash).in_(keys))).all()
        waits = [
            (row.last_failed_at + timedelta(seconds=self._delay(row.failures, keys[row.key_hash].free)) - now)
            for row in rows
            if now - row.last_failed_at <= self.forget_after
        ]
        return max([0.0, *(wait.total_seconds() for wait in waits)])

    def failed(self, db: Session, *, email: str, address: str) -> None:
        """Count a failure against the account and the address. Safe when workers race."""
        now = self.clock()
        stale = now - self.forget_after
        table: Any = SignInFailure.__table__
        insert = postgresql.insert if db.get_bind().dialect.name == "postgresql" else sqlite.insert
        for key in self._keys(email=email, address=address):
            statement = insert(table).values(key_hash=key.hash, kind=key.kind, failures=1, last_failed_at=now)
            db.exec(  # type: ignore[call-overload]
                statement.on_conflict_do_update(
                    index_elements=[table.c.key_hash],
                    set_={
                        "failures": case((table.c.last_failed_at < stale, 1), else_=table.c.failures + 1),
                        "last_failed_at": now,
                    },
                )
            )
        db.exec(delete(SignInFailure).where(col(SignInFailure.last_failed_at) < stale))  # type: ignore[call-overload]

    def succeeded(self, db: Session, *, email: str) -> None:
        """Forget the account's failures. The address keeps its count, so signing in to an account of
        one's own does not buy more guesses at others."""
        hashes = [key.hash for key in self._keys(email=email, address=None)]
        db.exec(delete(SignInFailure).where(col(SignInFailure.key_hash).in_(hashes)))  # type: ignore[call-overload]


THROTTLE = Throttle()


def get_throttle() -> Throttle:
    """The service's throttle; tests replace it through ``app.dependency_overrides``."""
    return THROTTLE


ThrottleDep = Annotated[Throttle, Depends(get_throttle)]
