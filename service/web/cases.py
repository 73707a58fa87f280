"""Read-only case pages for chairs and commissioners: the cases with their next deadlines, and one
case's decision, commissions and terms-of-reference versions.

Reads go through ``commissioning.store``, ``commissioning.commissions`` and ``commissioning.terms_store``;
a download is ``terms_store.download``, as the API's, so the file, its name and its headers are the same
whichever way it is fetched.
"""

import math
from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response

from commissioning import commissions, rules, terms_store
from commissioning import store as case_store
from commissioning.decisions import Due, StoredDecision
from commissioning.models import CaseStatus
from commissioning.render import Format
from core.errors import NotFound
from service.db import SessionDep, UnitOfWorkRoute
from service.models import User
from service.people import names
from service.settings import get_settings
from service.web.pages import MAX_NUMBER, PageRefused, page_number, render
from service.web.session import CasesPage

router = APIRouter(prefix="/admin/cases", include_in_schema=False, route_class=UnitOfWorkRoute)

PAGE_SIZE = 25


def _row(
    view: case_store.CaseView, today: date
) -> tuple[case_store.CaseView, StoredDecision, tuple[Due, ...]]:
    """A case with the decision in force and its deadlines ahead, as the list shows them."""
    governing = view.governing()
    return view, governing.decision, governing.ahead(today)


@router.get("")
def case_list(
    request: Request, session: SessionDep, user: CasesPage, status: str = "", page: int = 1
) -> Response:
    page = page_number(page, PAGE_SIZE)
    chosen = CaseStatus(status) if status in set(CaseStatus) else None
    views, total = case_store.list_cases(
        session=session, status=chosen, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    today = date.today()
    rows = [_row(view, today) for view in views]
    pages = max(1, math.ceil(total / PAGE_SIZE))
    context = {
        "section": "cases",
        "rows": rows,
        "total": total,
        "status": status,
        "statuses": list(CaseStatus),
        "page": page,
        "pages": pages,
    }
    return render(request, "cases/list.html", context, user=user)


def _not_found(user: User, message: str) -> PageRefused:
    return PageRefused(404, "Not found", message, user=user)


@router.get("/{ref}")
def case_page(request: Request, session: SessionDep, user: CasesPage, ref: str) -> Response:
    try:
        view = case_store.get_case(session=session, ref=ref)
    except NotFound as error:
        raise _not_found(user, error.message) from None
    governing = view.governing()
    versions = terms_store.list_versions(session=session, ref=ref)
    actors = [
        view.case.created_by,
        *(d.decided_by for d in view.decisions),
        *(v.created_by for v in versions),
    ]
    context = {
        "section": "cases",
        "view": view,
        "decision": governing.decision,
        "deadlines": governing.ahead(date.today()),
        "newer": case_store.newer_rules(view, rules.load_all(get_settings().rule_settings)),
        "commissions": commissions.list_commissions(session=session, ref=ref),
        "versions": versions,
        "formats": list(Format),
        "named": names(session, actors),
        "today": date.today(),
    }
    return render(request, "cases/case.html", context, user=user)


@router.get("/{ref}/terms/{version:int}.{fmt}")
def download(ref: str, version: int, fmt: Format, session: SessionDep, user: CasesPage) -> Response:
    try:
        if not 0 < version <= MAX_NUMBER:
            raise NotFound(f"Case {ref} has no terms of reference version {version}.")
        document = terms_store.download(session=session, ref=ref, version=version, fmt=fmt)
    except NotFound as error:
        raise _not_found(user, error.message) from None
    return Response(document.body, media_type=document.media_type, headers=document.headers)
