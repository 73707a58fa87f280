"""Agencies' chronologies over HTTP: the blank template, requests to a case's agencies and their letters,
uploading a chronology (checked whole first), the merged chronology in every format, and the glossary.

Who may do what is ``service.chronology_access``'s to say; the shell's own service glue is
``service.chronologies``. Every opening of a chronology (and of the glossary's names) is audited in the
same unit of work as the answer. Nothing here sends a message: issuing requests (``issue_requests``) and
accepting a file (``upload_chronology``) each happen in one function, where a notification can follow.
"""

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Path, Query, Request, Response, UploadFile, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session, col, select

from commissioning import chronology_store
from commissioning.chronology import letters
from commissioning.chronology.dates import Period
from commissioning.chronology.glossary import View
from commissioning.models import Case, ChronologyRequest
from core import clock
from core.errors import Invalid
from core.values import Line
from registry.agencies import resolve_agency
from service import chronologies, chronology_notices
from service.access import Grants, GrantsDep, forbidden
from service.api.params import REF_PATTERN, Ref
from service.chronology_access import ChronologyAccess, chronology_access, opened
from service.db import SessionDep, UnitOfWorkRoute
from service.models import Role
from service.request_ids import with_id

router = APIRouter(prefix="/api/v1", tags=["chronologies"], route_class=UnitOfWorkRoute)

ViewQuery = Annotated[
    View, Query(description="coded (names replaced by the glossary's codes) or personal (as written)")
]
AgencyText = Annotated[Line, Field(min_length=1, max_length=200)]


def _document(content: bytes, media_type: str, filename: str) -> Response:
    return Response(
        content, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


# The template -------------------------------------------------------------------------------------------


@router.get(
    "/chronology/template.{fmt}",
    response_class=Response,
    responses={200: {"content": {chronologies.MEDIA["docx"]: {}, chronologies.MEDIA["xlsx"]: {}}}},
)
def chronology_template(
    fmt: Literal["docx", "xlsx"],
    request: Request,
    session: SessionDep,
    grants: GrantsDep,
    case: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=32,
            pattern=REF_PATTERN,
            description="a case reference: its partnership's own columns and its period under review",
        ),
    ] = None,
) -> Response:
    """The blank chronology an agency fills in, as one Word table or one worksheet with the same columns;
    for ``case``, with the columns its partnership adds and the period the caller's request covers."""
    access = chronology_access(request, session, grants, case, "status") if case is not None else None
    made = chronologies.template(
        session,
        fmt=fmt,
        today=clock.today(),
        case=access.case if access else None,
        agency_id=access.agency_id if access else None,
    )
    return _document(made.content, made.media_type, made.filename)


# Requests to agencies -----------------------------------------------------------------------------------


class PeriodIn(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    start: date = Field(alias="from", description="the first day under review")
    end: date = Field(alias="to", description="the last day under review")


class RequestsIn(BaseModel):
    """Which agencies to ask (the case's agencies, by id, name or alias; all of them when left out) and
    over which period (the one the terms propose when left out)."""

    model_config = ConfigDict(extra="forbid")
    period: PeriodIn | None = None
    agencies: list[AgencyText] | None = Field(default=None, max_length=100)


def _agency_ids(session: Session, names: list[str]) -> list[str]:
    found, unknown = [], []
    for name in names:
        agency = resolve_agency(session=session, name=name)
        if agency is None:
            unknown.append(name)
        else:
            found.append(agency.id)
    if unknown:
        raise Invalid(
            "No agency on the register is called " + ", ".join(repr(name) for name in unknown) + ".",
            [{"loc": ["body", "agencies"], "msg": f"no agency called {name!r}"} for name in unknown],
        )
    return found


def _links(ref: str, view: chronology_store.RequestView) -> dict[str, Any]:
    letter = f"/api/v1/cases/{ref}/chronology/requests/{view.request.agency_id}/letter"
    return {**view.to_json(), "letter": {"docx": f"{letter}.docx", "pdf": f"{letter}.pdf"}}


@router.post("/cases/{ref}/chronology/requests", status_code=201)
def issue_requests(
    ref: Ref, request: Request, session: SessionDep, grants: GrantsDep, body: RequestsIn | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Ask the case's agencies for their chronologies, each with its own questions and due date; agencies
    already asked keep their request (``already``)."""
    access = chronology_access(request, session, grants, ref, "manage")
    body = body or RequestsIn()
    today = clock.today()
    made, already = chronologies.issue(
        session,
        case=access.case,
        actor=grants.user.email,
        today=today,
        period=Period(body.period.start, body.period.end) if body.period else None,
        agencies=_agency_ids(session, body.agencies) if body.agencies is not None else None,
    )
    chronology_notices.requested(
        session,
        case=access.case,
        requests=made,
        base_url=chronology_notices.public_base(str(request.base_url)),
        actor=grants.user.email,
    )
    views = {
        view.request.id: view
        for view in chronology_store.request_views(session, case=access.case, today=today)
    }
    return {
        "requests": [_links(ref, views[r.id]) for r in made],
        "already": [_links(ref, views[r.id]) for r in already],
    }


@router.get("/cases/{ref}/chronology/requests")
def list_requests(
    ref: Ref, request: Request, session: SessionDep, grants: GrantsDep
) -> dict[str, list[dict[str, Any]]]:
    """Where each agency's chronology stands (an agency's contact sees their own agency's only)."""
    access = chronology_access(request, session, grants, ref, "status")
    views = chronology_store.request_views(
        session, case=access.case, today=clock.today(), agency_id=access.agency_id
    )
    return {"requests": [_links(ref, view) for view in views]}


def _own_request(session: Session, access: ChronologyAccess, agency: str) -> ChronologyRequest:
    """The case's request to ``agency``; an agency's contact reaches only their own agency's."""
    found = chronology_store.request_for(session, case=access.case, agency=agency)
    if access.agency_id is not None and found.agency_id != access.agency_id:
        raise forbidden("An agency's contact sends and reads only their own agency's chronology.")
    return found


@router.get(
    "/cases/{ref}/chronology/requests/{agency}/letter.{fmt}",
    response_class=Response,
    responses={200: {"content": {chronologies.MEDIA["docx"]: {}, chronologies.MEDIA["pdf"]: {}}}},
)
def request_letter(
    ref: Ref,
    agency: Annotated[Line, Path(min_length=1, max_length=200, description="the agency's id, name or alias")],
    fmt: Literal["docx", "pdf"],
    request: Request,
    session: SessionDep,
    grants: GrantsDep,
) -> Response:
    """The request letter to one agency (its id, name or alias), as Word or PDF."""
    access = chronology_access(request, session, grants, ref, "send")
    asked = _own_request(session, access, agency)
    (view,) = chronology_store.request_views(
        session, case=access.case, today=clock.today(), agency_id=asked.agency_id
    )
    base = chronology_notices.public_base(str(request.base_url))
    upload_url = chronology_notices.upload_url(base, ref, asked.agency_id)
    facts = chronologies.request_facts(session, case=access.case, view=view, upload_url=upload_url)
    make = letters.letter_docx if fmt == "docx" else letters.letter_pdf
    return _document(make(facts), chronologies.MEDIA[fmt], letters.filename(facts, fmt))


# Uploading a chronology ---------------------------------------------------------------------------------


def _refused(outcome: chronology_store.Upload) -> JSONResponse:
    """The 422 for a file that cannot be accepted: every problem, by row and column as the file shows."""
    errors = [problem for problem in outcome.problems if problem.severity == "error"]
    if len(errors) == 1 and errors[0].row is None:
        detail = errors[0].msg
    else:
        count = f"{len(errors)} problem{'' if len(errors) == 1 else 's'}"
        detail = (
            f"The file has {count} to correct, each listed with its row and column: nothing from it was "
            "stored. Correct the file and send it again."
        )
    body = with_id({"detail": detail, "problems": [problem.to_json() for problem in outcome.problems]})
    return JSONResponse(body, status_code=422)


@router.post(
    "/cases/{ref}/chronologies",
    status_code=201,
    responses={
        200: {"description": "checked only (a dry run), or a corrected file's changes awaiting confirm=true"},
        422: {"description": "the file's problems, each with its row and column; nothing was stored"},
    },
)
def upload_chronology(
    ref: Ref,
    request: Request,
    response: Response,
    session: SessionDep,
    grants: GrantsDep,
    agency: Annotated[Line, Form(min_length=1, max_length=200, description="the agency's id, name or alias")],
    file: Annotated[UploadFile, File(description="the filled-in chronology: DOCX, XLSX or CSV")],
    dry_run: Annotated[bool, Query(description="check the file and store nothing")] = False,
    confirm: Annotated[
        bool, Query(description="replace the agency's accepted chronology with this corrected one")
    ] = False,
) -> Any:
    """Check an agency's chronology row by row and, when nothing is wrong, store it as the agency's
    current version. A corrected file replacing an accepted one is compared first: its changes are
    answered (200) until it is sent again with ``confirm=true``."""
    access = chronology_access(request, session, grants, ref, "send")
    asked = _own_request(session, access, agency)
    outcome = chronology_store.upload(
        session=session,
        case=access.case,
        request=asked,
        filename=file.filename or "",
        data=file.file.read(),
        actor=grants.user.email,
        columns=chronologies.columns_for(session, access.case),
        dry_run=dry_run,
        confirm=confirm,
    )
    if outcome.everything_in:
        chronology_notices.everything_in(session, case=access.case, actor=grants.user.email)
    if outcome.result == "rejected":
        return _refused(outcome)  # the note that the agency's file had problems is committed with it
    if outcome.result != "accepted":
        response.status_code = status.HTTP_200_OK
    return {**outcome.to_json(), "everything_in": outcome.everything_in}


# The merged chronology ----------------------------------------------------------------------------------


def _period(period: Period | None) -> dict[str, str] | None:
    return {"from": period.start.isoformat(), "to": period.end.isoformat()} if period else None


@router.get("/cases/{ref}/chronology.json")
def chronology_json(
    ref: Ref, request: Request, session: SessionDep, grants: GrantsDep, view: ViewQuery = "coded"
) -> dict[str, Any]:
    """The merged chronology as ``rows`` in date order, each with its agency, with its ``gaps`` and
    ``clusters`` (an agency's contact gets their own agency's rows only)."""
    access = chronology_access(request, session, grants, ref, "read")
    found = chronologies.case_chronology(
        session, case=access.case, today=clock.today(), agency_id=access.agency_id
    )
    opened(session, access, actor=grants.user.email, what="json", view=view)
    return {
        "case_ref": access.case.ref,
        "view": view,
        **found.composite.to_json(lambda text: found.glossary.render(text, view)),
        "agencies": list(found.agencies),
        "period": _period(found.period),
    }


def _rendered(
    request: Request, session: Session, grants: Grants, ref: str, fmt: chronologies.Format, view: View
) -> Response:
    access = chronology_access(request, session, grants, ref, "read")
    rendered = chronologies.render(
        session, case=access.case, fmt=fmt, view=view, today=clock.today(), agency_id=access.agency_id
    )
    what = fmt if fmt in ("docx", "xlsx", "pdf") else f"timeline.{fmt}"
    opened(session, access, actor=grants.user.email, what=what, view=view)
    return _document(rendered.content, rendered.media_type, rendered.filename)


@router.get(
    "/cases/{ref}/chronology.{fmt}",
    response_class=Response,
    responses={200: {"content": {chronologies.MEDIA[fmt]: {} for fmt in ("docx", "xlsx", "pdf")}}},
)
def chronology_document(
    ref: Ref,
    fmt: Literal["docx", "xlsx", "pdf"],
    request: Request,
    session: SessionDep,
    grants: GrantsDep,
    view: ViewQuery = "coded",
) -> Response:
    """The merged chronology as a Word document, a workbook or a PDF, with its marks and chart."""
    return _rendered(request, session, grants, ref, fmt, view)


@router.get(
    "/cases/{ref}/chronology/timeline.{fmt}",
    response_class=Response,
    responses={200: {"content": {chronologies.MEDIA[fmt]: {} for fmt in ("png", "svg")}}},
)
def chronology_timeline(
    ref: Ref,
    fmt: Literal["png", "svg"],
    request: Request,
    session: SessionDep,
    grants: GrantsDep,
    view: ViewQuery = "coded",
) -> Response:
    """The timeline chart: a lane per agency, the incident marked, the gaps shaded."""
    return _rendered(request, session, grants, ref, fmt, view)


# The glossary -------------------------------------------------------------------------------------------


class TermIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Line = Field(max_length=200, description="a name as the chronologies write it")
    code: Line = Field(max_length=100, description="what the coded view shows instead: Mother, Child A, GP1")


class GlossaryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    terms: list[TermIn] = Field(max_length=1000)


def _terms(glossary: dict[str, str]) -> dict[str, list[dict[str, str]]]:
    return {"terms": [{"name": name, "code": code} for name, code in sorted(glossary.items())]}


@router.get("/cases/{ref}/chronology/glossary")
def get_glossary(
    ref: Ref, request: Request, session: SessionDep, grants: GrantsDep
) -> dict[str, list[dict[str, str]]]:
    """The case's glossary: each name and the code the coded view shows for it (its opening is audited,
    as a personal view is: it holds the family's names)."""
    access = chronology_access(request, session, grants, ref, "read")
    opened(session, access, actor=grants.user.email, what="glossary", view="personal")
    return _terms(chronology_store.glossary_of(session, case=access.case).terms)


@router.put("/cases/{ref}/chronology/glossary")
def put_glossary(
    ref: Ref, body: GlossaryIn, request: Request, session: SessionDep, grants: GrantsDep
) -> dict[str, list[dict[str, str]]]:
    """Replace the case's glossary, refused whole (422, every problem named) if any name or code is wrong."""
    access = chronology_access(request, session, grants, ref, "manage")
    pairs = [(term.name, term.code) for term in body.terms]
    return _terms(
        chronology_store.set_glossary(session, case=access.case, pairs=pairs, actor=grants.user.email).terms
    )


# An agency contact's own requests -----------------------------------------------------------------------


@router.get("/me/chronology/requests")
def my_requests(session: SessionDep, grants: GrantsDep) -> dict[str, list[dict[str, Any]]]:
    """An agency's contact's requests, across every case and partnership that asked their agency: the
    case, when each is due and where it stands."""
    if grants.regional != Role.agency_contact:
        raise forbidden(
            "This lists the requests made to an agency contact's own agency; a case's requests are listed "
            "with the case."
        )
    agency_id = grants.user.agency_id
    cases = session.exec(
        select(Case)
        .join(ChronologyRequest, col(ChronologyRequest.case_id) == Case.id)
        .where(ChronologyRequest.agency_id == agency_id)
    ).all()
    today = clock.today()
    found = [
        {"case_ref": case.ref, **_links(case.ref, view)}
        for case in cases
        for view in chronology_store.request_views(session, case=case, today=today, agency_id=agency_id)
    ]
    return {"requests": sorted(found, key=lambda item: (item["due_on"], item["case_ref"]))}
