"""One way to commit: store functions add and flush; the unit of work that called them commits.

A request (``service.db.get_session``), a CLI command or a job opens one ``unit_of_work``: it commits
when the block ends and rolls back when it raises. Store functions never commit. A store write wraps
its changes in ``atomic``, a savepoint, so a write that fails leaves nothing behind even when its caller
catches the error and carries on, and two store calls can share one transaction.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlmodel import Session


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[Session]:
    """A session whose changes commit together when the block ends, or roll back if it raises.

    Closing the session rolls back what was not committed, and leaves the objects it loaded readable
    (a rollback would expire them), so an error handler can still say who was refused.
    """
    with Session(engine, expire_on_commit=False) as session:
        yield session
        session.commit()


@contextmanager
def atomic(*, session: Session) -> Iterator[None]:
    """The block's changes stand or fall together, inside the caller's unit of work (which commits them).

    A savepoint: on an error it is rolled back alone, and the transaction around it stays usable (on
    PostgreSQL, a failed statement would otherwise abort the whole transaction).
    """
    with session.begin_nested():
        yield
