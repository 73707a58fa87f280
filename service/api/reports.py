"""The thematic briefing over HTTP: ``GET /api/v1/reports/thematic`` as JSON, CSV, HTML, PDF or DOCX.

Who reads which briefing is ``service.briefings``'s to say; the briefing is
``commissioning.briefing_store``'s. Nothing is written.
"""

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from commissioning import briefing_store
from commissioning.briefing.documents import MEDIA, Format, document
from commissioning.briefing.facts import Period
from core import clock
from core.errors import Invalid
from service import briefings
from service.access import GrantsDep, _requirement
from service.api.cases import rulesets
from service.api.schemas import BriefingOut
from service.db import SessionDep, UnitOfWorkRoute
from service.models import User

router = APIRouter(prefix="/api/v1", tags=["reports"], route_class=UnitOfWorkRoute)

BriefingReader = Annotated[
    User,
    Depends(
        _requirement(
            briefings.may_read,
            "The thematic briefing is read by the people of a partnership, and by analysts and list admins "
            "in its publishable version.",
        )
    ),
]


def period(start: dt.date, end: dt.date) -> Period:
    if end < start:
        raise Invalid(
            f"The period ends ({end}) before it starts ({start}): give a 'to' day on or after the 'from' "
            "day.",
            [{"loc": ["query", "to"], "msg": "must be on or after 'from'"}],
        )
    return Period(start, end)


@router.get(
    "/reports/thematic",
    response_model=BriefingOut,
    responses={200: {"content": {MEDIA[fmt]: {} for fmt in ("csv", "html", "pdf", "docx")}}},
)
def thematic(
    session: SessionDep,
    grants: GrantsDep,
    _: BriefingReader,
    from_: Annotated[dt.date, Query(alias="from", description="cases from this day (included)")],
    to: Annotated[dt.date, Query(description="cases up to this day (included)")],
    partnership: Annotated[
        str | None, Query(min_length=2, max_length=6, pattern=r"^[A-Za-z]{2,6}$", description="its prefix")
    ] = None,
    publishable: Annotated[
        bool | None, Query(description="the publishable version; left out, the fullest the caller may read")
    ] = None,
    format: Annotated[Format, Query(description="json, csv, html, pdf or docx")] = "json",
) -> Response:
    """The thematic briefing of a partnership's cases (or, publishable, across partnerships) in a period:
    a case counts by the day the local authority learned of it. Each figure says its denominator;
    counts and percentages are null where the publishable version suppresses them."""
    chosen = briefings.scope(session, grants, prefix=partnership, publishable=publishable)
    found = briefing_store.thematic_briefing(
        session,
        period=period(from_, to),
        partnership=chosen.partnership,
        publishable=chosen.publishable,
        rulesets=rulesets(),
        today=clock.today(),
    )
    made = document(found, format, prefix=chosen.partnership.prefix if chosen.partnership else None)
    headers = {} if format == "json" else {"Content-Disposition": f'attachment; filename="{made.filename}"'}
    return Response(made.content, media_type=made.media_type, headers=headers)
