"""What is recorded about a consultant: engagements, declared interests, accreditations, review records
and periods away.

Each is a ``RecordKind``, and listing, adding, changing and deleting are written once for all of them:
every change is audited against the consultant (``engagement.add``, ``review.update``, ...). An
engagement or interest may name its agency by id, name or alias, stored as the agency's id. Conventions
as in ``registry.changes``.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any, Generic, TypeVar

from sqlalchemy import bindparam, or_
from sqlmodel import Session, SQLModel, col, select

from core.audit import Change
from core.errors import Invalid, NotFound
from core.transaction import atomic
from core.wording import day
from registry.agencies import resolve_agency_id
from registry.changes import audit_change, problem, refuse_nulls
from registry.models import (
    Absence,
    AbsencePublic,
    AccreditationPublic,
    Consultant,
    ConsultantAccreditation,
    Engagement,
    EngagementPublic,
    Interest,
    InterestPublic,
    ReviewRecord,
    ReviewRecordPublic,
)
from registry.vocabulary import EngagementKind

Public = TypeVar("Public", bound=SQLModel)


@dataclass(frozen=True)
class RecordKind(Generic[Public]):
    """One kind of record held about a consultant: its table, how it reads back, and what a change checks."""

    noun: str  # names it in audit actions ("interest.add") and in messages
    table: Any  # the SQLModel table; ``Any`` since its columns are read by name
    public: type[Public]
    order: tuple[Any, ...]  # how a consultant's records are listed (then by id)
    names_agency: bool = False  # its ``agency_id`` may be given as an agency's name or alias
    period: tuple[str, str] | None = None  # the start and end fields a change must keep in order

    def read(self, row: Any) -> Public:
        """A stored row as plain data."""
        return self.public.model_validate(row, from_attributes=True)

    @cached_property
    def listing(self) -> Any:
        """A consultant's records of this kind, in order (``consultant_id`` bound when run): built once, as a
        consultant's page lists five kinds and SQLAlchemy keys a statement built anew at some cost."""
        table = self.table
        return (
            select(table)
            .where(table.consultant_id == bindparam("consultant_id"))
            .order_by(*self.order, table.id)
        )


ENGAGEMENT = RecordKind(
    "engagement",
    Engagement,
    EngagementPublic,
    order=(col(Engagement.start_date).is_not(None), col(Engagement.start_date)),  # unknown starts first
    names_agency=True,
    period=("start_date", "end_date"),
)
INTEREST = RecordKind(
    "interest", Interest, InterestPublic, order=(col(Interest.declared_on),), names_agency=True
)
ACCREDITATION = RecordKind(
    "accreditation",
    ConsultantAccreditation,
    AccreditationPublic,
    order=(col(ConsultantAccreditation.awarded_on),),
)
REVIEW = RecordKind(
    "review",
    ReviewRecord,
    ReviewRecordPublic,
    order=(col(ReviewRecord.started_on),),
    period=("started_on", "completed_on"),
)
ABSENCE = RecordKind("absence", Absence, AbsencePublic, order=(col(Absence.start_date),))
KINDS: tuple[RecordKind[Any], ...] = (ENGAGEMENT, INTEREST, ACCREDITATION, REVIEW, ABSENCE)


def _consultant_exists(session: Session, consultant_id: int) -> None:
    # ``get`` answers from the session once it holds the consultant, so a consultant's page, which lists
    # five kinds of record, looks them up once.
    if session.get(Consultant, consultant_id) is None:
        raise NotFound(f"No consultant with id {consultant_id}.")


def _record(session: Session, kind: RecordKind[Any], consultant_id: int, record_id: int) -> Any:
    row = session.get(kind.table, record_id)
    if row is None or row.consultant_id != consultant_id:
        raise NotFound(f"That {kind.noun} is not, or no longer, on the consultant's record.")
    return row


def audit(
    session: Session, kind: RecordKind[Any], verb: str, consultant_id: int, *, actor: str, **change: Change
) -> None:
    """Audit a change (``before``, ``after``) to a consultant's record of ``kind``: ``engagement.add``, filed
    under the consultant."""
    audit_change(session, f"{kind.noun}.{verb}", consultant_id, actor=actor, entity="consultant", **change)


def list_records(*, session: Session, kind: RecordKind[Public], consultant_id: int) -> list[Public]:
    """A consultant's records of ``kind``, oldest first."""
    _consultant_exists(session, consultant_id)
    return [kind.read(row) for row in session.exec(kind.listing, params={"consultant_id": consultant_id})]


def list_absences(
    *, session: Session, consultant_id: int, ending_from: date | None = None
) -> list[AbsencePublic]:
    """A consultant's periods away in date order; with ``ending_from``, only those not over before it."""
    away = list_records(session=session, kind=ABSENCE, consultant_id=consultant_id)
    return away if ending_from is None else [period for period in away if period.end_date >= ending_from]


def add_record(
    *, session: Session, kind: RecordKind[Public], consultant_id: int, data: SQLModel, actor: str
) -> Public:
    """Record ``data`` about the consultant; Invalid if it names an agency that no agency's id, name or
    alias matches."""
    with atomic(session=session):
        _consultant_exists(session, consultant_id)
        values = data.model_dump()
        if kind.names_agency and values.get("agency_id") is not None:
            values["agency_id"] = resolve_agency_id(
                session=session, name=values["agency_id"], field="agency_id"
            )
        row = kind.table.model_validate({**values, "consultant_id": consultant_id})
        session.add(row)
        session.flush()
        public = kind.read(row)
        audit(session, kind, "add", consultant_id, actor=actor, after=public)
    return public


def update_record(
    *,
    session: Session,
    kind: RecordKind[Public],
    consultant_id: int,
    record_id: int,
    data: SQLModel,
    actor: str,
) -> Public:
    """Change the fields sent (an engagement ended or confirmed, a review completed and rated)."""
    with atomic(session=session):
        row = _record(session, kind, consultant_id, record_id)
        changes = data.model_dump(exclude_unset=True)
        refuse_nulls(kind.table.__table__, changes)
        before = kind.read(row)
        for name, value in changes.items():
            setattr(row, name, value)
        if kind.period is not None:
            _in_order(row, *kind.period)
        session.add(row)
        session.flush()
        after = kind.read(row)
        audit(session, kind, "update", consultant_id, actor=actor, before=before, after=after)
    return after


def _in_order(row: Any, start_name: str, end_name: str) -> None:
    start, end = getattr(row, start_name), getattr(row, end_name)
    if start is not None and end is not None and end < start:
        said = f"It cannot end ({day(end)}) before it starts ({day(start)})."
        raise Invalid(said, problems=[problem(end_name, said)])


def delete_record(
    *, session: Session, kind: RecordKind[Any], consultant_id: int, record_id: int, actor: str
) -> None:
    """Delete a record made in error (an ended engagement is ended, not deleted)."""
    with atomic(session=session):
        row = _record(session, kind, consultant_id, record_id)
        before = kind.read(row)
        session.delete(row)
        audit(session, kind, "delete", consultant_id, actor=actor, before=before)


def engagements_since(
    *,
    session: Session,
    agency_ids: Iterable[str],
    kinds: Iterable[EngagementKind],
    since: date,
    consultant_ids: Iterable[int] | None = None,
) -> list[EngagementPublic]:
    """Engagements of ``kinds`` with ``agency_ids`` still running on or after ``since`` (open ones included).

    The conflict checks' one query: it walks the index on (agency_id, kind, end_date). An unknown
    start date does not matter; an engagement counts by its end. ``consultant_ids`` narrows it to
    some consultants. Unconfirmed (self-declared) engagements are included, with ``confirmed`` false.
    """
    agencies, kind_values = list(agency_ids), [EngagementKind(kind).value for kind in kinds]
    if not agencies or not kind_values:
        return []
    query = (
        select(Engagement)
        .where(col(Engagement.agency_id).in_(agencies))
        .where(col(Engagement.kind).in_(kind_values))
        .where(or_(col(Engagement.end_date).is_(None), col(Engagement.end_date) >= since))
        .order_by(col(Engagement.consultant_id), col(Engagement.id))
    )
    if consultant_ids is not None:
        query = query.where(col(Engagement.consultant_id).in_(list(consultant_ids)))
    return [
        EngagementPublic.model_validate(engagement, from_attributes=True)
        for engagement in session.exec(query)
    ]
