"""What consultants keep up to date themselves, and the admins' confirmation of what they declare.

A consultant sets their capacity and periods away, and declares interests and engagements. A declaration
is stored unconfirmed: the checks read it as a warning, never a block, until an admin confirms it (see
``matching.conflicts``); an admin who rejects it deletes it, and the audit log keeps what it said and
why it was rejected. Conventions as in ``registry.changes``: keyword-only, one audit event per change,
with the change.
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from core.errors import Conflict, Invalid, NotFound
from core.transaction import atomic
from core.wording import day
from registry import records
from registry.changes import audit_change
from registry.identities import SlackIdentity
from registry.models import (
    Absence,
    AbsencePublic,
    AvailabilityUpdate,
    Consultant,
    EngagementCreate,
    EngagementDeclaration,
    EngagementPublic,
    InterestCreate,
    InterestDeclaration,
    InterestPublic,
)


def by_slack_user(*, session: Session, team_id: str, slack_user_id: str) -> Consultant | None:
    """The consultant whose record carries member ``slack_user_id`` of workspace ``team_id`` (a stored
    key), if any (never two: ``SlackIdentity``)."""
    query = select(Consultant).join(SlackIdentity, col(SlackIdentity.consultant_id) == Consultant.id)
    account = (SlackIdentity.team_id == team_id) & (SlackIdentity.slack_user_id == slack_user_id)
    return session.exec(query.where(account)).first()


# Availability ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Availability:
    capacity: int
    away: list[AbsencePublic]

    def to_json(self) -> dict[str, Any]:
        return {"capacity": self.capacity, "away": [period.model_dump(mode="json") for period in self.away]}


def availability(*, session: Session, consultant_id: int, today: date) -> Availability:
    """Capacity and the periods away not over before ``today``."""
    consultant = session.get(Consultant, consultant_id)
    if consultant is None:
        raise NotFound(f"No consultant with id {consultant_id}.")
    away = records.list_absences(session=session, consultant_id=consultant_id, ending_from=today)
    return Availability(consultant.capacity, away)


def set_availability(
    *, session: Session, consultant_id: int, data: AvailabilityUpdate, actor: str, today: date
) -> Availability:
    """Change capacity and/or replace the periods away (those already over are dropped with them).

    Invalid for a period that ended before ``today``. Nothing changed records nothing, so a retried
    request is harmless.
    """
    problems = [
        {"loc": ["body", "away", index, "end_date"], "msg": f"{day(period.end_date)} is already over"}
        for index, period in enumerate(data.away or [])
        if period.end_date < today
    ]
    if problems:
        raise Invalid("Give only periods away from today on.", problems=problems)
    with atomic(session=session):
        consultant = session.exec(
            select(Consultant).where(Consultant.id == consultant_id).with_for_update()
        ).first()
        if consultant is None:
            raise NotFound(f"No consultant with id {consultant_id}.")
        before = availability(session=session, consultant_id=consultant_id, today=today)
        wanted = sorted({(p.start_date, p.end_date) for p in data.away} if data.away is not None else ())
        held = [(p.start_date, p.end_date) for p in before.away]
        capacity_changed = data.capacity is not None and data.capacity != consultant.capacity
        away_changed = data.away is not None and wanted != held
        if not (capacity_changed or away_changed):
            return before
        if capacity_changed:
            consultant.capacity = data.capacity  # type: ignore[assignment]
            session.add(consultant)
        if away_changed:
            session.exec(delete(Absence).where(col(Absence.consultant_id) == consultant_id))  # type: ignore[call-overload]
            session.add_all(
                Absence(consultant_id=consultant_id, start_date=start, end_date=end) for start, end in wanted
            )
        session.flush()
        after = availability(session=session, consultant_id=consultant_id, today=today)
        audit_change(
            session,
            "consultant.availability",
            consultant_id,
            actor=actor,
            before=before.to_json(),
            after=after.to_json(),
        )
    return after


# Declarations ----------------------------------------------------------------------------------


def declare_interest(
    *, session: Session, consultant_id: int, data: InterestDeclaration, actor: str, today: date
) -> InterestPublic:
    """Record an interest the consultant declares, dated ``today``, awaiting an admin's confirmation."""
    declared = InterestCreate(**data.model_dump(), declared_on=today, confirmed=False)
    return records.add_record(
        session=session, kind=records.INTEREST, consultant_id=consultant_id, data=declared, actor=actor
    )


def declare_engagement(
    *, session: Session, consultant_id: int, data: EngagementDeclaration, actor: str
) -> EngagementPublic:
    """Record a tie the consultant declares, awaiting an admin's confirmation."""
    declared = EngagementCreate(**data.model_dump(), confirmed=False)
    return records.add_record(
        session=session, kind=records.ENGAGEMENT, consultant_id=consultant_id, data=declared, actor=actor
    )


class Declared(StrEnum):
    """What a consultant can declare about themselves."""

    engagement = "engagement"
    interest = "interest"


_KINDS: dict[Declared, records.RecordKind[Any]] = {
    Declared.engagement: records.ENGAGEMENT,
    Declared.interest: records.INTEREST,
}


def _declaration(session: Session, kind: Declared, consultant_id: int, record_id: int) -> Any:
    table = _KINDS[kind].table
    row = session.exec(select(table).where(table.id == record_id).with_for_update()).first()
    if row is None or row.consultant_id != consultant_id:
        raise NotFound(f"That {kind.value} is not, or no longer, on the consultant's record.")
    return row


def confirm(
    *, session: Session, kind: Declared, consultant_id: int, record_id: int, actor: str
) -> EngagementPublic | InterestPublic:
    """Make a declaration count as evidence. Confirming one already confirmed changes nothing."""
    record = _KINDS[kind]
    with atomic(session=session):
        row = _declaration(session, kind, consultant_id, record_id)
        if row.confirmed:
            return record.read(row)
        before = record.read(row)
        row.confirmed = True
        session.add(row)
        session.flush()
        after = record.read(row)
        records.audit(session, record, "confirm", consultant_id, actor=actor, before=before, after=after)
    return after


def reject(
    *, session: Session, kind: Declared, consultant_id: int, record_id: int, reason: str, actor: str
) -> None:
    """Delete an unconfirmed declaration, with the reason; Conflict if an admin already confirmed it."""
    record = _KINDS[kind]
    with atomic(session=session):
        row = _declaration(session, kind, consultant_id, record_id)
        if row.confirmed:
            raise Conflict(
                f"That {kind.value} is confirmed, so it is no longer a declaration to reject: correct or "
                "delete it on the consultant's record if it is wrong.",
                findings=[{"kind": kind.value, "id": record_id, "confirmed": True}],
            )
        before = record.read(row)
        session.delete(row)
        records.audit(
            session,
            record,
            "reject",
            consultant_id,
            actor=actor,
            before=before,
            after={"reason": reason.strip()},
        )


@dataclass(frozen=True)
class Pending:
    """A declaration awaiting an admin, with whose it is."""

    kind: Declared
    consultant_id: int
    consultant_name: str
    record: EngagementPublic | InterestPublic


def pending(*, session: Session) -> list[Pending]:
    """Every declaration awaiting confirmation, oldest first within each kind."""
    found: list[Pending] = []
    for kind, record in _KINDS.items():
        table = record.table
        rows = session.exec(
            select(table, Consultant.name)
            .join(Consultant, col(Consultant.id) == table.consultant_id)
            .where(col(table.confirmed).is_(False))
            .order_by(table.id)
        )
        found += [Pending(kind, row.consultant_id, name, record.read(row)) for row, name in rows]
    return found
