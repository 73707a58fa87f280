"""Chronology pages: an agency contact's requests across cases, and the upload page where their file is
checked before anything of it is stored; the chronologies section of a case's page (where each agency
stands, the chart with its text alternative and figures, the documents) and the case's glossary.

Who reaches what is ``service.chronology_access``, as for the API: a person who may not know of a case
is told it does not exist (audited), and every download and personal view is audited (``opened``). Files
go through ``commissioning.chronology_store.upload`` and documents through ``service.chronologies``, so a
page, the API and the command line check and render alike. Nothing of a chronology goes to Slack.

Sending is two steps. The chosen file is checked only (a dry run); the page lists every problem by row
and column, or the warnings to accept, or what a corrected file would change. Its confirm form carries
the checked file back (compressed, in hidden fields) with a keyed hash tying it to this person, case,
agency and content, so what is sent is exactly what was checked; the store checks it again as it keeps it.
"""

import base64
import hashlib
import secrets
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from sqlmodel import Session, col, select
from starlette.datastructures import FormData, UploadFile

from commissioning import chronology_store
from commissioning.chronology.documents import Rendering, count
from commissioning.chronology.timeline import Figures, figures
from commissioning.models import Case, ChronologyRequest, Partnership
from core import clock
from core.errors import Invalid
from registry.models import Agency
from service import chronologies, chronology_notices
from service.access import hidden, no_case
from service.chronology_access import ChronologyAccess, Need, chronology_access, opened
from service.db import SessionDep, UnitOfWorkRoute
from service.models import Role, User
from service.page_sessions import keyed_hash
from service.web.pages import PageRefused, flash_then_redirect, reached, render
from service.web.session import CheckedForm, page_grants, page_user

router = APIRouter(prefix="/admin", include_in_schema=False, route_class=UnitOfWorkRoute)

AgencyContactPage = Annotated[
    User, Depends(page_user(lambda g: g.regional == Role.agency_contact, "agencies' contacts"))
]
SenderPage = Annotated[
    User,
    Depends(
        page_user(
            lambda g: g.regional == Role.agency_contact or g.holds(Role.commissioner, Role.admin),
            "agencies' contacts, and the commissioners and admins of partnerships",
        )
    ),
]
# Every reader of a chronology: chronology_access decides which case, and how much of it.
ReaderPage = Annotated[
    User,
    Depends(
        page_user(
            lambda g: g.regional in (Role.agency_contact, Role.reviewer) or g.holds(),
            "the review's own people",
        )
    ),
]
DocumentFormat = Literal["docx", "xlsx", "pdf"]
VIEW_WORDS = {"coded": "coded view", "personal": "personal view"}
CHUNK = 900_000  # characters in one hidden field: a form field holds at most 1 MiB


def reach(request: Request, session: Session, user: User, ref: str, need: Need) -> ChronologyAccess:
    """Case ``ref``'s chronologies as far as the signed-in person may reach them for ``need``; the
    not-found page to anyone who may not know of the case (audited), the 403 page saying who may."""
    return reached(lambda: chronology_access(request, session, page_grants(request), ref, need), user=user)


def _request_of(
    request: Request, session: Session, user: User, ref: str, agency_id: str
) -> tuple[ChronologyAccess, chronology_store.RequestView]:
    """Case ``ref`` as far as the person may send its chronologies, and its request to ``agency_id``; an
    agency contact naming another agency learns nothing of it (the not-found page, audited as a refused
    probe)."""
    access = reach(request, session, user, ref, "send")
    if access.agency_id is not None and access.agency_id != agency_id:
        hidden(request, no_case(ref))
        raise PageRefused(404, "Not found", no_case(ref), user=user)
    found = chronology_store.request_views(
        session, case=access.case, today=clock.today(), agency_id=agency_id
    )
    if not found:
        raise PageRefused(
            404, "Not found", f"Case {ref} has asked no such agency for a chronology.", user=user
        )
    return access, found[0]


def _partnership_name(session: Session, case: Case) -> str:
    lead = session.get(Partnership, case.partnership_id)
    return lead.name if lead is not None else ""


# An agency contact's requests ----------------------------------------------------------------------


@dataclass(frozen=True)
class AgencyRequest:
    """One request to the contact's agency, as their list shows it."""

    case: Case
    partnership: str
    view: chronology_store.RequestView


@router.get("/chronologies")
def request_list(request: Request, session: SessionDep, user: AgencyContactPage) -> Response:
    """Every case that asked the contact's agency for its chronology, soonest due first."""
    today = clock.today()
    rows = []
    cases = session.exec(
        select(Case)
        .join(ChronologyRequest, col(ChronologyRequest.case_id) == Case.id)
        .where(ChronologyRequest.agency_id == user.agency_id)
    ).all()
    for case in cases:
        for view in chronology_store.request_views(session, case=case, today=today, agency_id=user.agency_id):
            rows.append(AgencyRequest(case, _partnership_name(session, case), view))
    rows.sort(key=lambda row: (row.view.standing.state == "accepted", row.view.request.due_on, row.case.ref))
    agency = session.get(Agency, user.agency_id) if user.agency_id else None
    context = {"section": "chronologies", "rows": rows, "agency": agency.name if agency else ""}
    return render(request, "chronologies/list.html", context, user=user)


# The blank template and the request letter ---------------------------------------------------------


def _download(content: bytes, media_type: str, filename: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


@router.get("/chronologies/{ref}/{agency_id}/template.{fmt}")
def template(
    request: Request,
    session: SessionDep,
    user: SenderPage,
    ref: str,
    agency_id: str,
    fmt: Literal["docx", "xlsx"],
) -> Response:
    """The blank chronology with the lead partnership's columns and this request's period."""
    access, view = _request_of(request, session, user, ref, agency_id)
    made = chronologies.template(
        session, fmt=fmt, today=clock.today(), case=access.case, agency_id=view.request.agency_id
    )
    return _download(made.content, made.media_type, made.filename)


@router.get("/chronologies/{ref}/{agency_id}/letter.{fmt}")
def request_letter(
    request: Request,
    session: SessionDep,
    user: SenderPage,
    ref: str,
    agency_id: str,
    fmt: Literal["docx", "pdf"],
) -> Response:
    """The request letter to the agency, as Word or PDF."""
    from commissioning.chronology import letters

    access, view = _request_of(request, session, user, ref, agency_id)
    upload_url = str(request.url_for("upload_page", ref=ref, agency_id=agency_id))
    facts = chronologies.request_facts(session, case=access.case, view=view, upload_url=upload_url)
    content = letters.letter_docx(facts) if fmt == "docx" else letters.letter_pdf(facts)
    return _download(content, chronologies.MEDIA[fmt], letters.filename(facts, fmt))


# The upload page: check, then send -----------------------------------------------------------------


def _upload_page(
    request: Request,
    session: Session,
    user: User,
    access: ChronologyAccess,
    view: chronology_store.RequestView,
    *,
    outcome: chronology_store.Upload | None = None,
    held: Mapping[str, Any] | None = None,
    errors: Mapping[str, str] | None = None,
    status: int = 200,
) -> Response:
    case = access.case
    columns = chronologies.columns_for(session, case)
    versions = chronology_store.versions(session, request=view.request)
    context = {
        "section": "chronologies" if access.agency_id else "cases",
        "case": case,
        "view": view,
        "partnership": _partnership_name(session, case),
        "current": versions[0] if versions else None,
        "headers": {column.key: column.header for column in columns},
        "outcome": outcome,
        "held": held,
        "errors": errors or {},
        "labels": {"file": "Chronology file"},
        "back": ("/admin/chronologies", "All your requests")
        if access.agency_id
        else (f"/admin/cases/{case.ref}", f"Case {case.ref}"),
    }
    return render(request, "chronologies/upload.html", context, user=user, status=status)


@router.get("/chronologies/{ref}/{agency_id}", name="upload_page")
def upload_page(
    request: Request, session: SessionDep, user: SenderPage, ref: str, agency_id: str
) -> Response:
    return _upload_page(request, session, user, *_request_of(request, session, user, ref, agency_id))


def _seal(user: User, ref: str, agency_id: str, filename: str, data: bytes) -> str:
    """The keyed hash tying a checked file to who checked it, for which request, and its content."""
    digest = hashlib.sha256(data).hexdigest()
    return keyed_hash("chronology-check", f"{user.id}|{ref}|{agency_id}|{filename}|{digest}")


def _hold(user: User, ref: str, agency_id: str, filename: str, data: bytes) -> dict[str, Any]:
    """The checked file as the confirm form carries it back."""
    text = base64.b64encode(zlib.compress(data)).decode()
    return {
        "filename": filename,
        "chunks": [text[i : i + CHUNK] for i in range(0, len(text), CHUNK)] or [""],
        "seal": _seal(user, ref, agency_id, filename, data),
    }


def _held(form: FormData, user: User, ref: str, agency_id: str) -> tuple[str, bytes] | None:
    """The file a confirm form carries back, if it is the one this person checked for this request."""
    filename = str(form.get("filename", ""))
    try:
        data = zlib.decompress(base64.b64decode("".join(str(c) for c in form.getlist("held")), validate=True))
    except (ValueError, zlib.error):
        return None
    sealed = secrets.compare_digest(str(form.get("seal", "")), _seal(user, ref, agency_id, filename, data))
    return (filename, data) if sealed and filename else None


@router.post("/chronologies/{ref}/{agency_id}")
def send(
    request: Request, session: SessionDep, user: SenderPage, form: CheckedForm, ref: str, agency_id: str
) -> Response:
    """Check a chosen file (storing none of it), or send the file checked before (``confirm``)."""
    access, view = _request_of(request, session, user, ref, agency_id)
    case, columns = access.case, chronologies.columns_for(session, access.case)

    def upload(filename: str, data: bytes, **how: bool) -> chronology_store.Upload:
        return chronology_store.upload(
            session=session,
            case=case,
            request=view.request,
            filename=filename,
            data=data,
            actor=user.email,
            columns=columns,
            **how,
        )

    def page(**context: Any) -> Response:
        return _upload_page(request, session, user, access, view, **context)

    if form.get("confirm") == "1":
        held = _held(form, user, ref, agency_id)
        if held is None:
            message = "The checked file could not be read back: choose the file again and check it"
            return page(errors={"file": message}, status=422)
        outcome = upload(*held, confirm=True)
        if outcome.result != "accepted":
            return page(outcome=outcome, status=422)
        if outcome.everything_in:
            chronology_notices.everything_in(session, case=case, actor=user.email)
        accepted = f", with {count(len(outcome.warnings), 'warning')} accepted" if outcome.warnings else ""
        return flash_then_redirect(
            request,
            f"The chronology of {view.agency} for case {ref} was accepted as version {outcome.version}: "
            f"{count(outcome.rows, 'row')}{accepted}.",
            str(_upload_back(access)),
        )
    chosen = form.get("file")
    if not isinstance(chosen, UploadFile) or not chosen.filename:
        return page(errors={"file": "Choose the chronology file: Word, Excel or CSV"}, status=422)
    filename, data = chosen.filename, chosen.file.read()
    outcome = upload(filename, data, dry_run=True)
    if outcome.result == "rejected":
        upload(filename, data)  # nothing of the file is kept: only the note that it had problems
        return page(outcome=outcome, status=422)
    return page(outcome=outcome, held=_hold(user, ref, agency_id, filename, data))


def _upload_back(access: ChronologyAccess) -> str:
    return "/admin/chronologies" if access.agency_id else f"/admin/cases/{access.case.ref}#chronologies"


# A case's chronology: the section of its page, the chart, the documents ----------------------------


@dataclass(frozen=True)
class Section:
    """What a case page's chronologies section shows a person: where each agency stands; for the
    review's own people the chart's figures and the documents; for its commissioners the request form."""

    ref: str
    views: list[chronology_store.RequestView]
    rows: bool
    manage: bool
    unasked: list[str]
    proposed: tuple[date, date] | None
    figures: Figures | None


def rendering(session: Session, case: Case, found: chronology_store.CaseChronology) -> Rendering:
    """What the chart and its figures are drawn for (as ``service.chronologies.render`` draws them)."""
    return Rendering(
        reference=case.ref,
        period=found.period,
        partnership=_partnership_name(session, case),
        agencies=found.agencies,
        glossary=found.glossary,
        columns=found.columns,
    )


def case_figures(session: Session, case: Case, agency_id: str | None = None) -> Figures | None:
    """The chart's figures and text alternative, once some agency has been asked."""
    found = chronologies.case_chronology(session, case=case, today=clock.today(), agency_id=agency_id)
    if not found.agencies:
        return None
    return figures(found.composite, rendering(session, case, found))


def case_section(request: Request, session: Session, ref: str, *, has_terms: bool) -> Section | None:
    """The section for case ``ref``'s page, or None for someone who may not see where agencies stand."""
    try:
        access = chronology_access(request, session, page_grants(request), ref, "status")
    except HTTPException:
        return None
    case, today = access.case, clock.today()
    views = chronology_store.request_views(session, case=case, today=today)
    asked = {view.request.agency_id for view in views}
    unasked = [a.name for a in chronology_store.case_agencies(session, case) if a.id not in asked]
    period = chronologies.proposed_period(case, today) if access.manage and has_terms and unasked else None
    return Section(
        ref=ref,
        views=views,
        rows=access.rows,
        manage=access.manage,
        unasked=unasked,
        proposed=(period.start, period.end) if period else None,
        figures=case_figures(session, case) if access.rows and views else None,
    )


@router.get("/cases/{ref}/chronology/timeline.png")
def timeline(request: Request, session: SessionDep, user: ReaderPage, ref: str) -> Response:
    """The timeline chart the case's page shows (an agency contact's, their own agency's lane)."""
    access = reach(request, session, user, ref, "read")
    drawn = chronologies.render(
        session, case=access.case, fmt="png", view="coded", today=clock.today(), agency_id=access.agency_id
    )
    opened(session, access, actor=user.email, what="timeline.png", view="coded")
    return Response(drawn.content, media_type=drawn.media_type, headers={"Cache-Control": "no-store"})


@router.get("/cases/{ref}/chronology.{fmt}")
def document(
    request: Request,
    session: SessionDep,
    user: ReaderPage,
    ref: str,
    fmt: DocumentFormat,
    view: Literal["coded", "personal"] = "coded",
) -> Response:
    """The composite as a document, coded unless the personal view is asked for; each opening audited."""
    access = reach(request, session, user, ref, "read")
    try:
        made = chronologies.render(
            session, case=access.case, fmt=fmt, view=view, today=clock.today(), agency_id=access.agency_id
        )
    except Invalid as error:
        raise PageRefused(404, "Nothing to show yet", error.message, user=user) from None
    opened(session, access, actor=user.email, what=fmt, view=view)
    return _download(made.content, made.media_type, made.filename)


# The glossary ---------------------------------------------------------------------------------------

BLANK_ROWS = 5


def _glossary_page(
    request: Request,
    session: Session,
    user: User,
    case: Case,
    pairs: list[tuple[str, str]],
    *,
    errors: Mapping[str, str] | None = None,
) -> Response:
    context = {
        "section": "cases",
        "case": case,
        "pairs": [*pairs, *[("", "")] * BLANK_ROWS],
        "errors": errors or {},
        "labels": {"glossary": "Glossary"},
    }
    return render(request, "chronologies/glossary.html", context, user=user, status=422 if errors else 200)


@router.get("/cases/{ref}/glossary")
def glossary_page(request: Request, session: SessionDep, user: ReaderPage, ref: str) -> Response:
    case = reach(request, session, user, ref, "manage").case
    pairs = [(term.name, term.code) for term in chronology_store.glossary_terms(session, case=case)]
    return _glossary_page(request, session, user, case, pairs)


@router.post("/cases/{ref}/glossary")
def save_glossary(
    request: Request, session: SessionDep, user: ReaderPage, form: CheckedForm, ref: str
) -> Response:
    """Replace the case's glossary with the pairs typed (blank rows left out), refused whole if one is
    wrong."""
    case = reach(request, session, user, ref, "manage").case
    typed = list(zip(form.getlist("name"), form.getlist("code"), strict=False))
    pairs = [(str(name), str(code)) for name, code in typed if str(name).strip() or str(code).strip()]
    try:
        saved = chronology_store.set_glossary(session, case=case, pairs=pairs, actor=user.email)
    except Invalid as error:
        return _glossary_page(request, session, user, case, pairs, errors={"glossary": error.message})
    return flash_then_redirect(
        request,
        f"The glossary of case {ref} was saved: {len(saved.terms)} names.",
        f"/admin/cases/{ref}#chronologies",
    )
