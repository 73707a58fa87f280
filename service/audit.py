"""The append-only, hash-chained audit log.

Each event is added to the caller's session so it commits (or rolls back) with the change it records.
Its hash covers its content and the previous event's hash, so an edit, insertion or deletion made
directly in the database breaks the chain where it happened (``verify``).
"""

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, col, select

from registry.clock import utcnow
from service.models import AuditEvent

GENESIS = "0" * 64


def _plain(value: Any) -> Any:
    """JSON-safe copy (dates become ISO strings), so the stored value hashes the same when read back."""
    return None if value is None else json.loads(json.dumps(value, default=str, sort_keys=True))


def digest(event: AuditEvent) -> str:
    """The hash of an event's content chained to ``prev_hash``."""
    content = {
        "at": event.at.isoformat(timespec="microseconds"),
        "actor": event.actor,
        "action": event.action,
        "entity_type": event.entity_type,
        "entity_id": event.entity_id,
        "before": event.before,
        "after": event.after,
        "prev_hash": event.prev_hash,
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: str | int,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event to ``session``; the caller commits it with the change."""
    if session.get_bind().dialect.name == "postgresql":
        # Serialise chain appends: concurrent writers would otherwise fork the chain.
        session.exec(text("SELECT pg_advisory_xact_lock(7263)"))  # type: ignore[call-overload]
    last = session.exec(select(AuditEvent.hash).order_by(col(AuditEvent.id).desc()).limit(1)).first()
    event = AuditEvent(
        at=utcnow(),
        actor=actor,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        before=_plain(before),
        after=_plain(after),
        prev_hash=last or GENESIS,
        hash="",
    )
    event.hash = digest(event)
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class Break:
    """Where the chain stops holding, and what most likely happened there."""

    event_id: int
    problem: str


def verify(events: Iterable[AuditEvent]) -> Break | None:
    """The first break in the chain of ``events`` (in id order), or None when it holds."""
    expected_prev = GENESIS
    previous_id = 0
    for event in events:
        assert event.id is not None
        if event.prev_hash != expected_prev:
            gap = "deleted before it" if event.id > previous_id + 1 else "inserted or re-ordered"
            return Break(
                event.id, f"event {event.id} does not follow event {previous_id}: an event was {gap}"
            )
        if digest(event) != event.hash:
            return Break(event.id, f"event {event.id} was edited after it was written")
        expected_prev = event.hash
        previous_id = event.id
    return None


def history(
    session: Session, *, entity_type: str | None = None, entity_id: str | None = None
) -> list[AuditEvent]:
    """Events, oldest first, optionally for one entity."""
    query = select(AuditEvent).order_by(col(AuditEvent.id))
    if entity_type:
        query = query.where(AuditEvent.entity_type == entity_type)
    if entity_id:
        query = query.where(AuditEvent.entity_id == entity_id)
    return list(session.exec(query))
