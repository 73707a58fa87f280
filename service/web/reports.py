"""The thematic briefing page: choose the period, the partnership and the version; read the figures in
tables; download the briefing as PDF, DOCX, HTML or CSV. Who reads which briefing is
``service.briefings``'s to say, as it is for the API."""

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response
from sqlmodel import col, select

from commissioning import briefing_store, rules
from commissioning.briefing import tables
from commissioning.briefing.documents import document
from commissioning.briefing.facts import Period
from commissioning.briefing.report import Briefing
from commissioning.models import Partnership
from core import clock
from core.errors import Invalid
from service import briefings
from service.db import SessionDep, UnitOfWorkRoute
from service.models import User
from service.settings import get_settings
from service.web.pages import PageRefused, render
from service.web.session import page_grants, page_user

router = APIRouter(prefix="/admin", include_in_schema=False, route_class=UnitOfWorkRoute)

BriefingPage = Annotated[
    User, Depends(page_user(briefings.may_read, "the people of partnerships, and analysts and list admins"))
]
Prefix = Annotated[str | None, Query(max_length=6, pattern=r"^[A-Za-z]{0,6}$")]
Version = Annotated[Literal["internal", "publishable"] | None, Query()]
DownloadFormat = Literal["pdf", "docx", "html", "csv"]


def _period(start: date | None, end: date | None) -> tuple[Period, str | None]:
    """The period asked for (this year so far when not given), and what is wrong with it, if anything."""
    today = clock.today()
    start, end = start or date(today.year, 1, 1), end or today
    if end < start:
        return Period(
            start, start
        ), "The period ends before it starts: give a 'to' day on or after the 'from' day."
    return Period(start, end), None


@dataclass(frozen=True)
class Asked:
    """The briefing the page and its download are asked for, from the same query: the period, what is
    wrong with it (if anything), the partnership's prefix and the version."""

    period: Period
    problem: str | None
    partnership: str | None
    version: str | None


def _asked(
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
    partnership: Prefix = None,
    version: Version = None,
) -> Asked:
    period, problem = _period(start, end)
    return Asked(period, problem, partnership, version)


AskedQuery = Annotated[Asked, Depends(_asked)]


def _made(request: Request, session: SessionDep, user: User, asked: Asked) -> tuple[Briefing, str | None]:
    """The briefing asked for, with its partnership's prefix; a refusal page when it may not be read."""
    try:
        chosen = briefings.scope(
            session,
            page_grants(request),
            prefix=asked.partnership or None,
            publishable=None if asked.version is None else asked.version == "publishable",
        )
    except HTTPException as refused:
        raise PageRefused(refused.status_code, "Not your briefing", str(refused.detail), user=user) from None
    except Invalid as error:
        raise PageRefused(422, "Say whose briefing", error.message, user=user) from None
    made = briefing_store.thematic_briefing(
        session,
        period=asked.period,
        partnership=chosen.partnership,
        publishable=chosen.publishable,
        rulesets=rules.load_all(get_settings().rule_settings),
        today=clock.today(),
    )
    return made, chosen.partnership.prefix if chosen.partnership else None


@router.get("/reports/thematic")
def thematic_page(request: Request, session: SessionDep, user: BriefingPage, asked: AskedQuery) -> Response:
    grants = page_grants(request)
    made = None if asked.problem else _made(request, session, user, asked)[0]
    return render(
        request,
        "reports/thematic.html",
        {
            "section": "reports",
            "period": asked.period,
            "errors": {"to": asked.problem} if asked.problem else {},
            "partnerships": [
                p
                for p in session.exec(select(Partnership).order_by(col(Partnership.name))).all()
                if briefings.regional(grants) or grants.roles_in(p.id)
            ],
            "regional": briefings.regional(grants),
            "chosen": (asked.partnership or "").upper(),
            "version": asked.version or "",
            "briefing": made,
            "rows": {part.group.id: [tables.row(f) for f in part.figures] for part in made.shown}
            if made
            else {},
            "headings": tables.HEADINGS,
            "query": request.url.query,
        },
        user=user,
    )


@router.get("/reports/thematic/download")
def thematic_download(
    request: Request,
    session: SessionDep,
    user: BriefingPage,
    asked: AskedQuery,
    format: DownloadFormat = "pdf",
) -> Response:
    if asked.problem:
        raise PageRefused(422, "The period ends before it starts", asked.problem, user=user)
    made, prefix = _made(request, session, user, asked)
    found = document(made, format, prefix=prefix)
    return Response(
        found.content,
        media_type=found.media_type,
        headers={"Content-Disposition": f'attachment; filename="{found.filename}"'},
    )
