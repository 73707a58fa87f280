"""Signing in to the admin pages: a session kept in the database, a form token, and a brake on guessing.

The browser's cookie holds only a random id (``service.web.cookie``); the session it names is a row of
``page_session`` (``service.page_sessions``), so signing out, a new password or a revoked user ends it at
once in every worker. Each POST must carry the session's form token and come from this service's own
pages (its ``Origin``, or failing that its ``Referer``); a refusal to a signed-in user is audited.
"""

import math
import secrets
from collections.abc import Callable, Iterable
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session
from starlette.datastructures import FormData

from service import page_sessions
from service.access import Grants, grants_of
from service.db import SessionDep, UnitOfWorkRoute
from service.models import Role, User
from service.passwords import authenticate
from service.settings import get_settings
from service.web.cookie import clear_cookie, expected_csrf, set_session_cookie, signed_in
from service.web.pages import PageRefused, SignInRequired, render, standing
from service.web.throttle import ThrottleDep

WRONG_CREDENTIALS = "The email address or password is not right."
DEFAULT_PORTS = {"http": 80, "https": 443}

router = APIRouter(prefix="/admin", include_in_schema=False, route_class=UnitOfWorkRoute)


def _holds_nul(items: Iterable[tuple[str, Any]]) -> bool:
    """PostgreSQL text cannot hold NUL characters: input with one is refused before it reaches a query."""
    return any(isinstance(value, str) and "\x00" in value for _, value in items)


def page_user(allowed: Callable[[Grants], bool], names: str) -> Callable[[Request, SessionDep], User]:
    """A dependency giving the signed-in user when their roles pass ``allowed`` (the page is for
    ``names``); else sign-in or a 403 page. Their roles are kept on the request (``page_grants``)."""

    def check(request: Request, session: SessionDep) -> User:
        live = signed_in(request, session)
        user = session.get(User, live.row.user_id) if live is not None else None
        if user is None or not user.active or not user.password_hash:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            raise SignInRequired(target)
        grants = grants_of(session, user)
        request.state.grants = grants
        if not allowed(grants):
            held = standing(grants)
            raise PageRefused(
                403,
                "You do not have access to this page",
                f"This page is for {names}. You are signed in as {user.shown_name}: "
                f"{held[:1].lower()}{held[1:]}.",
                user=user,
            )
        if _holds_nul([*request.query_params.multi_items(), *request.path_params.items()]):
            raise PageRefused(
                400,
                "The address is not valid",
                "It holds a NUL character, which cannot be searched for. Remove it and try again.",
                user=user,
            )
        return user

    return check


def page_grants(request: Request) -> Grants:
    """The roles of the user a page dependency let through."""
    grants = request.state.grants
    assert isinstance(grants, Grants)
    return grants


list_admins = page_user(lambda g: g.list_admin, "list admins")
AdminPage = Annotated[User, Depends(list_admins)]
# The users pages: list admins manage everyone, a partnership's admins the people of their partnership.
people_admins = page_user(
    lambda g: g.list_admin or g.holds(Role.admin), "list admins and the admins of partnerships"
)
PeoplePage = Annotated[User, Depends(people_admins)]
SignedInPage = Annotated[User, Depends(page_user(lambda g: True, "everyone signed in"))]
CasesPage = Annotated[
    User, Depends(page_user(lambda g: g.holds(), "the admins, commissioners and chairs of partnerships"))
]


def _origin(url: str) -> str | None:
    """``scheme://host[:port]`` of ``url``, the default port left out; None when it has no host."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if scheme not in DEFAULT_PORTS or not host:
        return None
    host = f"[{host}]" if ":" in host else host
    return f"{scheme}://{host}" + (f":{port}" if port and port != DEFAULT_PORTS[scheme] else "")


def _from_this_service(request: Request) -> bool:
    """Whether the browser says the form was posted from one of this service's own pages.

    Browsers send ``Origin`` with every form POST (and the pages' referrer policy keeps ``Referer`` for
    their own origin), and a page on another site cannot change either, nor the ``Host`` the browser
    sends. So the request's own origin is the right comparison, and ``SCR_SERVICE_URL``'s is allowed too,
    for a proxy that ends TLS without being named in ``SCR_TRUSTED_PROXIES``. A request with neither
    header is refused: no browser of ours omits both.
    """
    sent = request.headers.get("origin")
    if sent is None or sent == "null":
        sent = request.headers.get("referer")
    origin = _origin(sent) if sent else None
    return origin is not None and origin in {_origin(str(request.url)), _origin(get_settings().service_url)}


async def checked_form(request: Request) -> FormData:
    """The posted form, once it is shown to come from this service's pages with the session's token;
    otherwise nothing runs and nothing is saved."""
    live = await run_in_threadpool(signed_in, request)
    user = live.user if live is not None else None
    if not _from_this_service(request):
        raise PageRefused(
            403,
            "The form could not be accepted",
            "The form did not come from this service's own pages, so nothing was saved. "
            "Go back, reload the page and try again.",
            user=user,
        )
    form = await request.form()
    sent = form.get("csrf_token")
    expected = await run_in_threadpool(expected_csrf, request)
    if not isinstance(sent, str) or not expected or not secrets.compare_digest(sent, expected):
        raise PageRefused(
            403,
            "The form could not be accepted",
            "The form was out of date or did not come from this service, so nothing was saved. "
            "Go back, reload the page and try again.",
            user=user,
        )
    if _holds_nul(form.multi_items()):
        raise PageRefused(
            400,
            "The form could not be accepted",
            "A field holds a NUL character, which cannot be stored, so nothing was saved. "
            "Go back, remove it and try again.",
        )
    return form


CheckedForm = Annotated[FormData, Depends(checked_form)]


def _safe_next(target: str | None) -> str:
    """Only ever return to an admin page on this site."""
    return target if target and target.startswith("/admin") else "/admin"


@router.get("/sign-in")
def sign_in_page(
    request: Request,
    next_page: Annotated[str | None, Query(alias="next", max_length=2000)] = None,
    signed_out: bool = False,
) -> Response:
    return render(request, "sign_in.html", {"next": _safe_next(next_page), "signed_out": signed_out})


@router.post("/sign-in")
def sign_in(
    request: Request,
    session: SessionDep,
    throttle: ThrottleDep,
    _: CheckedForm,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next_page: Annotated[str, Form(alias="next", max_length=2000)] = "/admin",
) -> Response:
    tried = {"email": email, "address": request.client.host if request.client else ""}
    context = {"email": email, "next": _safe_next(next_page)}
    wait = throttle.wait(session, **tried)
    if wait > 0:
        seconds = math.ceil(wait)
        message = f"Too many failed attempts. Wait {seconds} seconds, then try again."
        response = render(request, "sign_in.html", {**context, "errors": {"password": message}}, status=429)
        response.headers["Retry-After"] = str(seconds)
        return response
    user = authenticate(session, email=email, password=password)
    if user is None:
        throttle.failed(session, **tried)
        return render(
            request, "sign_in.html", {**context, "errors": {"password": WRONG_CREDENTIALS}}, status=400
        )
    throttle.succeeded(session, email=email)
    _end_this_session(request, session)
    session_id = page_sessions.start(session, user, hours=get_settings().session_hours)
    response = RedirectResponse(_safe_next(next_page), status_code=303)
    set_session_cookie(response, session_id)
    return response


@router.post("/sign-out")
def sign_out(request: Request, session: SessionDep, _: CheckedForm) -> Response:
    _end_this_session(request, session)
    response = RedirectResponse("/admin/sign-in?signed_out=true", status_code=303)
    clear_cookie(response)
    return response


def _end_this_session(request: Request, session: Session) -> None:
    """End the session the request's cookie names, if it is live: a new sign-in never reuses an id."""
    live = signed_in(request, session)
    if live is not None:
        page_sessions.end(session, live.row)
