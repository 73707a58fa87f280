"""Data protection: the retention purge of closed cases, and a consultant's subject access export.

Both are for admins. The purge is ``commissioning.retention_store.purge``; the export is
``commissioning.consultant_views.subject_access``; the command line has the same two
(``scr retention purge``, ``scr registry subject-access``).
"""

from typing import Annotated

from fastapi import APIRouter, Query

from commissioning import consultant_views, retention_store
from commissioning.consultant_views import SubjectAccess
from core import clock
from core.values import Day
from service.access import ListAdmin
from service.api.params import Id
from service.api.schemas import PurgeOut
from service.db import SessionDep, UnitOfWorkRoute
from service.policy import retention_years_by_partnership
from service.settings import get_settings

router = APIRouter(prefix="/api/v1", tags=["data protection"], route_class=UnitOfWorkRoute)


@router.post("/retention/purge")
def purge(
    session: SessionDep,
    actor: ListAdmin,
    dry_run: Annotated[
        bool, Query(description="report what would be removed, change nothing (the default); false purges")
    ] = True,
    today: Annotated[
        Day | None, Query(description="purge as of this date (default today; later only for a dry run)")
    ] = None,
) -> PurgeOut:
    """Remove the free text of cases closed more than ``SCR_RETENTION_YEARS`` ago, keeping their features
    and outcomes; each purged case gets an audit event. Running it again removes nothing more.

    Only ``dry_run=false`` removes anything: left out, it reports what would go."""
    report = retention_store.purge(
        session=session,
        as_of=today or clock.today(),
        today=clock.today(),
        years=get_settings().retention_years,
        dry_run=dry_run,
        actor=actor.email,
        years_by_partnership=retention_years_by_partnership(session),
    )
    return PurgeOut.model_validate(report.to_json())


@router.get("/consultants/{consultant_id}/subject-access")
def subject_access(consultant_id: Id, session: SessionDep, _: ListAdmin) -> SubjectAccess:
    """Everything held about one consultant: their record, engagements, interests, accreditations, review
    records, commissions and declarations, and every audit event about them. Cases by reference only."""
    return consultant_views.subject_access(session=session, consultant_id=consultant_id)
