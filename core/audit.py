"""The append-only, hash-chained audit log.

Each event is added to the caller's session so it commits (or rolls back) with the change it records.
Its hash covers its content and the previous event's hash, so an edit, insertion or deletion made
directly in the database breaks the chain where it happened (``verify``). Deleting the newest events
leaves a shorter chain that still holds, so a checkpoint kept outside the database records the chain's
head each time it is verified, and a later check notices the head has gone (``shortened``). On
PostgreSQL a trigger also refuses UPDATE and DELETE on the table (migration 0008).
"""

import hashlib
import json
import os
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from sqlalchemy import JSON, Column, Index, text, update
from sqlmodel import Field, Session, SQLModel, col, select

from core.clock import utcnow


class AuditEvent(SQLModel, table=True):
    """One change, written in the transaction that made it; ``hash`` chains each event to the one before."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_entity", "entity_type", "entity_id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor: str = Field(max_length=254)
    action: str = Field(max_length=64)
    entity_type: str = Field(max_length=64)
    entity_id: str = Field(max_length=64)
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)


class AuditEventPublic(SQLModel):
    id: int
    at: datetime
    actor: str
    action: str
    entity_type: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    hash: str


GENESIS = "0" * 64
# ``session.info`` key: how the request's actions came in, when the bot relays them (``service.auth``).
RELAYED = "audit.relayed"


def _plain(value: Any) -> Any:
    """JSON-safe copy (dates become ISO strings), so the stored value hashes the same when read back."""
    return None if value is None else json.loads(json.dumps(value, default=str, sort_keys=True))


Change = dict[str, Any] | BaseModel | None  # a model is logged as its JSON


def _as_dict(change: Change) -> dict[str, Any] | None:
    return change.model_dump(mode="json") if isinstance(change, BaseModel) else change


def fingerprint(text: str | None) -> str | None:
    """What the log keeps of free text written about a case: a digest that proves what the record said
    while it is held, without a copy that would outlive the retention policy (the chain forbids erasing
    words once logged)."""
    return None if text is None else "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def _digested(value: Any, keys: Collection[str]) -> Any:
    """``value`` with the text under any of ``keys``, at any depth, replaced by its fingerprint."""
    if isinstance(value, dict):
        return {
            key: fingerprint(item) if key in keys and isinstance(item, str) else _digested(item, keys)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_digested(item, keys) for item in value]
    return value


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
    action: str,
    entity_id: str | int,
    *,
    actor: str,
    entity_type: str | None = None,
    before: Change = None,
    after: Change = None,
    free_text: Collection[str] = (),
) -> AuditEvent:
    """Add an audit event to ``session``: ``actor`` did ``action`` to the entity ``entity_id``; the caller
    commits it with the change.

    ``action`` reads ``<entity>.<verb>`` ("case.close"), and the event is filed under that entity unless
    ``entity_type`` names another (an engagement added is filed under its consultant).
    ``free_text`` names the keys (at any depth of ``before`` and ``after``) holding words people wrote
    about a case; the log keeps their fingerprints, so the retention purge leaves no copy behind.
    An action the bot relays also records how it came in (``after["relayed"]``, set by ``service.auth``).
    """
    before, after = _as_dict(before), _as_dict(after)
    relayed = session.info.get(RELAYED)
    if relayed is not None:
        after = {**(after or {}), "relayed": relayed}
    if session.get_bind().dialect.name == "postgresql":
        # Serialise chain appends: concurrent writers would otherwise fork the chain.
        session.exec(text("SELECT pg_advisory_xact_lock(7263)"))  # type: ignore[call-overload]
    else:
        # SQLite: take the write lock before reading the last hash (a write that matches no row does),
        # or a writer that has not written yet in this transaction could append after the same event.
        lock = update(AuditEvent).where(col(AuditEvent.id) == -1).values(hash=AuditEvent.hash)
        session.exec(lock)  # type: ignore[call-overload]
    last = session.exec(select(AuditEvent.hash).order_by(col(AuditEvent.id).desc()).limit(1)).first()
    event = AuditEvent(
        at=utcnow(),
        actor=actor,
        action=action,
        entity_type=entity_type or action.partition(".")[0],
        entity_id=str(entity_id),
        before=_plain(_digested(before, free_text)),
        after=_plain(_digested(after, free_text)),
        prev_hash=last or GENESIS,
        hash="",
    )
    event.hash = digest(event)
    session.add(event)
    session.flush()
    return event


def added(
    session: Session, row: SQLModel, action: str, entity_id: str | int | None = None, **event: Any
) -> AuditEvent:
    """Add ``row`` and flush it, so it has its id, then ``record`` ``action`` with it: on ``entity_id``,
    or on the row itself when none is named: a row and its audit event, written in one step."""
    session.add(row)
    session.flush()
    entity = row.id if entity_id is None else entity_id  # type: ignore[attr-defined]
    return record(session, action, entity, **event)


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


@dataclass(frozen=True)
class Checkpoint:
    """The chain's head as seen at one moment: how many events, and the newest one's id and hash."""

    at: datetime
    count: int
    head_id: int | None
    head_hash: str

    @classmethod
    def of(cls, events: Sequence[AuditEvent], *, at: datetime) -> "Checkpoint":
        """The head of ``events`` (in id order, as ``history`` returns them)."""
        if not events:
            return cls(at, 0, None, GENESIS)
        return cls(at, len(events), events[-1].id, events[-1].hash)

    def to_line(self) -> str:
        at = self.at.isoformat(timespec="seconds")
        record = {"at": at, "count": self.count, "head_id": self.head_id, "head_hash": self.head_hash}
        return json.dumps(record, sort_keys=True) + "\n"


def read_checkpoint(path: Path) -> Checkpoint | None:
    """The latest checkpoint recorded in ``path``, or None when there is none yet.

    ValueError says which line cannot be read, so a damaged file is never taken for an empty one.
    """
    if not path.exists():
        return None
    lines = [
        (n, text) for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text.strip()
    ]
    if not lines:
        return None
    number, line = lines[-1]
    try:
        record = json.loads(line)
        return Checkpoint(
            datetime.fromisoformat(record["at"]),
            int(record["count"]),
            None if record["head_id"] is None else int(record["head_id"]),
            str(record["head_hash"]),
        )
    except (ValueError, KeyError, TypeError) as error:
        raise ValueError(f"line {number} is not a checkpoint this command wrote ({error})") from None


def record_checkpoint(path: Path, checkpoint: Checkpoint) -> None:
    """Append ``checkpoint`` to ``path`` and make sure it is on disk before saying so."""
    with path.open("a", encoding="utf-8") as file:
        file.write(checkpoint.to_line())
        file.flush()
        os.fsync(file.fileno())


def shortened(events: Sequence[AuditEvent], checkpoint: Checkpoint) -> str | None:
    """How the chain of ``events`` lost events ``checkpoint`` saw, or None when it still holds them all.

    Call it on a chain ``verify`` passed: then the checkpoint's head, still there with the same hash,
    vouches for every event before it.
    """
    when = f"the checkpoint of {checkpoint.at.isoformat(timespec='seconds')}"
    if checkpoint.head_id is None:
        return None
    head = next((event for event in events if event.id == checkpoint.head_id), None)
    if head is None:
        return (
            f"event {checkpoint.head_id}, the newest at {when}, is gone: "
            "events were deleted from the end of the log"
        )
    if head.hash != checkpoint.head_hash:
        return (
            f"event {checkpoint.head_id} is not the event {when} saw: "
            "the end of the log was deleted and written again"
        )
    if len(events) < checkpoint.count:
        return f"the log holds {len(events)} events, fewer than the {checkpoint.count} at {when}"
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
