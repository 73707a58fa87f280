"""Whose thematic briefing a caller may read, and which version.

A partnership's people (admins, commissioners, chairs) read their own partnership's briefing, internal
or publishable. The regional analyst (and a list admin) reads only the publishable version, of one
partnership or across them all, which names no case. Left out, ``publishable`` is the fullest version
the caller may read; left out, the partnership is the caller's own when they hold roles in just one.
"""

from dataclasses import dataclass

from fastapi import HTTPException, status
from sqlmodel import Session, select

from commissioning.models import Partnership
from core.errors import Invalid
from service.access import Grants, forbidden
from service.models import Role

INTERNAL_REFUSED = (
    "The internal version of a briefing is for the partnership's own people: as a regional reader, ask "
    "for the publishable version (publishable=true), which names no case and hides small numbers."
)


@dataclass(frozen=True)
class Scope:
    partnership: Partnership | None  # None: across partnerships
    publishable: bool


def regional(grants: Grants) -> bool:
    return grants.list_admin or grants.regional == Role.analyst


def may_read(grants: Grants) -> bool:
    """Whether the caller may read some briefing: a partnership's people and the regional readers."""
    return grants.regional != Role.bot and (regional(grants) or grants.holds())


def scope(session: Session, grants: Grants, *, prefix: str | None, publishable: bool | None) -> Scope:
    """The briefing the caller asked for, if they may read it; else a 403, 404 or 422 saying why."""
    if prefix:
        found = session.exec(select(Partnership).where(Partnership.prefix == prefix.upper())).first()
        if found is None:
            raise HTTPException(
                status.HTTP_404_NOT_FOUND, detail=f"No partnership with the prefix {prefix.upper()}."
            )
        if grants.roles_in(found.id):
            return Scope(found, bool(publishable))
        if not regional(grants):
            raise forbidden(f"The briefing of {found.name} is for its own people.")
        if publishable is False:
            raise forbidden(INTERNAL_REFUSED)
        return Scope(found, True)
    mine = grants.partnerships()
    if regional(grants) and (publishable or not mine):
        if publishable is False:
            raise forbidden(INTERNAL_REFUSED)
        return Scope(None, True)
    if len(mine) > 1:
        names = ", ".join(sorted(grants.names[pid] for pid in mine))
        raise Invalid(
            f"You hold roles in several partnerships ({names}): say whose briefing you want.",
            [{"loc": ["query", "partnership"], "msg": "give the partnership's prefix"}],
        )
    (only,) = mine
    return Scope(session.get(Partnership, only), bool(publishable))
