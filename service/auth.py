"""Bearer-token authentication, role checks, and the audit of every refusal.

Tokens are random and long, so a SHA-256 digest is enough to store them safely and look them up by
index. The Slack bot holds a ``bot`` token and names the Slack user it acts for in
``X-Slack-User-Id``, and their workspace in ``X-Slack-Team-Id`` (a member id belongs to a workspace: the
same id in another is another person); the request then runs with that user's roles, in the
partnerships that workspace serves (``service.access.current_grants``). A consultant is not
a user: the bot names them by the Slack id on their record in the approved list, and they reach only
their own record (``CurrentConsultant``, the ``/api/v1/me`` routes). Every action the bot relays is
audited with how it came in (``relayed``: via Slack, the Slack user id and workspace) beside the linked
user or consultant.

Every 403 given to an authenticated caller is audited (``access.refused``), and so is every 404 that hides
a record from them (another partnership's case: ``service.access``). The request's own transaction is
rolled back with the refusal, so ``refusal_handler`` writes the event in one of its own.
"""

import hashlib
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.utils import is_body_allowed_for_status_code
from sqlalchemy import bindparam
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import joinedload
from sqlmodel import Session, col, select
from starlette.exceptions import HTTPException as StarletteHTTPException

from commissioning.models import Partnership
from core import audit
from core.transaction import unit_of_work
from registry import self_service
from registry.models import Consultant
from service.db import SessionDep, database_turn, get_engine
from service.models import PartnershipRole, Role, SlackIdentity, User
from service.request_ids import with_id
from service.slack_settings import slack_team_key

log = logging.getLogger("service.auth")

SLACK_USER_HEADER = "X-Slack-User-Id"
SLACK_TEAM_HEADER = "X-Slack-Team-Id"
USER_IDENTITY = "user:"  # a Caller's identity for a user: "user:12"
CALLER_USER = "caller_user"  # request.state: the caller, once found
HIDDEN = "hidden"  # request.state flag: a 404 that hides a record from the caller; audited as refused


def new_token() -> str:
    """A fresh API token; only its hash is stored."""
    return "scr_" + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# Every request's first query, built once: a statement built anew is worth as much again in SQLAlchemy's
# work as the query itself (it is keyed afresh for the compiled cache). The user's Slack identity is
# joined, rather than read in a second query.
_USER_BY_TOKEN = (
    select(User).where(User.token_hash == bindparam("token_hash")).options(joinedload(User.slack_identity))  # type: ignore[arg-type]
)


def user_for_token(session: Session, token: str) -> User | None:
    """The active user holding ``token``, if any."""
    user = session.exec(_USER_BY_TOKEN, params={"token_hash": hash_token(token)}).first()
    return user if user is not None and user.active else None


def _unauthorised(message: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail=message, headers={"WWW-Authenticate": "Bearer"})


bearer = HTTPBearer(auto_error=False, description="An API token from 'scr user add'.")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
SlackUserHeader = Annotated[str | None, Header(include_in_schema=False)]
SlackTeamHeader = Annotated[str | None, Header(include_in_schema=False)]


@dataclass(frozen=True)
class Caller:
    """Who a request runs as, kept on the request so that a refusal can be audited after the rollback."""

    actor: str  # as the audit log names them
    identity: str  # "user:12", "consultant:7", "slack:U0123" (a Slack user the service does not know)
    role: str
    slack_user_id: str | None = None  # the Slack user the bot relayed the request for
    slack_team_id: str | None = None  # their workspace, as the bot named it


def _remember(request: Request, caller: Caller) -> None:
    request.state.caller = caller


def relayed_from_slack(session: Session, slack_user_id: str, slack_team_id: str | None = None) -> None:
    """Have every audit event of this request (its session) say the bot relayed it for ``slack_user_id``
    (of workspace ``slack_team_id``, when the bot named it)."""
    relayed = {"via": "slack", "slack_user_id": slack_user_id[:32]}
    if slack_team_id:
        relayed["slack_team_id"] = slack_team_id[:32]
    session.info[audit.RELAYED] = relayed


def _user_caller(user: User, *, slack_user_id: str | None = None, slack_team_id: str | None = None) -> Caller:
    actor = user.email if slack_user_id is None else f"{user.email} (Slack {slack_user_id[:32]})"
    return Caller(actor, f"{USER_IDENTITY}{user.id}", str(user.role), slack_user_id, slack_team_id)


def _consultant_caller(consultant: Consultant, slack_user_id: str, slack_team_id: str | None) -> Caller:
    return Caller(consultant.email, f"consultant:{consultant.id}", "consultant", slack_user_id, slack_team_id)


def _forbidden(message: str) -> HTTPException:
    return HTTPException(status.HTTP_403_FORBIDDEN, detail=message)


def _token_user(request: Request, session: Session, credentials: HTTPAuthorizationCredentials | None) -> User:
    if credentials is None or not credentials.credentials:
        raise _unauthorised("Sign in: send 'Authorization: Bearer <token>'. Ask an admin for a token.")
    user = user_for_token(session, credentials.credentials.strip())
    if user is None:
        raise _unauthorised("That token is not valid or has been revoked. Ask an admin for a new one.")
    _remember(request, _user_caller(user))
    return user


def _unknown_slack_user(request: Request, bot: User, slack_user_id: str, slack_team_id: str | None) -> None:
    slack_user_id = slack_user_id[:32]
    actor = f"{bot.email} for Slack user {slack_user_id}"
    _remember(request, Caller(actor, f"slack:{slack_user_id}", "unlinked", slack_user_id, slack_team_id))


def known_caller(request: Request) -> User | None:
    """The caller, when this request has already found them (``caller_of``)."""
    known = getattr(request.state, CALLER_USER, None)
    return known if isinstance(known, User) else None


@dataclass(frozen=True)
class Presented:
    """What a request says about who sends it: its bearer token and, from the bot, the Slack user (and
    workspace) it acts for."""

    credentials: HTTPAuthorizationCredentials | None
    slack_user_id: str | None
    slack_team_id: str | None


async def _presented(
    credentials: Credentials, x_slack_user_id: SlackUserHeader = None, x_slack_team_id: SlackTeamHeader = None
) -> Presented:
    return Presented(credentials, x_slack_user_id, x_slack_team_id)


PresentedDep = Annotated[Presented, Depends(_presented)]


def caller_of(request: Request, session: Session, presented: Presented) -> User:
    """The caller, from ``Authorization: Bearer TOKEN`` (and, for the bot, the Slack user it acts for:
    a member id in a workspace, so someone linked in one workspace is unknown in another). Found once a
    request: the caller's grants (``service.access.current_grants``) and the route may both ask."""
    known = known_caller(request)
    if known is not None:
        return known
    user = _acting_user(request, session, presented)
    setattr(request.state, CALLER_USER, user)
    return user


def _acting_user(request: Request, session: Session, presented: Presented) -> User:
    user = _token_user(request, session, presented.credentials)
    slack_user_id, slack_team_id = presented.slack_user_id, presented.slack_team_id
    if user.role != Role.bot or not slack_user_id:
        return user
    team = slack_team_key(slack_team_id)
    acting = session.exec(
        select(User)
        .join(SlackIdentity, col(SlackIdentity.user_id) == User.id)
        .where(SlackIdentity.team_id == team, SlackIdentity.slack_user_id == slack_user_id)
    ).first()
    if acting is not None and acting.active:
        _remember(request, _user_caller(acting, slack_user_id=slack_user_id, slack_team_id=slack_team_id))
        relayed_from_slack(session, slack_user_id, slack_team_id)
        return acting
    consultant = self_service.by_slack_user(session=session, team_id=team, slack_user_id=slack_user_id)
    if consultant is not None:
        _remember(request, _consultant_caller(consultant, slack_user_id, slack_team_id))
        raise _forbidden(
            "You are on the approved list as a consultant: you can see and change your own record "
            "('/scr me' in Slack), and nothing else. This needs the role of a board user (admin, "
            "commissioner or chair)."
        )
    _unknown_slack_user(request, user, slack_user_id, slack_team_id)
    raise _forbidden(
        "Your Slack account is not linked to a user of this service. Ask your admin, who can link you "
        "from the admin pages (Users)."
    )


async def current_user(request: Request, session: SessionDep, presented: PresentedDep) -> User:
    """The caller (``caller_of``). A coroutine: when the route's access check has read the caller's
    grants first, the caller came with them and no trip to a worker thread is needed."""
    known = known_caller(request)
    if known is not None:
        return known
    return await run_in_threadpool(caller_of, request, session, presented)


CurrentUser = Annotated[User, Depends(current_user)]


def current_consultant(
    request: Request,
    session: SessionDep,
    credentials: Credentials,
    x_slack_user_id: SlackUserHeader = None,
    x_slack_team_id: SlackTeamHeader = None,
) -> Consultant:
    """The consultant a self-service request is for: the bot names them by the Slack id on their record."""
    bot = _token_user(request, session, credentials)
    if bot.role != Role.bot:
        raise _forbidden(
            "Consultants keep their own record up to date through the Slack bot ('/scr me'). To change a "
            "consultant's record as an admin, use /api/v1/consultants/{id}."
        )
    if not x_slack_user_id:
        raise _forbidden("Name the consultant: send X-Slack-User-Id with the Slack id on their record.")
    team = slack_team_key(x_slack_team_id)
    consultant = self_service.by_slack_user(session=session, team_id=team, slack_user_id=x_slack_user_id)
    if consultant is None:
        _unknown_slack_user(request, bot, x_slack_user_id, x_slack_team_id)
        raise _forbidden(
            f"Your Slack account ({x_slack_user_id[:32]}) is not on any consultant's record in the approved "
            "list, so there is no record of yours to show. If you are on the list, ask an admin to add your "
            "Slack member id to your record."
        )
    _remember(request, _consultant_caller(consultant, x_slack_user_id, x_slack_team_id))
    relayed_from_slack(session, x_slack_user_id, x_slack_team_id)
    return consultant


CurrentConsultant = Annotated[Consultant, Depends(current_consultant)]


def require_role(*roles: Role) -> Callable[[User], Awaitable[User]]:
    """A dependency that lets through only users whose regional role is one of ``roles``. Roles held in
    partnerships, and access to cases, are decided in ``service.access``. A coroutine, as it only
    compares, so it runs on the event loop rather than taking a trip to a worker thread."""
    names = " or ".join(role.value for role in roles)

    async def check(user: CurrentUser) -> User:
        if user.role not in roles:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                detail=f"This needs the {names} role; you are signed in as {user.role}.",
            )
        return user

    return check


BotUser = Annotated[User, Depends(require_role(Role.bot))]


def _partnership_roles(session: Session, user_id: int) -> list[str]:
    """The roles a user holds in partnerships, as a refusal's audit records them: ``commissioner@SAL``."""
    rows = session.exec(
        select(PartnershipRole.role, Partnership.prefix)
        .join(Partnership, col(Partnership.id) == PartnershipRole.partnership_id)
        .where(PartnershipRole.user_id == user_id)
    ).all()
    return sorted(f"{role}@{prefix}" for role, prefix in rows)


def _record_refusal(caller: Caller, request: Request, detail: str) -> None:
    """Audit a refusal: the route, the caller's regional role and (for a user) the roles they hold in
    partnerships, so a probe of another board's case shows whose people probed it."""
    route = request.scope.get("route")
    after = {
        "method": request.method,
        "route": getattr(route, "path", request.url.path),
        "params": dict(request.path_params),
        "role": caller.role,
        "detail": detail,
    }
    try:
        with unit_of_work(get_engine()) as session:  # its own: the request's was rolled back
            if caller.identity.startswith(USER_IDENTITY):
                after["roles"] = _partnership_roles(session, int(caller.identity.removeprefix(USER_IDENTITY)))
            if caller.slack_user_id is not None:
                relayed_from_slack(session, caller.slack_user_id, caller.slack_team_id)
            audit.record(
                session, "access.refused", caller.identity[:64], actor=caller.actor[:254], after=after
            )
    except SQLAlchemyError:  # the refusal stands; losing its record must not turn it into a 500
        log.exception("access.refused.unrecorded identity=%s route=%s", caller.identity, after["route"])


async def identity_probe(request: Request) -> None:
    """Mark a route that only asks who the caller is: a 403 there is not an attempt to act, so
    ``refusal_handler`` does not audit it. Name it before the caller's dependency, so it runs first."""
    request.state.probe = True


IdentityProbe = Annotated[None, Depends(identity_probe)]


async def refusal_handler(request: Request, error: Exception) -> Response:
    """Answer an HTTP error as FastAPI does, with the request's id; first audit a 403 given to a caller
    who was identified, or a 404 hiding a record from them."""
    assert isinstance(error, StarletteHTTPException)
    caller = getattr(request.state, "caller", None)
    probe = getattr(request.state, "probe", False)
    refused = error.status_code == status.HTTP_403_FORBIDDEN or (
        error.status_code == status.HTTP_404_NOT_FOUND and getattr(request.state, HIDDEN, False)
    )
    if refused and isinstance(caller, Caller) and not probe:
        async with database_turn():
            await run_in_threadpool(_record_refusal, caller, request, str(error.detail))
    if not is_body_allowed_for_status_code(error.status_code):
        return Response(status_code=error.status_code, headers=error.headers)
    body = with_id({"detail": error.detail})
    return JSONResponse(body, status_code=error.status_code, headers=error.headers)
