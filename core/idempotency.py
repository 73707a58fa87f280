"""Idempotency-Key replays, alike for every record a request may create with a key (cases, commissions).

A retried request with the same key gets the record the first one made; the same key with a request that
asked something else is refused, so a key never stands for two different things.
"""

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from sqlmodel import Session, select

from core.errors import Conflict


class Keyed(Protocol):
    idempotency_key: str | None


RecordT = TypeVar("RecordT", bound=Keyed)


def replayed(
    session: Session,
    model: type[RecordT],
    key: str,
    *,
    same: Callable[[RecordT], bool],
    refusal: str,
    finding: Callable[[RecordT], dict[str, Any]],
) -> RecordT | None:
    """The ``model`` record an earlier request with ``key`` made, None if none did; ``Conflict`` (with
    ``refusal`` and the record's ``finding``) when that request was not the ``same`` as this one."""
    earlier = session.exec(select(model).where(model.idempotency_key == key)).first()
    if earlier is None:
        return None
    if not same(earlier):
        raise Conflict(refusal, findings=[finding(earlier)])
    return earlier
