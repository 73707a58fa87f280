"""Read-only case pages for chairs and commissioners: the cases with their next deadlines, and one
case's decision, commissions and terms-of-reference versions.

Reads go through ``commissioning.store``, ``commissioning.commissions`` and ``commissioning.terms_store``;
a download is the API's own download route called with the signed-in user, so the file, its name and
its headers are the same whichever way it is fetched.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from commissioning import commissions, terms_store
from commissioning import store as case_store
from commissioning.models import CaseStatus
from core.errors import NotFound
from service.api.terms import Format, download_terms
from service.db import SessionDep, UnitOfWorkRoute
from service.models import User
from service.web.pages import MAX_NUMBER, PageRefused, page_number, render
from service.web.session import CasesPage

router = APIRouter(prefix="/admin/cases", include_in_schema=False, route_class=UnitOfWorkRoute)

PAGE_SIZE = 25


@dataclass(frozen=True)
class Deadline:
    outcome: str
    day: date
    basis: str


def _governing(view: case_store.CaseView) -> Mapping[str, Any]:
    """The decision in force: the board's when it has decided, else the engine's recommendation."""
    board = view.board
    return board.result if board is not None else view.recommendation.result


def _deadlines(result: Mapping[str, Any], *, today: date) -> list[Deadline]:
    """The dated deadlines still ahead in a decision, soonest first."""
    ahead = [
        Deadline(
            outcome["type"], date.fromisoformat(outcome["deadline"]["date"]), outcome["deadline"]["basis"]
        )
        for outcome in result.get("outcomes", ())
        if (outcome.get("deadline") or {}).get("date")
    ]
    return sorted((d for d in ahead if d.day >= today), key=lambda d: d.day)


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
    rows = [(view, _governing(view), _deadlines(_governing(view), today=today)) for view in views]
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
    context = {
        "section": "cases",
        "view": view,
        "decision": _governing(view),
        "deadlines": _deadlines(_governing(view), today=date.today()),
        "commissions": commissions.list_commissions(session=session, ref=ref),
        "versions": terms_store.list_versions(session=session, ref=ref),
        "formats": list(Format),
    }
    return render(request, "cases/case.html", context, user=user)


@router.get("/{ref}/terms/{version:int}.{fmt}")
def download(ref: str, version: int, fmt: Format, session: SessionDep, user: CasesPage) -> Response:
    try:
        if not 0 < version <= MAX_NUMBER:
            raise NotFound(f"Case {ref} has no terms of reference version {version}.")
        return download_terms(ref=ref, version=version, fmt=fmt, session=session, _=user)
    except NotFound as error:
        raise _not_found(user, error.message) from None
