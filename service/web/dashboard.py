"""The admins' start page: approved consultants whose checks lapse within 30, 60 and 90 days, and
re-approvals falling due. Which consultants count as lapsing is ``registry.consultants``' rule, the one the
API's ``expiring_within_days`` filter uses; this page only groups them into bands."""

from dataclasses import dataclass
from datetime import date, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from core import clock
from registry import consultants
from registry.lifecycle import add_years
from registry.models import ConsultantPublic
from service.db import SessionDep, UnitOfWorkRoute
from service.models import Role
from service.policy import PolicyDep
from service.web.pages import render
from service.web.session import AdminPage, SignedInPage, page_grants

router = APIRouter(prefix="/admin", include_in_schema=False, route_class=UnitOfWorkRoute)

WINDOWS = (30, 60, 90)
# The approved list is 40 to 400 people; a band longer than this links to the filtered list instead.
BAND_LIMIT = 500


@dataclass(frozen=True)
class Lapsing:
    consultant: ConsultantPublic
    dbs_renewal_due: date | None


@dataclass(frozen=True)
class Band:
    title: str
    window: int
    rows: list[Lapsing]
    more: int


@router.get("")
def home(request: Request, user: SignedInPage) -> Response:
    """List admins start at the dashboard; the people of partnerships at their cases; an agency contact at
    their chronology requests, a reviewer at their reviews; anyone else (an analyst) at the partnerships."""
    grants = page_grants(request)
    start = (
        "dashboard"
        if grants.list_admin
        else "cases"
        if grants.holds()
        else {Role.agency_contact: "chronologies", Role.reviewer: "reviews"}.get(
            grants.regional, "partnerships"
        )
    )
    return RedirectResponse(f"/admin/{start}", status_code=303)


@router.get("/dashboard")
def dashboard(request: Request, session: SessionDep, user: AdminPage, policy: PolicyDep) -> Response:
    today = clock.today()
    recheck_years = policy.dbs_recheck_years
    bands: list[Band] = []
    seen: set[int] = set()
    previous = 0
    lapsing_within_90: list[ConsultantPublic] = []
    for window in WINDOWS:
        page = consultants.lapsing(
            session=session,
            today=today,
            within_days=window,
            dbs_recheck_years=recheck_years,
            limit=BAND_LIMIT,
        )
        rows = [
            Lapsing(c, add_years(c.dbs_check_date, recheck_years) if c.dbs_check_date else None)
            for c in page.items
            if c.id not in seen
        ]
        seen.update(c.id for c in page.items)
        title = (
            "Lapsed, or lapsing within 30 days"
            if not previous
            else f"Lapsing in {previous + 1} to {window} days"
        )
        bands.append(Band(title, window, rows, more=max(0, page.total - len(page.items))))
        previous = window
        lapsing_within_90 = page.items
    horizon = today + timedelta(days=WINDOWS[-1])
    reapprovals = sorted(
        (c for c in lapsing_within_90 if c.reapproval_due is not None and c.reapproval_due <= horizon),
        key=lambda c: (c.reapproval_due, c.name),
    )
    context = {
        "section": "dashboard",
        "bands": bands,
        "reapprovals": reapprovals,
        "today": today,
        "recheck_years": recheck_years,
        "horizon": horizon,
    }
    return render(request, "dashboard.html", context, user=user)
