"""The approved list over HTTP: agencies, consultants and their records, status actions, CSV.

Reads need any role, except the search box and the card (commissioners and admins: what Slack's
``/scr consultant`` shows); writes, and recording a reminder sent to a consultant, need admin. Each
route hands its work to ``registry.store``, which validates, audits and commits in one transaction;
domain errors become HTTP in ``service.app``.
"""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, File, Path, Query, Response, UploadFile, status

from commissioning import consultant_views
from commissioning.consultant_views import CheckOut, ConsultantCard
from core.values import Line, OptionalLine
from registry import importer, store
from registry.importer import ImportReport
from registry.lifecycle import Action
from registry.models import (
    SLUG,
    AccreditationCreate,
    AccreditationPublic,
    AgencyCreate,
    AgencyPublic,
    AgencyUpdate,
    ConsultantCreate,
    ConsultantDetail,
    ConsultantPage,
    ConsultantPublic,
    ConsultantUpdate,
    EngagementCreate,
    EngagementPublic,
    EngagementUpdate,
    InterestCreate,
    InterestPublic,
    ReviewRecordCreate,
    ReviewRecordPublic,
    ReviewRecordUpdate,
    StatusChange,
)
from registry.vocabulary import AgencyKind, ConsultantStatus, Specialism
from service.api.params import Id
from service.api.schemas import ReminderIn, ReminderOut
from service.auth import AdminUser, AnyUser, CommissionerUser
from service.db import SessionDep
from service.policy import PolicyDep
from service.settings import get_settings

router = APIRouter(prefix="/api/v1", tags=["registry"])
# Path and query values go to the database as given: bound them so none can make it fail.
AgencyId = Annotated[str, Path(max_length=64, pattern=SLUG, description="the agency's id (a slug)")]
NO_CONTENT = {"status_code": status.HTTP_204_NO_CONTENT, "response_class": Response}


# Agencies --------------------------------------------------------------------------------------


@router.get("/agencies")
def list_agencies(
    session: SessionDep,
    _: AnyUser,
    area: Annotated[OptionalLine, Query(max_length=100)] = None,
    kind: AgencyKind | None = None,
    q: Annotated[OptionalLine, Query(max_length=200, description="part of the name")] = None,
) -> list[AgencyPublic]:
    """Agencies by name, with their aliases."""
    return store.list_agencies(session=session, area=area, kind=kind, q=q)


@router.post("/agencies", status_code=status.HTTP_201_CREATED)
def create_agency(body: AgencyCreate, session: SessionDep, actor: AdminUser) -> AgencyPublic:
    """Add an agency; 409 if its id, name or an alias already belongs to one."""
    return store.create_agency(session=session, data=body, actor=actor.email)


@router.get("/agencies/{agency_id}")
def get_agency(agency_id: AgencyId, session: SessionDep, _: AnyUser) -> AgencyPublic:
    return store.get_agency(session=session, agency_id=agency_id)


@router.patch("/agencies/{agency_id}")
def update_agency(
    agency_id: AgencyId, body: AgencyUpdate, session: SessionDep, actor: AdminUser
) -> AgencyPublic:
    """Change an agency; ``aliases``, when sent, replaces them all."""
    return store.update_agency(session=session, agency_id=agency_id, data=body, actor=actor.email)


@router.delete("/agencies/{agency_id}", **NO_CONTENT)
def delete_agency(agency_id: AgencyId, session: SessionDep, actor: AdminUser) -> None:
    """Delete an agency no engagement or interest names; 409 otherwise."""
    store.delete_agency(session=session, agency_id=agency_id, actor=actor.email)


# Consultants -----------------------------------------------------------------------------------


@router.get("/consultants")
def list_consultants(
    session: SessionDep,
    _: AnyUser,
    policy: PolicyDep,
    status: ConsultantStatus | None = None,
    specialism: Specialism | None = None,
    area: Annotated[OptionalLine, Query(max_length=100)] = None,
    language: Annotated[OptionalLine, Query(max_length=100)] = None,
    q: Annotated[OptionalLine, Query(max_length=200, description="part of the name")] = None,
    expiring_within_days: Annotated[
        int | None,
        Query(
            ge=0,
            le=3650,
            description="DBS check missing or older than the recheck period, insurance missing or "
            "expiring, registration expiring, or re-approval due, within this many days",
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> ConsultantPage:
    """Consultants by name, filtered, one page at a time; ``total`` counts every match."""
    return store.list_consultants(
        session=session,
        status=status,
        specialism=specialism,
        area=area,
        language=language,
        q=q,
        expiring_within_days=expiring_within_days,
        dbs_recheck_years=policy.dbs_recheck_years,
        limit=limit,
        offset=offset,
    )


# One Slack account is linked to one person (``registry.slack_ids``).
TAKEN = {409: {"description": "the email or Slack member id belongs to someone else; `detail` names who"}}


@router.post("/consultants", status_code=status.HTTP_201_CREATED, responses=TAKEN)
def create_consultant(body: ConsultantCreate, session: SessionDep, actor: AdminUser) -> ConsultantPublic:
    """Add a consultant as an applicant; 409 if the email is already on the list, or the Slack member id
    belongs to another consultant or a board user."""
    return store.create_consultant(session=session, data=body, actor=actor.email)


@router.get("/consultants/export", response_class=Response, responses={200: {"content": {"text/csv": {}}}})
def export_consultants(session: SessionDep, _: AnyUser) -> Response:
    """Every consultant as CSV, in the columns the import reads (see the README)."""
    return Response(
        store.export_csv(session=session),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="consultants-{date.today().isoformat()}.csv"'},
    )


@router.get("/consultants/search")
def search_consultants(
    session: SessionDep,
    _: CommissionerUser,
    q: Annotated[
        Line,
        Query(
            min_length=1,
            max_length=200,
            description="part of a name, a specialism (or part of its name, e.g. 'abuse'), or an area",
        ),
    ],
    status: ConsultantStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 10,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> ConsultantPage:
    """One search box over the list, for the people who commission (Slack's ``/scr consultant``)."""
    return store.list_consultants(session=session, status=status, search=q, limit=limit, offset=offset)


@router.post(
    "/consultants/import",
    responses={409: {"description": "rows give Slack member ids that belong to someone else (`findings`)"}},
)
def import_consultants(
    session: SessionDep,
    actor: AdminUser,
    file: Annotated[UploadFile, File(description="CSV, UTF-8, one consultant per row")],
    dry_run: Annotated[
        bool, Query(description="check and report, write nothing (the default); false imports for real")
    ] = True,
) -> ImportReport:
    """Create or update consultants from CSV, matched on email; every row checked first, all or nothing.

    Without ``dry_run=false`` it only reports what it would do, so a forgotten parameter writes nothing.
    422 lists every problem with its row and column, and nothing is written.
    """
    settings = get_settings()
    return store.import_csv(
        session=session,
        text=importer.decode(file.file.read()),
        actor=actor.email,
        max_rows=settings.csv_max_rows,
        dry_run=dry_run,
        reapproval_years=settings.reapproval_years,
    )


@router.get("/consultants/{consultant_id}")
def get_consultant(consultant_id: Id, session: SessionDep, _: AnyUser) -> ConsultantDetail:
    """A consultant with their engagements, interests, accreditations and review records."""
    return store.get_consultant(session=session, consultant_id=consultant_id)


@router.get("/consultants/{consultant_id}/card")
def consultant_card(
    consultant_id: Id, session: SessionDep, _: CommissionerUser, policy: PolicyDep
) -> ConsultantCard:
    """The record with the places held, each check's state (falling due: within 30 days) and the status
    actions open now."""
    return consultant_views.card(
        session=session,
        consultant_id=consultant_id,
        today=date.today(),
        dbs_recheck_years=policy.dbs_recheck_years,
    )


@router.patch("/consultants/{consultant_id}", responses=TAKEN)
def update_consultant(
    consultant_id: Id, body: ConsultantUpdate, session: SessionDep, actor: AdminUser
) -> ConsultantPublic:
    """Change the fields sent. Status changes have their own actions."""
    return store.update_consultant(session=session, consultant_id=consultant_id, data=body, actor=actor.email)


@router.delete("/consultants/{consultant_id}", **NO_CONTENT)
def delete_consultant(consultant_id: Id, session: SessionDep, actor: AdminUser) -> None:
    """Delete an applicant added by mistake; 409 for anyone approved before (remove them instead)."""
    store.delete_consultant(session=session, consultant_id=consultant_id, actor=actor.email)


def _change_status(
    session: SessionDep, consultant_id: int, action: Action, body: StatusChange, actor: AdminUser
) -> ConsultantPublic:
    return store.change_status(
        session=session,
        consultant_id=consultant_id,
        action=action,
        reason=body.reason,
        actor=actor.email,
        reapproval_years=get_settings().reapproval_years,
    )


NOT_ALLOWED = {409: {"description": "not allowed from the consultant's status; `allowed` lists what is"}}


@router.post("/consultants/{consultant_id}/approve", responses=NOT_ALLOWED)
def approve(consultant_id: Id, body: StatusChange, session: SessionDep, actor: AdminUser) -> ConsultantPublic:
    """Approve an applicant, or re-approve an approved consultant: sets approved_on and reapproval_due."""
    return _change_status(session, consultant_id, Action.approve, body, actor)


@router.post("/consultants/{consultant_id}/suspend", responses=NOT_ALLOWED)
def suspend(consultant_id: Id, body: StatusChange, session: SessionDep, actor: AdminUser) -> ConsultantPublic:
    """Suspend an approved consultant."""
    return _change_status(session, consultant_id, Action.suspend, body, actor)


@router.post("/consultants/{consultant_id}/remove", responses=NOT_ALLOWED)
def remove(consultant_id: Id, body: StatusChange, session: SessionDep, actor: AdminUser) -> ConsultantPublic:
    """Remove a consultant from the list; their history stays."""
    return _change_status(session, consultant_id, Action.remove, body, actor)


@router.post("/consultants/{consultant_id}/reinstate", responses=NOT_ALLOWED)
def reinstate(
    consultant_id: Id, body: StatusChange, session: SessionDep, actor: AdminUser
) -> ConsultantPublic:
    """Reinstate a suspended consultant (approval dates kept) or a removed one (approved afresh)."""
    return _change_status(session, consultant_id, Action.reinstate, body, actor)


@router.post("/consultants/{consultant_id}/reminders")
def remind(
    consultant_id: Id, body: ReminderIn, session: SessionDep, actor: AdminUser, policy: PolicyDep
) -> ReminderOut:
    """Record that the consultant is being asked to renew a check, and say where (their Slack id): the
    bot sends the message. 409 if they have no Slack account on record."""
    consultant, check = store.record_reminder(
        session=session,
        consultant_id=consultant_id,
        check=body.check,
        actor=actor.email,
        today=date.today(),
        dbs_recheck_years=policy.dbs_recheck_years,
    )
    assert consultant.slack_user_id is not None
    return ReminderOut(
        consultant_id=consultant_id,
        name=consultant.name,
        slack_user_id=consultant.slack_user_id,
        check=CheckOut.of(check),
    )


# Engagements -----------------------------------------------------------------------------------


@router.get("/consultants/{consultant_id}/engagements")
def list_engagements(consultant_id: Id, session: SessionDep, _: AnyUser) -> list[EngagementPublic]:
    return store.list_engagements(session=session, consultant_id=consultant_id)


@router.post("/consultants/{consultant_id}/engagements", status_code=status.HTTP_201_CREATED)
def add_engagement(
    consultant_id: Id, body: EngagementCreate, session: SessionDep, actor: AdminUser
) -> EngagementPublic:
    """Record a tie with an agency (named by id, name or alias); 422 if no agency has that name."""
    return store.add_engagement(session=session, consultant_id=consultant_id, data=body, actor=actor.email)


@router.patch("/consultants/{consultant_id}/engagements/{engagement_id}")
def update_engagement(
    consultant_id: Id, engagement_id: Id, body: EngagementUpdate, session: SessionDep, actor: AdminUser
) -> EngagementPublic:
    return store.update_engagement(
        session=session,
        consultant_id=consultant_id,
        engagement_id=engagement_id,
        data=body,
        actor=actor.email,
    )


@router.delete("/consultants/{consultant_id}/engagements/{engagement_id}", **NO_CONTENT)
def delete_engagement(consultant_id: Id, engagement_id: Id, session: SessionDep, actor: AdminUser) -> None:
    store.delete_engagement(
        session=session, consultant_id=consultant_id, engagement_id=engagement_id, actor=actor.email
    )


# Interests, accreditations, review records -----------------------------------------------------


@router.get("/consultants/{consultant_id}/interests")
def list_interests(consultant_id: Id, session: SessionDep, _: AnyUser) -> list[InterestPublic]:
    return store.list_interests(session=session, consultant_id=consultant_id)


@router.post("/consultants/{consultant_id}/interests", status_code=status.HTTP_201_CREATED)
def add_interest(
    consultant_id: Id, body: InterestCreate, session: SessionDep, actor: AdminUser
) -> InterestPublic:
    return store.add_interest(session=session, consultant_id=consultant_id, data=body, actor=actor.email)


@router.delete("/consultants/{consultant_id}/interests/{interest_id}", **NO_CONTENT)
def delete_interest(consultant_id: Id, interest_id: Id, session: SessionDep, actor: AdminUser) -> None:
    store.delete_interest(
        session=session, consultant_id=consultant_id, interest_id=interest_id, actor=actor.email
    )


@router.get("/consultants/{consultant_id}/accreditations")
def list_accreditations(consultant_id: Id, session: SessionDep, _: AnyUser) -> list[AccreditationPublic]:
    return store.list_accreditations(session=session, consultant_id=consultant_id)


@router.post("/consultants/{consultant_id}/accreditations", status_code=status.HTTP_201_CREATED)
def add_accreditation(
    consultant_id: Id, body: AccreditationCreate, session: SessionDep, actor: AdminUser
) -> AccreditationPublic:
    return store.add_accreditation(session=session, consultant_id=consultant_id, data=body, actor=actor.email)


@router.delete("/consultants/{consultant_id}/accreditations/{accreditation_id}", **NO_CONTENT)
def delete_accreditation(
    consultant_id: Id, accreditation_id: Id, session: SessionDep, actor: AdminUser
) -> None:
    store.delete_accreditation(
        session=session, consultant_id=consultant_id, accreditation_id=accreditation_id, actor=actor.email
    )


@router.get("/consultants/{consultant_id}/reviews")
def list_reviews(consultant_id: Id, session: SessionDep, _: AnyUser) -> list[ReviewRecordPublic]:
    return store.list_reviews(session=session, consultant_id=consultant_id)


@router.post("/consultants/{consultant_id}/reviews", status_code=status.HTTP_201_CREATED)
def add_review(
    consultant_id: Id, body: ReviewRecordCreate, session: SessionDep, actor: AdminUser
) -> ReviewRecordPublic:
    return store.add_review(session=session, consultant_id=consultant_id, data=body, actor=actor.email)


@router.patch("/consultants/{consultant_id}/reviews/{review_id}")
def update_review(
    consultant_id: Id, review_id: Id, body: ReviewRecordUpdate, session: SessionDep, actor: AdminUser
) -> ReviewRecordPublic:
    """Change a review record, typically to add its completion date, rating (1-4) and comment."""
    return store.update_review(
        session=session, consultant_id=consultant_id, review_id=review_id, data=body, actor=actor.email
    )


@router.delete("/consultants/{consultant_id}/reviews/{review_id}", **NO_CONTENT)
def delete_review(consultant_id: Id, review_id: Id, session: SessionDep, actor: AdminUser) -> None:
    store.delete_review(session=session, consultant_id=consultant_id, review_id=review_id, actor=actor.email)
