"""The admin pages' cookie: which session a request belongs to, and the token its forms must send back.

The cookie (HttpOnly, SameSite=Lax, path ``/admin``, Secure when ``SCR_SECURE_COOKIES`` is set) holds
only a random id. Signed in, the id names a row of ``page_session``, which holds the user and the form
token. Before signing in it names nothing stored: the sign-in form's token is a keyed hash of the id, so
only that browser can send it back, and nothing is written for people who have not signed in.
"""

import re
import secrets

from fastapi import Request, Response
from sqlmodel import Session

from service import page_sessions
from service.db import get_engine
from service.page_sessions import Live
from service.settings import get_settings

SESSION_COOKIE = "scr_admin"
COOKIE_PATH = "/admin"
_ID = re.compile(rf"[A-Za-z0-9_-]{{1,{page_sessions.MAX_ID_LENGTH}}}")
_NOT_LOOKED_UP = object()


def _cookie_id(request: Request) -> str | None:
    value = request.cookies.get(SESSION_COOKIE)
    return value if value and _ID.fullmatch(value) else None


def signed_in(request: Request, db: Session | None = None) -> Live | None:
    """The request's live session, looked up once per request (it blocks: call it from a worker thread)."""
    cached = getattr(request.state, "page_session", _NOT_LOOKED_UP)
    if cached is not _NOT_LOOKED_UP:
        return cached  # type: ignore[return-value]
    session_id = _cookie_id(request)
    live = None
    if session_id and db is not None:
        live = page_sessions.find(db, session_id)
    elif session_id:
        with Session(get_engine(), expire_on_commit=False) as own:
            live = page_sessions.find(own, session_id)
    request.state.page_session = live
    return live


def _visitor_token(visitor_id: str) -> str:
    return page_sessions.keyed_hash("sign-in-form", visitor_id)


def csrf_token(request: Request) -> str:
    """The token this request's forms carry: the session's, or before sign-in one tied to the cookie."""
    live = signed_in(request)
    if live is not None:
        return live.row.csrf
    visitor_id = _cookie_id(request) or getattr(request.state, "new_visitor_id", None)
    if visitor_id is None:
        visitor_id = request.state.new_visitor_id = secrets.token_urlsafe(32)
    return _visitor_token(visitor_id)


def expected_csrf(request: Request) -> str | None:
    """The token a form posted with this request's cookie must carry; None when it has no cookie."""
    live = signed_in(request)
    if live is not None:
        return live.row.csrf
    visitor_id = _cookie_id(request)
    return _visitor_token(visitor_id) if visitor_id else None


def _set(response: Response, value: str, *, max_age: int | None) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        value,
        max_age=max_age,
        path=COOKIE_PATH,
        secure=get_settings().secure_cookies,
        httponly=True,
        samesite="lax",
    )


def remember_visitor(request: Request, response: Response) -> None:
    """Give a new visitor the cookie their form's token was made for (a browser-session cookie)."""
    visitor_id = getattr(request.state, "new_visitor_id", None)
    if visitor_id:
        _set(response, visitor_id, max_age=None)


def set_session_cookie(response: Response, session_id: str) -> None:
    _set(response, session_id, max_age=get_settings().session_hours * 3600)


def clear_cookie(response: Response) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path=COOKIE_PATH, secure=get_settings().secure_cookies, httponly=True, samesite="lax"
    )
