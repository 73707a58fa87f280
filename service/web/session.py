"""Signing in to the admin pages: a signed session cookie, a form token, and a brake on guessing.

The session lives in a signed cookie (starlette's SessionMiddleware, installed by ``create_app``):
HttpOnly, SameSite=Lax, path ``/admin``, Secure when ``SCR_SECURE_COOKIES`` is set. It holds the user's
id, a fingerprint of their password hash (so setting a new password ends every other session) and
the form token that each POST must send back.
"""

import hashlib
import math
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from service.db import SessionDep
from service.models import Role, User
from service.passwords import authenticate
from service.web.pages import PageRefused, SignInRequired, render

SESSION_COOKIE = "scr_admin"
WRONG_CREDENTIALS = "The email address or password is not right."

router = APIRouter(prefix="/admin", include_in_schema=False)


@dataclass
class _Failures:
    count: int
    last: float
    until: float


class Throttle:
    """Slows down password guessing for one email from one address.

    The first ``free`` failures cost nothing; from then on each failure makes the next attempt wait,
    doubling from ``first_wait`` up to ``longest`` seconds. An attempt during the wait is refused
    without checking the password, so guessing faster gains nothing. Memory is bounded: the oldest
    keys are dropped past ``max_keys``, and a key is forgotten ``forget_after`` seconds after its last
    failure.
    """

    def __init__(
        self,
        *,
        free: int = 3,
        first_wait: float = 5.0,
        longest: float = 300.0,
        forget_after: float = 3600.0,
        max_keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.free = free
        self.first_wait = first_wait
        self.longest = longest
        self.forget_after = forget_after
        self.max_keys = max_keys
        self.clock = clock
        self._failures: dict[tuple[str, str], _Failures] = {}
        self._lock = threading.Lock()

    def wait(self, key: tuple[str, str]) -> float:
        """Seconds before ``key`` may try again; 0 when it may try now."""
        with self._lock:
            failures = self._failures.get(key)
            if failures is None:
                return 0.0
            now = self.clock()
            if now - failures.last > self.forget_after:
                del self._failures[key]
                return 0.0
            return max(0.0, failures.until - now)

    def failed(self, key: tuple[str, str]) -> None:
        with self._lock:
            now = self.clock()
            failures = self._failures.pop(key, None) or _Failures(count=0, last=now, until=now)
            failures.count += 1
            failures.last = now
            if failures.count >= self.free:
                failures.until = now + min(self.longest, self.first_wait * 2 ** (failures.count - self.free))
            self._failures[key] = failures
            while len(self._failures) > self.max_keys:
                del self._failures[next(iter(self._failures))]

    def succeeded(self, key: tuple[str, str]) -> None:
        with self._lock:
            self._failures.pop(key, None)


THROTTLE = Throttle()


def get_throttle() -> Throttle:
    """The process's throttle; tests replace it through ``app.dependency_overrides``."""
    return THROTTLE


ThrottleDep = Annotated[Throttle, Depends(get_throttle)]


def password_fingerprint(user: User) -> str:
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:16]


def _holds_nul(items: Iterable[tuple[str, Any]]) -> bool:
    """PostgreSQL text cannot hold NUL characters: input with one is refused before it reaches a query."""
    return any(isinstance(value, str) and "\x00" in value for _, value in items)


def page_user(*roles: Role) -> Callable[[Request, SessionDep], User]:
    """A dependency giving the signed-in user when they hold one of ``roles``; else sign-in or a 403 page."""
    names = ", ".join(f"{role.value}s" for role in roles)

    def check(request: Request, session: SessionDep) -> User:
        user_id = request.session.get("uid")
        user = session.get(User, user_id) if isinstance(user_id, int) else None
        if user is None or not user.active or request.session.get("pw") != password_fingerprint(user):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            raise SignInRequired(target)
        if user.role not in roles:
            raise PageRefused(
                403,
                "You do not have access to this page",
                f"This page is for {names}. You are signed in as {user.email}, a {user.role}.",
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


AdminPage = Annotated[User, Depends(page_user(Role.admin))]
CasesPage = Annotated[User, Depends(page_user(Role.admin, Role.commissioner, Role.chair))]


async def checked_form(request: Request) -> FormData:
    """The posted form, once its token matches the session's; otherwise nothing runs and nothing is saved."""
    form = await request.form()
    sent = form.get("csrf_token")
    expected = request.session.get("csrf")
    if not isinstance(sent, str) or not expected or not secrets.compare_digest(sent, expected):
        raise PageRefused(
            403,
            "The form could not be accepted",
            "The form was out of date or did not come from this service, so nothing was saved. "
            "Go back, reload the page and try again.",
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
    key = (email.strip().lower(), request.client.host if request.client else "")
    context = {"email": email, "next": _safe_next(next_page)}
    wait = throttle.wait(key)
    if wait > 0:
        seconds = math.ceil(wait)
        message = f"Too many failed attempts. Wait {seconds} seconds, then try again."
        response = render(request, "sign_in.html", {**context, "errors": {"password": message}}, status=429)
        response.headers["Retry-After"] = str(seconds)
        return response
    user = authenticate(session, email=email, password=password)
    if user is None:
        throttle.failed(key)
        return render(
            request, "sign_in.html", {**context, "errors": {"password": WRONG_CREDENTIALS}}, status=400
        )
    throttle.succeeded(key)
    request.session.clear()
    request.session.update(uid=user.id, pw=password_fingerprint(user), csrf=secrets.token_urlsafe(32))
    return RedirectResponse(_safe_next(next_page), status_code=303)


@router.post("/sign-out")
def sign_out(request: Request, _: CheckedForm) -> Response:
    request.session.clear()
    return RedirectResponse("/admin/sign-in?signed_out=true", status_code=303)
