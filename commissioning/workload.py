"""The places each consultant holds and the commissions they received lately, as the capacity and
recency checks count them: statements every shortlist runs, built once."""

from datetime import UTC, date, datetime, time
from functools import cache

from sqlalchemy import Select, Subquery, and_, bindparam, func, or_
from sqlmodel import Session, col, select

from commissioning.models import Case, CaseStatus, Commission
from commissioning.workflow import ACTIVE
from core import clock
from matching.candidates import Workload


def workload(*, since: date, excluding: int | None = None) -> Workload:
    """Places each consultant holds on open cases, and the commissions they received since ``since``.

    ``excluding`` leaves one commission out of the places held: the one being re-checked.
    """
    active, recent, either = _workload(excluding is not None)
    params = {"since": datetime.combine(since, time.min, tzinfo=UTC), "excluding": excluding}
    return Workload(active, recent, either, params)


@cache
def _workload(excluding: bool) -> tuple[Subquery, Select, Select]:  # type: ignore[type-arg]
    """``workload``'s statements, built once (``since`` and ``excluding`` are bound when they run): every
    shortlist reads them, and SQLAlchemy keys a statement built anew at a cost."""
    active = col(Commission.status).in_([status.value for status in ACTIVE])
    open_case = col(Case.status) == CaseStatus.open.value
    window = col(Commission.created_at) >= bindparam("since")
    holds_place = and_(open_case, col(Commission.id) != bindparam("excluding")) if excluding else open_case
    held = (
        select(col(Commission.consultant_id).label("consultant_id"), func.count().label("active"))
        .join(Case, col(Case.id) == col(Commission.case_id))
        .where(active, holds_place)
    )
    recent = (
        select(Commission.consultant_id, Commission.id, Commission.created_at, Case.area)
        .join(Case, col(Case.id) == col(Commission.case_id))
        .where(active, window)
    )
    either = (
        select(Commission.consultant_id, Commission.id, Commission.created_at, Case.area, holds_place, window)
        .join(Case, col(Case.id) == col(Commission.case_id))
        .where(active, or_(holds_place, window))
        .order_by(col(Commission.id))
    )
    return held.group_by(col(Commission.consultant_id)).subquery(), recent, either


def places_held(*, session: Session, consultant_id: int) -> int:
    """How many of their places a consultant holds now, counted as the capacity check counts them."""
    work = workload(since=clock.today())
    held = work.active
    query = select(held.c.active).where(held.c.consultant_id == consultant_id)
    count = session.connection().execute(query, dict(work.params)).scalar()
    return int(count or 0)
