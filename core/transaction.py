"""The transaction helper: store writes inside ``with atomic(session=...)`` commit together or not at all."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlmodel import Session

_DEPTH = "core.transaction.atomic_depth"


@contextmanager
def atomic(*, session: Session) -> Iterator[None]:
    """One transaction for every store write inside the block: all commit at its end, or none do.

    Blocks nest: only the outermost commits (or rolls back), so a store function that uses one can be
    called alone or inside a caller's larger change.
    """
    depth = session.info.get(_DEPTH, 0)
    session.info[_DEPTH] = depth + 1
    try:
        yield
        if depth == 0:
            session.commit()
    except BaseException:
        if depth == 0:
            session.rollback()
        raise
    finally:
        session.info[_DEPTH] = depth
