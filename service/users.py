"""Users of the service: adding one (with a one-time token from the command line), the roles they hold in
partnerships, their display name, their Slack member id, revocation, and the list the users page shows.

A person is added with a regional role (list admin, analyst) or with a role in a partnership (admin,
commissioner, chair: their regional role is then ``member``); ``grant_role`` gives them more.

Keyword-only after ``session``; each change records its audit event (``user.*``) in the caller's unit of
work. A Slack member id goes through ``registry.slack_ids``, so an id another person holds is refused in
words whichever way it is set.
"""

from pydantic import ValidationError
from sqlmodel import Session, col, select

from commissioning import partnerships
from commissioning.models import Partnership
from core import audit
from core.errors import Conflict, Invalid, NotFound
from core.transaction import atomic
from registry import slack_ids
from registry.agencies import resolve_agency_id
from registry.identities import OWN_WORKSPACE
from registry.models import Consultant
from service import page_sessions
from service.auth import hash_token, new_token
from service.models import PARTNERSHIP_ROLES, ROLE_WORDS, DisplayName, PartnershipRole, Role, User, UserPublic


def _public(user: User) -> dict[str, object]:
    return UserPublic.model_validate(user, from_attributes=True).model_dump(mode="json")


def checked_name(display_name: str | None) -> str | None:
    """``display_name`` trimmed, or Invalid saying what is wrong with it (one line, 1 to 200 characters)."""
    if display_name is None:
        return None
    if not display_name.strip():
        raise Invalid(
            "The name is empty: give the name people should see, like Jane Smith.",
            [{"loc": ["display_name"], "msg": "is empty"}],
        )
    try:
        return DisplayName(display_name=display_name).display_name
    except ValidationError as error:
        reason = str(error.errors()[0]["msg"]).removeprefix("Value error, ")
        if error.errors()[0]["type"] == "string_too_long":
            reason = "is longer than 200 characters"
        raise Invalid(f"The name {reason}.", [{"loc": ["display_name"], "msg": reason}]) from None


def _a_holder(role: Role) -> str:
    """Who holds ``role``, to begin a sentence: "A chair", "An admin", "The Slack bot"."""
    said = ROLE_WORDS[role]
    if said.startswith("the "):
        return said[:1].upper() + said[1:]
    return f"An {said}" if said[0] in "aeiou" else f"A {said}"


def _partnership_for(session: Session, role: Role, prefix: str | None) -> Partnership | None:
    """The partnership a role is held in: named for a partnership role, never for a regional one."""
    if role in PARTNERSHIP_ROLES:
        if not prefix:
            raise Invalid(
                f"{_a_holder(role)} holds the role in a partnership: name it (its prefix, like CHS).",
                [{"loc": ["partnership"], "msg": f"is needed for the role {role.value}"}],
            )
        return partnerships.by_prefix(session, prefix)
    if prefix:
        raise Invalid(
            f"{_a_holder(role)} has a regional role, held across partnerships: leave the partnership out.",
            [{"loc": ["partnership"], "msg": f"is not taken with the role {role.value}"}],
        )
    return None


def _agency_for(session: Session, role: Role, agency: str | None) -> str | None:
    """An agency contact's agency, by its id, name or alias; no other role names one."""
    if role != Role.agency_contact:
        if agency:
            raise Invalid(
                "Only an agency contact is tied to an agency: leave the agency out.",
                [{"loc": ["agency"], "msg": f"is not taken with the role {role.value}"}],
            )
        return None
    if not agency:
        raise Invalid(
            "An agency contact answers for one agency: name it.",
            [{"loc": ["agency"], "msg": "is needed for the role agency_contact"}],
        )
    return resolve_agency_id(session=session, name=agency, field="agency")


def _consultant_for(session: Session, role: Role, consultant_id: int | None) -> int | None:
    """A reviewer's consultant record, which no other sign-in holds; no other role has one."""
    if role != Role.reviewer:
        if consultant_id is not None:
            raise Invalid(
                "Only a reviewer's sign-in is linked to a consultant.",
                [{"loc": ["consultant_id"], "msg": f"is not taken with the role {role.value}"}],
            )
        return None
    if consultant_id is None or session.get(Consultant, consultant_id) is None:
        raise Invalid(
            "A reviewer's sign-in is linked to their record on the approved list: name the consultant.",
            [{"loc": ["consultant_id"], "msg": "must name a consultant on the approved list"}],
        )
    if session.exec(select(User.id).where(User.consultant_id == consultant_id)).first() is not None:
        raise Conflict(
            "That consultant already has a sign-in.",
            findings=[{"field": "consultant_id", "id": consultant_id}],
        )
    return consultant_id


def create_user(
    session: Session,
    *,
    email: str,
    role: Role,
    actor: str,
    display_name: str | None = None,
    slack_user_id: str | None = None,
    slack_team: str = OWN_WORKSPACE,
    partnership: str | None = None,
    agency: str | None = None,
    consultant_id: int | None = None,
) -> User:
    """Add a user who holds no API token: a person who uses the bot (by their Slack member id, in workspace
    ``slack_team``, a key from ``slack_team_key``) and, once they have a password, the admin pages.
    ``role`` is regional (list admin, analyst, bot) or held in the partnership with the prefix
    ``partnership`` (admin, commissioner, chair). Conflict if the email or the Slack account is taken;
    Invalid if a partnership role lacks its partnership or a regional one has one. An agency contact
    names their ``agency`` (its id, name or alias); a reviewer is linked to their ``consultant_id``."""
    email = email.strip().lower()
    display_name = checked_name(display_name)
    if role == Role.member:
        raise Invalid(
            "Give the person a role: list admin or analyst, or a role in a partnership.",
            [{"loc": ["role"], "msg": "member is what a person holding only partnership roles is"}],
        )
    held_in = _partnership_for(session, role, partnership)
    agency_id = _agency_for(session, role, agency)
    consultant = _consultant_for(session, role, consultant_id)
    with atomic(session=session):  # flush_claiming may refuse the Slack id once the user is added
        if session.exec(select(User).where(User.email == email)).first():
            raise Conflict(
                f"A user with email {email} already exists.", findings=[{"field": "email", "email": email}]
            )
        slack_ids.claim(session, slack_user_id, team_id=slack_team)
        user = User(
            email=email,
            role=Role.member if held_in is not None else role,
            display_name=display_name,
            slack_user_id=slack_user_id,
            slack_team_key=slack_team,
            agency_id=agency_id,
            consultant_id=consultant,
        )
        session.add(user)
        slack_ids.flush_claiming(session, slack_user_id)
        after = _public(user)
        if held_in is not None:
            session.add(PartnershipRole(user_id=user.id, partnership_id=held_in.id, role=role))  # type: ignore[arg-type]
            session.flush()
            after["roles"] = [{"partnership": held_in.prefix, "role": role.value}]
        audit.record(session, "user.add", user.id or 0, actor=actor, after=after)
    return user


def _by_email(session: Session, email: str) -> User:
    """The user with this email, however it is cased or spaced; NotFound saying which email."""
    user = session.exec(select(User).where(User.email == email.strip().lower())).first()
    if user is None:
        raise NotFound(f"No user with email {email}.")
    return user


def grant_role(session: Session, *, email: str, role: Role, partnership: str, actor: str) -> User:
    """Give a user ``role`` in the partnership with prefix ``partnership``, beside what they hold already;
    nothing new when they hold it. A list admin or analyst keeps their regional role."""
    user = _by_email(session, email)
    if role not in PARTNERSHIP_ROLES:
        raise Invalid(
            f"{ROLE_WORDS[role].capitalize()} is not a role held in a partnership: use admin, commissioner "
            "or chair.",
            [{"loc": ["role"], "msg": "must be admin, commissioner or chair"}],
        )
    if user.role == Role.bot:
        raise Invalid(
            "The Slack bot holds no role in a partnership.", [{"loc": ["email"], "msg": "is the bot"}]
        )
    held_in = partnerships.by_prefix(session, partnership)
    if session.get(PartnershipRole, (user.id, held_in.id, role)) is not None:
        return user
    session.add(PartnershipRole(user_id=user.id, partnership_id=held_in.id, role=role))  # type: ignore[arg-type]
    session.flush()
    _role_changed(session, "user.grant", user, held_in, role, actor=actor)
    return user


def revoke_role(session: Session, *, email: str, role: Role, partnership: str, actor: str) -> User:
    """Take ``role`` in a partnership from a user; NotFound when they do not hold it."""
    user = _by_email(session, email)
    held_in = partnerships.by_prefix(session, partnership)
    row = session.get(PartnershipRole, (user.id, held_in.id, role))
    if row is None:
        raise NotFound(f"{user.shown_name} is not {ROLE_WORDS.get(role, role)} of {held_in.name}.")
    session.delete(row)
    session.flush()
    _role_changed(session, "user.ungrant", user, held_in, role, actor=actor)
    return user


def _role_changed(
    session: Session, action: str, user: User, held_in: Partnership, role: Role, *, actor: str
) -> None:
    """Audit ``user.grant`` (the role is what the user holds after) or ``user.ungrant`` (what they held
    before)."""
    held = {"partnership": held_in.prefix, "role": role.value}
    before, after = (None, held) if action == "user.grant" else (held, None)
    audit.record(session, action, user.id or 0, actor=actor, before=before, after=after)


def set_regional_role(session: Session, *, user_id: int, role: Role, actor: str) -> User:
    """Make a user a list admin or an analyst, or take that regional role away (``Role.member``: they
    keep only their partnership roles). The service keeps at least one active list admin."""
    user = get_user(session, user_id=user_id)
    if role not in (Role.list_admin, Role.analyst, Role.member):
        raise Invalid(
            "A regional role is list admin or analyst (or none).",
            [{"loc": ["role"], "msg": "must be list_admin, analyst or member"}],
        )
    if user.role == Role.bot:
        raise Invalid("The Slack bot holds no regional role.", [{"loc": ["role"], "msg": "is the bot"}])
    if user.role == Role.list_admin and role != Role.list_admin:
        others = session.exec(
            select(User).where(User.role == Role.list_admin, col(User.active).is_(True), User.id != user.id)
        ).first()
        if others is None:
            raise Conflict(
                f"{user.shown_name} is the only list admin: make someone else a list admin first.",
                findings=[{"field": "role"}],
            )
    before = _public(user)
    user.role = role
    return _saved(session, user, before, actor=actor)


def roles_of(session: Session, user_id: int) -> list[tuple[Partnership, Role]]:
    """The roles a user holds in partnerships, by partnership name."""
    rows = session.exec(
        select(Partnership, PartnershipRole.role)
        .join(PartnershipRole, col(PartnershipRole.partnership_id) == Partnership.id)
        .where(PartnershipRole.user_id == user_id)
        .order_by(col(Partnership.name), col(PartnershipRole.role))
    ).all()
    return [(p, Role(role)) for p, role in rows]


def add_user(
    session: Session,
    *,
    email: str,
    role: Role,
    actor: str,
    slack_user_id: str | None = None,
    slack_team: str = OWN_WORKSPACE,
    display_name: str | None = None,
    partnership: str | None = None,
    agency: str | None = None,
    consultant_id: int | None = None,
) -> tuple[User, str]:
    """Create a user and return it with its API token, which is shown once and stored only as a hash."""
    token = new_token()
    with atomic(session=session):
        user = create_user(
            session,
            email=email,
            role=role,
            actor=actor,
            display_name=display_name,
            slack_user_id=slack_user_id,
            slack_team=slack_team,
            partnership=partnership,
            agency=agency,
            consultant_id=consultant_id,
        )
        user.token_hash = hash_token(token)
        session.add(user)
        session.flush()
    return user, token


def get_user(session: Session, *, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"No user with id {user_id}.")
    return user


def list_users(session: Session) -> list[User]:
    """Every user, active ones first, each group by name as people see it."""
    users = session.exec(select(User).order_by(col(User.id))).all()
    return sorted(users, key=lambda user: (not user.active, user.shown_name.casefold()))


def _saved(session: Session, user: User, before: dict[str, object], *, actor: str) -> User:
    """Write the change to ``user`` and record it (``_changed``); the user."""
    session.add(user)
    session.flush()
    _changed(session, user, before, actor=actor)
    return user


def _changed(session: Session, user: User, before: dict[str, object], *, actor: str) -> None:
    """Record the change to ``user`` from ``before``; nothing when nothing changed."""
    after = _public(user)
    if after == before:
        return
    audit.record(
        session,
        actor=actor,
        action="user.update",
        entity_type="user",
        entity_id=user.id or 0,
        before=before,
        after=after,
    )


def set_display_name(session: Session, *, user_id: int, display_name: str, actor: str) -> User:
    """Give a user the name people see them by."""
    user = get_user(session, user_id=user_id)
    before = _public(user)
    user.display_name = checked_name(display_name)
    return _saved(session, user, before, actor=actor)


def link_slack(
    session: Session, *, user_id: int, slack_user_id: str, actor: str, slack_team: str | None = None
) -> User:
    """Link (or change) the Slack account the bot knows a user by, member ``slack_user_id`` of workspace
    ``slack_team`` (None: the workspace of the account it replaces, or the own one); Conflict if someone
    else holds it, or if the user is revoked (a revoked user's id would only keep it from its rightful
    holder)."""
    user = get_user(session, user_id=user_id)
    if not user.active:
        raise Conflict(
            f"{user.shown_name} is revoked: a revoked user cannot be linked to Slack.",
            findings=[{"field": "slack_user_id"}],
        )
    before = _public(user)
    with atomic(session=session):
        team = slack_team or user.slack_team_key
        slack_ids.claim(session, slack_user_id, team_id=team, user_id=user.id)
        user.link_slack(slack_user_id, team_id=team)
        session.add(user)
        slack_ids.flush_claiming(session, slack_user_id)
        _changed(session, user, before, actor=actor)
    return user


def unlink_slack(session: Session, *, user_id: int, actor: str) -> User:
    """Take a user's Slack member id off them: the bot no longer acts for that Slack account."""
    user = get_user(session, user_id=user_id)
    if user.slack_user_id is None:
        raise Conflict(f"{user.shown_name} is not linked to a Slack account.")
    before = _public(user)
    user.slack_user_id = None
    return _saved(session, user, before, actor=actor)


def revoke_user(session: Session, *, email: str, actor: str) -> User:
    """Deactivate a user: their token and their admin-page sessions stop working at once."""
    user = _by_email(session, email)
    before = _public(user)
    user.active = False
    session.add(user)
    page_sessions.end_all(session, user.id or 0)
    audit.record(
        session, "user.revoke", user.id or 0, actor=actor, before=before, after={**before, "active": False}
    )
    return user
