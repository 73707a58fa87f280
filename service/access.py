"""Who may do what, from the roles a user holds: regionally (list admin, analyst, the bot) and in each
partnership (admin, commissioner, chair).

A case belongs to its lead partnership; partnerships contributing to it read it. A person with no role in
any of a case's partnerships is told the case does not exist (404, the body a missing case gets), so
another board's references cannot be confirmed; the probe is still audited as refused, as a 403 is
(``service.auth.refusal_handler``). A person who may read a case but lacks the role an action needs in
the lead partnership gets a 403 saying which role, and where.

Route dependencies, by what they guard:

- the approved list: ``ListReader`` (anyone but the bot; chairs and analysts get a limited view, see
  ``sees_personal_details``), ``ListDetailReader`` (personal details: list admins, and commissioners and
  admins of any partnership), ``ListAdmin`` (keeps the list and the agency register);
- figures across partnerships, never a case: ``FigureReader`` (analysts and list admins);
- people of partnerships: ``PartnershipPerson`` (any partnership role), ``AnyCommissioner`` (commissioner
  or admin somewhere, or a list admin);
- a case named by ``ref``: ``CaseReader``, ``CaseEditor``, ``CaseCommissioner``, ``CaseChair``,
  ``CaseChairOrAdmin``; a commission named by ``commission_id``: ``CommissionReader``,
  ``CommissionCommissioner``, ``CommissionAdmin``;
- a partnership named by ``prefix``: ``PartnershipReader``, ``PartnershipCommissioner``.

Each gives the ``User``; ``GrantsDep`` gives the caller's ``Grants``.
"""

from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, HTTPException, Path, Request, status
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from commissioning import partnerships
from commissioning.models import Case, Commission, Partnership
from service import slack_partnerships
from service.api.params import MAX_ID, Ref
from service.auth import HIDDEN, Caller, Presented, PresentedDep, caller_of, known_caller
from service.db import SessionDep
from service.models import PARTNERSHIP_ROLES, ROLE_WORDS, PartnershipRole, Role, User
from service.slack_settings import slack_team_key


@dataclass(frozen=True)
class Grants:
    """A user's roles: their regional one (``User.role``) and those held in each partnership, by id."""

    user: User
    held: Mapping[int, frozenset[Role]] = field(default_factory=dict)
    names: Mapping[int, str] = field(default_factory=dict)  # the partnerships' names, by id
    narrowed: bool = False  # to the partnerships a Slack workspace serves (a request relayed from it)

    @property
    def regional(self) -> Role:
        return Role(self.user.role)

    @property
    def list_admin(self) -> bool:
        return self.regional == Role.list_admin

    def roles_in(self, partnership_id: int | None) -> frozenset[Role]:
        return self.held.get(partnership_id, frozenset()) if partnership_id is not None else frozenset()

    def partnerships(self, *roles: Role) -> frozenset[int]:
        """The partnerships where the user holds any of ``roles`` (any role at all, when none are named)."""
        wanted = set(roles or PARTNERSHIP_ROLES)
        return frozenset(pid for pid, held in self.held.items() if held & wanted)

    def holds(self, *roles: Role) -> bool:
        """Whether the user holds any of ``roles`` in some partnership."""
        return bool(self.partnerships(*roles))


# Read by nearly every request: built once, as a statement built anew costs SQLAlchemy about as much again
# as running it (it is keyed afresh for the compiled cache).
_ROLES_OF = (
    select(PartnershipRole, Partnership.name)
    .join(Partnership, col(Partnership.id) == PartnershipRole.partnership_id)
    .where(PartnershipRole.user_id == bindparam("user_id"))
)
_CASE_BY_REF = select(Case).where(Case.ref == bindparam("ref"))


def grants_of(session: Session, user: User, *, slack_team: str | None = None) -> Grants:
    """Every role ``user`` holds, read once; for a request relayed from Slack workspace ``slack_team`` (a
    key), only those in the partnerships that workspace serves (``service.slack_partnerships``): whoever
    is linked there reaches, through it, those partnerships alone. Regional roles stand."""
    rows = session.exec(_ROLES_OF, params={"user_id": user.id}).all()
    served = None if slack_team is None else slack_partnerships.served_by(session, slack_team)
    held: dict[int, set[Role]] = {}
    names: dict[int, str] = {}
    for row, name in rows:
        if served is not None and row.partnership_id not in served:
            continue
        held.setdefault(row.partnership_id, set()).add(Role(row.role))
        names[row.partnership_id] = name
    return Grants(
        user, {pid: frozenset(roles) for pid, roles in held.items()}, names, narrowed=served is not None
    )


async def current_grants(request: Request, session: SessionDep, presented: PresentedDep) -> Grants:
    """The caller's grants, read once per request, with the caller (``caller_of``) in the same trip to a
    worker thread: narrowed to the partnerships of the Slack workspace the bot relayed the request from,
    if it did."""
    cached = getattr(request.state, "grants", None)
    if isinstance(cached, Grants) and cached.user is known_caller(request):
        return cached
    return await run_in_threadpool(_grants, request, session, presented)


def _grants(request: Request, session: Session, presented: Presented) -> Grants:
    user = caller_of(request, session, presented)
    caller = getattr(request.state, "caller", None)
    relayed = isinstance(caller, Caller) and caller.slack_user_id is not None
    team = slack_team_key(caller.slack_team_id) if relayed else None
    grants = grants_of(session, user, slack_team=team)
    request.state.grants = grants
    return grants


GrantsDep = Annotated[Grants, Depends(current_grants)]


def forbidden(message: str) -> HTTPException:
    return HTTPException(status.HTTP_403_FORBIDDEN, detail=message)


def hidden(request: Request, message: str) -> HTTPException:
    """A 404 with ``message`` (what a missing record gets) that ``refusal_handler`` audits as refused."""
    setattr(request.state, HIDDEN, True)
    return HTTPException(status.HTTP_404_NOT_FOUND, detail=message)


def _words(roles: Iterable[Role]) -> str:
    return " or ".join(ROLE_WORDS[role] for role in roles)


def _standing(grants: Grants) -> str:
    """How the caller stands, in words: "signed in as chair of Camden partnership"."""
    held = [
        f"{_words(sorted(roles))} of {grants.names.get(pid, 'a partnership')}"
        for pid, roles in sorted(grants.held.items(), key=lambda item: grants.names.get(item[0], ""))
    ]
    if grants.regional != Role.member:
        held.insert(0, ROLE_WORDS[grants.regional])
    standing = "signed in as " + (", ".join(held) or "a person with no role in any partnership")
    return standing + (", in a Slack workspace that serves only some partnerships" if grants.narrowed else "")


# Regional and list roles --------------------------------------------------------------------------------


def sees_personal_details(grants: Grants) -> bool:
    """Consultants' contact details, checks, day rates, notes and declared interests: for list admins, and
    for those who commission (commissioners and admins of a partnership). Chairs and analysts see names,
    specialisms and shortlist results."""
    return grants.list_admin or grants.holds(Role.commissioner, Role.admin)


def _requirement(test: Callable[[Grants], bool], refusal: str) -> Callable[[Grants], Awaitable[User]]:
    """A dependency that lets through callers whose grants pass ``test``: a coroutine, as it only looks
    at grants already read, so it runs on the event loop rather than taking a trip to a worker thread."""

    async def check(grants: GrantsDep) -> User:
        if not test(grants):
            raise forbidden(f"{refusal} You are {_standing(grants)}.")
        return grants.user

    return check


def _not_bot(grants: Grants) -> bool:
    return grants.regional != Role.bot


ListReader = Annotated[
    User,
    Depends(
        _requirement(
            lambda g: _not_bot(g) and (g.list_admin or g.regional == Role.analyst or g.holds()),
            "The approved list is read by list admins, analysts and the people of a partnership.",
        )
    ),
]
ListDetailReader = Annotated[
    User,
    Depends(
        _requirement(
            sees_personal_details,
            "Consultants' personal details are for list admins, and for commissioners and admins of a "
            "partnership, who commission them.",
        )
    ),
]
ListAdmin = Annotated[
    User,
    Depends(
        _requirement(
            lambda g: g.list_admin, "This needs a list admin: they keep the approved list and the agencies."
        )
    ),
]
PartnershipPerson = Annotated[
    User,
    Depends(
        _requirement(
            lambda g: _not_bot(g) and g.holds(),
            "This needs an admin, commissioner or chair of a partnership.",
        )
    ),
]
AnyCommissioner = Annotated[
    User,
    Depends(
        _requirement(
            lambda g: g.list_admin or g.holds(Role.commissioner, Role.admin),
            "This needs a commissioner or admin of a partnership.",
        )
    ),
]
FigureReader = Annotated[
    User,
    Depends(
        _requirement(
            lambda g: g.list_admin or g.regional == Role.analyst,
            "Figures across partnerships are read by analysts and list admins.",
        )
    ),
]
AuditReader = Annotated[
    User,
    Depends(
        _requirement(
            lambda g: g.list_admin or g.holds(Role.admin),
            "The audit log is read by list admins, and by partnerships' admins for their own partnership.",
        )
    ),
]


# Cases --------------------------------------------------------------------------------------------------


def no_case(ref: str) -> str:
    """What a missing case, and a case the caller may not know of, are answered with."""
    return f"No case {ref}."


CASE_ACCESS = "case_access"  # request.state: the cases a request has been let read, by reference


@dataclass(frozen=True)
class CaseAccess:
    """A case the caller may read, its partnerships, and the roles the caller holds in the lead one."""

    case: Case
    partnership_ids: frozenset[int]
    lead_roles: frozenset[Role]


def readable_case(request: Request, session: Session, grants: Grants, ref: str) -> CaseAccess:
    """Case ``ref`` if the caller holds a role in its lead or a contributing partnership; else the 404 a
    missing case gets (audited as refused when the case exists).

    Found once per request: a route's dependency and its body both ask (two queries each time)."""
    kept: dict[str, tuple[Session, Grants, CaseAccess]] | None = getattr(request.state, CASE_ACCESS, None)
    if kept is None:
        kept = {}
        setattr(request.state, CASE_ACCESS, kept)
    found = kept.get(ref)
    if found is not None and found[0] is session and found[1] is grants:
        return found[2]
    case = session.exec(_CASE_BY_REF, params={"ref": ref}).first()
    if case is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=no_case(ref))
    if grants.regional == Role.bot:
        raise forbidden("The Slack bot acts on a case for a person: name them in X-Slack-User-Id.")
    ids = partnerships.partnership_ids_of(session, case)
    if not grants.partnerships() & ids:
        raise hidden(request, no_case(ref))
    access = CaseAccess(case, ids, grants.roles_in(case.partnership_id))
    kept[ref] = session, grants, access
    return access


def require_case_role(
    request: Request, session: Session, grants: Grants, ref: str, roles: Collection[Role]
) -> CaseAccess:
    """Case ``ref`` when the caller holds one of ``roles`` in its lead partnership (any role to read it,
    when ``roles`` is empty); 404 to an outsider, 403 to a reader lacking the role."""
    access = readable_case(request, session, grants, ref)
    if roles and not access.lead_roles & set(roles):
        lead = session.get(Partnership, access.case.partnership_id)
        where = lead.name if lead is not None else "the lead partnership"
        raise forbidden(
            f"This needs the {_words(roles)} role in {where}, which leads case {ref}. "
            f"You hold {_words(sorted(access.lead_roles)) or 'no role'} there."
        )
    return access


def case_role(*roles: Role) -> Callable[[Request, SessionDep, GrantsDep, Ref], User]:
    """A dependency for routes under ``/cases/{ref}``: the caller when they hold one of ``roles`` in the
    case's lead partnership (any role in any of its partnerships when none are named)."""

    def check(request: Request, session: SessionDep, grants: GrantsDep, ref: Ref) -> User:
        require_case_role(request, session, grants, ref, roles)
        return grants.user

    return check


CaseReader = Annotated[User, Depends(case_role())]
CaseEditor = Annotated[User, Depends(case_role(Role.admin, Role.commissioner, Role.chair))]
CaseCommissioner = Annotated[User, Depends(case_role(Role.commissioner, Role.admin))]
CaseChair = Annotated[User, Depends(case_role(Role.chair))]
CaseChairOrAdmin = Annotated[User, Depends(case_role(Role.chair, Role.admin))]

CommissionId = Annotated[int, Path(ge=1, le=MAX_ID)]


def commission_role(*roles: Role) -> Callable[[Request, SessionDep, GrantsDep, int], User]:
    """As ``case_role``, for routes under ``/commissions/{commission_id}``: the commission's case decides."""

    def check(request: Request, session: SessionDep, grants: GrantsDep, commission_id: CommissionId) -> User:
        missing = f"No commission with id {commission_id}."
        ref = session.exec(
            select(Case.ref)
            .join(Commission, col(Commission.case_id) == Case.id)
            .where(Commission.id == commission_id)
        ).first()
        if ref is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail=missing)
        try:
            require_case_role(request, session, grants, ref, roles)
        except HTTPException as refused:
            if refused.status_code == status.HTTP_404_NOT_FOUND:
                raise hidden(request, missing) from None
            raise
        return grants.user

    return check


CommissionReader = Annotated[User, Depends(commission_role())]
CommissionCommissioner = Annotated[User, Depends(commission_role(Role.commissioner, Role.admin))]
CommissionAdmin = Annotated[User, Depends(commission_role(Role.admin))]


def readable_partnerships(grants: Grants) -> frozenset[int]:
    """The partnerships whose cases the caller may list: those they hold a role in."""
    return grants.partnerships()


# Partnerships -------------------------------------------------------------------------------------------

Prefix = Annotated[str, Path(min_length=2, max_length=6, pattern=r"^[A-Za-z]{2,6}$")]


def partnership_role(*roles: Role) -> Callable[[Request, SessionDep, GrantsDep, str], Partnership]:
    """A dependency for routes under ``/partnerships/{prefix}``: the partnership, when the caller holds one
    of ``roles`` there (list admins may read any)."""

    def check(request: Request, session: SessionDep, grants: GrantsDep, prefix: Prefix) -> Partnership:
        found = session.exec(select(Partnership).where(Partnership.prefix == prefix.upper())).first()
        missing = f"No partnership with the prefix {prefix.upper()}."
        if found is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail=missing)
        if not roles and (grants.list_admin or grants.roles_in(found.id)):
            return found
        if roles and grants.roles_in(found.id) & set(roles):
            return found
        if not grants.roles_in(found.id) and not grants.list_admin:
            raise forbidden(f"This is for the people of {found.name}. You are {_standing(grants)}.")
        raise forbidden(f"This needs the {_words(roles)} role in {found.name}.")

    return check


PartnershipReader = Annotated[Partnership, Depends(partnership_role())]
PartnershipCommissioner = Annotated[Partnership, Depends(partnership_role(Role.commissioner, Role.admin))]
