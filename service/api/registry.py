"""The approved list over HTTP: agencies, consultants and their records, status actions, CSV.

The list is regional: list admins keep it (every write, the CSV export, recording a reminder sent to a
consultant). Everyone else but the bot reads it, with least privilege: chairs and analysts see names,
specialisms and standing only (``ConsultantListed``); personal details and the records kept about a
consultant are for list admins and for the commissioners and admins of partnerships, who commission
(``service.access``). The search box and the card (what Slack's ``/scr consultant`` shows) are for those
who commission. Each
route hands its work to the registry's database modules, which validate and audit each change; the
request's unit of work commits it. Domain errors become HTTP in ``service.app``.
"""

from typing import Annotated, Any

from fastapi import APIRouter, File, Path, Query, Response, UploadFile, status
from sqlmodel import SQLModel

from commissioning import consultant_views
from commissioning.consultant_views import CheckOut, ConsultantCard
from core import clock
from core.values import Line, OptionalLine
from registry import agencies, consultants, importer, records, sync
from registry.importer import ImportReport
from registry.lifecycle import Action
from registry.models import (
    SLUG,
    AccreditationCreate,
    AgencyCreate,
    AgencyPublic,
    AgencyUpdate,
    ConsultantCreate,
    ConsultantDetail,
    ConsultantListed,
    ConsultantListedPage,
    ConsultantPage,
    ConsultantPublic,
    ConsultantUpdate,
    EngagementCreate,
    EngagementUpdate,
    InterestCreate,
    ReviewRecordCreate,
    ReviewRecordUpdate,
    StatusChange,
)
from registry.vocabulary import AgencyKind, ConsultantStatus, Specialism
from service.access import (
    AnyCommissioner,
    GrantsDep,
    ListAdmin,
    ListDetailReader,
    ListReader,
    sees_personal_details,
)
from service.api.params import MAX_ID, Id
from service.api.schemas import ReminderIn, ReminderOut
from service.db import SessionDep, UnitOfWorkRoute
from service.policy import PolicyDep
from service.settings import get_settings
from service.slack_settings import slack_team_key
from service.status_changes import change_status

router = APIRouter(prefix="/api/v1", tags=["registry"], route_class=UnitOfWorkRoute)
# Path and query values go to the database as given: bound them so none can make it fail.
AgencyId = Annotated[str, Path(max_length=64, pattern=SLUG, description="the agency's id (a slug)")]
NO_CONTENT = {"status_code": status.HTTP_204_NO_CONTENT, "response_class": Response}


# Agencies --------------------------------------------------------------------------------------


@router.get("/agencies")
def list_agencies(
    session: SessionDep,
    _: ListReader,
    area: Annotated[OptionalLine, Query(max_length=100)] = None,
    kind: AgencyKind | None = None,
    q: Annotated[OptionalLine, Query(max_length=200, description="part of the name")] = None,
) -> list[AgencyPublic]:
    """Agencies by name, with their aliases."""
    return agencies.list_agencies(session=session, area=area, kind=kind, q=q)


@router.post("/agencies", status_code=status.HTTP_201_CREATED)
def create_agency(body: AgencyCreate, session: SessionDep, actor: ListAdmin) -> AgencyPublic:
    """Add an agency; 409 if its id, name or an alias already belongs to one."""
    return agencies.create_agency(session=session, data=body, actor=actor.email)


@router.get("/agencies/{agency_id}")
def get_agency(agency_id: AgencyId, session: SessionDep, _: ListReader) -> AgencyPublic:
    return agencies.get_agency(session=session, agency_id=agency_id)


@router.patch("/agencies/{agency_id}")
def update_agency(
    agency_id: AgencyId, body: AgencyUpdate, session: SessionDep, actor: ListAdmin
) -> AgencyPublic:
    """Change an agency; ``aliases``, when sent, replaces them all."""
    return agencies.update_agency(session=session, agency_id=agency_id, data=body, actor=actor.email)


@router.delete("/agencies/{agency_id}", **NO_CONTENT)
def delete_agency(agency_id: AgencyId, session: SessionDep, actor: ListAdmin) -> None:
    """Delete an agency no engagement or interest names; 409 otherwise."""
    agencies.delete_agency(session=session, agency_id=agency_id, actor=actor.email)


# Consultants -----------------------------------------------------------------------------------


@router.get("/consultants")
def list_consultants(
    session: SessionDep,
    _: ListReader,
    grants: GrantsDep,
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
) -> ConsultantPage | ConsultantListedPage:
    """Consultants by name, filtered, one page at a time; ``total`` counts every match. Chairs and analysts
    get names, specialisms and standing only, and cannot filter by what they may not see."""
    if not sees_personal_details(grants):
        expiring_within_days = None
    page = consultants.list_consultants(
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
    return page if sees_personal_details(grants) else ConsultantListedPage.of(page)


# One Slack account is linked to one person (``registry.slack_ids``).
TAKEN = {409: {"description": "the email or Slack member id belongs to someone else; `detail` names who"}}


@router.post("/consultants", status_code=status.HTTP_201_CREATED, responses=TAKEN)
def create_consultant(body: ConsultantCreate, session: SessionDep, actor: ListAdmin) -> ConsultantPublic:
    """Add a consultant as an applicant; 409 if the email is already on the list, or the Slack member id
    belongs to another consultant or a board user."""
    return consultants.create_consultant(
        session=session, data=body, actor=actor.email, slack_team=slack_team_key(body.slack_team_id)
    )


@router.get("/consultants/export", response_class=Response, responses={200: {"content": {"text/csv": {}}}})
def export_consultants(session: SessionDep, _: ListAdmin) -> Response:
    """Every consultant as CSV, in the columns the import reads (see the README)."""
    return Response(
        sync.export_csv(session=session),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="consultants-{clock.today().isoformat()}.csv"'
        },
    )


@router.get("/consultants/search")
def search_consultants(
    session: SessionDep,
    _: AnyCommissioner,
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
    return consultants.list_consultants(session=session, status=status, search=q, limit=limit, offset=offset)


@router.post(
    "/consultants/import",
    responses={409: {"description": "rows give Slack member ids that belong to someone else (`findings`)"}},
)
def import_consultants(
    session: SessionDep,
    actor: ListAdmin,
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
    return sync.import_csv(
        session=session,
        text=importer.decode(file.file.read()),
        actor=actor.email,
        max_rows=settings.csv_max_rows,
        dry_run=dry_run,
        reapproval_years=settings.reapproval_years,
    )


@router.get("/consultants/{consultant_id}")
def get_consultant(
    consultant_id: Id, session: SessionDep, _: ListReader, grants: GrantsDep
) -> ConsultantDetail | ConsultantListed:
    """A consultant with their engagements, interests, accreditations and review records; to a chair or
    an analyst, their name, specialisms and standing only."""
    found = consultants.get_consultant(session=session, consultant_id=consultant_id)
    return found if sees_personal_details(grants) else ConsultantListed.of(found)


@router.get("/consultants/{consultant_id}/card")
def consultant_card(
    consultant_id: Id, session: SessionDep, _: AnyCommissioner, policy: PolicyDep
) -> ConsultantCard:
    """The record with the places held, each check's state (falling due: within 30 days) and the status
    actions open now."""
    return consultant_views.card(
        session=session,
        consultant_id=consultant_id,
        today=clock.today(),
        dbs_recheck_years=policy.dbs_recheck_years,
    )


@router.patch("/consultants/{consultant_id}", responses=TAKEN)
def update_consultant(
    consultant_id: Id, body: ConsultantUpdate, session: SessionDep, actor: ListAdmin
) -> ConsultantPublic:
    """Change the fields sent. Status changes have their own actions."""
    team = slack_team_key(body.slack_team_id) if body.slack_team_id else None
    return consultants.update_consultant(
        session=session, consultant_id=consultant_id, data=body, actor=actor.email, slack_team=team
    )


@router.delete("/consultants/{consultant_id}", **NO_CONTENT)
def delete_consultant(consultant_id: Id, session: SessionDep, actor: ListAdmin) -> None:
    """Delete an applicant added by mistake; 409 for anyone approved before (remove them instead)."""
    consultants.delete_consultant(session=session, consultant_id=consultant_id, actor=actor.email)


NOT_ALLOWED = {409: {"description": "not allowed from the consultant's status; `allowed` lists what is"}}


@router.post("/consultants/{consultant_id}/approve", responses=NOT_ALLOWED)
def approve(consultant_id: Id, body: StatusChange, session: SessionDep, actor: ListAdmin) -> ConsultantPublic:
    """Approve an applicant, or re-approve an approved consultant: sets approved_on and reapproval_due."""
    return change_status(session, consultant_id, Action.approve, body, actor=actor.email)


@router.post("/consultants/{consultant_id}/suspend", responses=NOT_ALLOWED)
def suspend(consultant_id: Id, body: StatusChange, session: SessionDep, actor: ListAdmin) -> ConsultantPublic:
    """Suspend an approved consultant."""
    return change_status(session, consultant_id, Action.suspend, body, actor=actor.email)


@router.post("/consultants/{consultant_id}/remove", responses=NOT_ALLOWED)
def remove(consultant_id: Id, body: StatusChange, session: SessionDep, actor: ListAdmin) -> ConsultantPublic:
    """Remove a consultant from the list; their history stays."""
    return change_status(session, consultant_id, Action.remove, body, actor=actor.email)


@router.post("/consultants/{consultant_id}/reinstate", responses=NOT_ALLOWED)
def reinstate(
    consultant_id: Id, body: StatusChange, session: SessionDep, actor: ListAdmin
) -> ConsultantPublic:
    """Reinstate a suspended consultant (approval dates kept) or a removed one (approved afresh)."""
    return change_status(session, consultant_id, Action.reinstate, body, actor=actor.email)


@router.post("/consultants/{consultant_id}/reminders")
def remind(
    consultant_id: Id, body: ReminderIn, session: SessionDep, actor: ListAdmin, policy: PolicyDep
) -> ReminderOut:
    """Record that the consultant is being asked to renew a check, and say where (their Slack id): the
    bot sends the message. 409 if they have no Slack account on record."""
    consultant, check = consultants.record_reminder(
        session=session,
        consultant_id=consultant_id,
        check=body.check,
        actor=actor.email,
        today=clock.today(),
        dbs_recheck_years=policy.dbs_recheck_years,
    )
    assert consultant.slack_user_id is not None
    return ReminderOut(
        consultant_id=consultant_id,
        name=consultant.name,
        slack_user_id=consultant.slack_user_id,
        slack_team_id=consultant.slack_team_id,
        check=CheckOut.of(check),
    )


# What is recorded about a consultant -----------------------------------------------------------


def _record_routes(
    kind: records.RecordKind[Any],
    *,
    create: type[SQLModel],
    update: type[SQLModel] | None = None,
    add_description: str | None = None,
    update_description: str | None = None,
) -> None:
    """List (any role), add, change (when ``update`` is given) and delete (admin) one kind of record.

    Each kind gets the paths, operation names and schemas it had when its routes were written out one by
    one, so the OpenAPI describes the same operations.
    """
    plural = f"{kind.noun}s"
    records_path = f"/consultants/{{consultant_id}}/{plural}"
    record_path = f"{records_path}/{{{kind.noun}_id}}"
    RecordId = Annotated[int, Path(alias=f"{kind.noun}_id", ge=1, le=MAX_ID)]

    def listed(consultant_id: Id, session: SessionDep, _: ListDetailReader) -> list[Any]:
        return records.list_records(session=session, kind=kind, consultant_id=consultant_id)

    def added(consultant_id: Id, body: create, session: SessionDep, actor: ListAdmin) -> Any:  # type: ignore[valid-type]
        return records.add_record(
            session=session, kind=kind, consultant_id=consultant_id, data=body, actor=actor.email
        )

    def changed(
        consultant_id: Id,
        record_id: RecordId,
        body: update,  # type: ignore[valid-type]
        session: SessionDep,
        actor: ListAdmin,
    ) -> Any:
        return records.update_record(
            session=session,
            kind=kind,
            consultant_id=consultant_id,
            record_id=record_id,
            data=body,
            actor=actor.email,
        )

    def deleted(consultant_id: Id, record_id: RecordId, session: SessionDep, actor: ListAdmin) -> None:
        records.delete_record(
            session=session, kind=kind, consultant_id=consultant_id, record_id=record_id, actor=actor.email
        )

    router.add_api_route(
        records_path, listed, methods=["GET"], name=f"list_{plural}", response_model=list[kind.public]
    )
    router.add_api_route(
        records_path,
        added,
        methods=["POST"],
        name=f"add_{kind.noun}",
        status_code=status.HTTP_201_CREATED,
        response_model=kind.public,
        description=add_description,
    )
    if update is not None:
        router.add_api_route(
            record_path,
            changed,
            methods=["PATCH"],
            name=f"update_{kind.noun}",
            response_model=kind.public,
            description=update_description,
        )
    router.add_api_route(record_path, deleted, methods=["DELETE"], name=f"delete_{kind.noun}", **NO_CONTENT)


_record_routes(
    records.ENGAGEMENT,
    create=EngagementCreate,
    update=EngagementUpdate,
    add_description="Record a tie with an agency (named by id, name or alias); 422 if no agency has that "
    "name.",
)
_record_routes(records.INTEREST, create=InterestCreate)
_record_routes(records.ACCREDITATION, create=AccreditationCreate)
_record_routes(
    records.REVIEW,
    create=ReviewRecordCreate,
    update=ReviewRecordUpdate,
    update_description="Change a review record, typically to add its completion date, rating (1-4) and "
    "comment.",
)
