"""The roles a person holds, as the service answers ``GET /api/v1/slack/me``: in each partnership (as
narrowed to those the Slack workspace serves) and the regional one.

The bot offers what a person's role allows (a chair's decision buttons, an admin's buttons on a card,
the lists of App Home) by the role they hold in the partnership that leads the case in hand, not by
their strongest role anywhere: a chair of one partnership who commissions for another is not that
other's chair. The service decides again on every call.
"""

from typing import Any

from bot.views.wording import words

PARTNERSHIPS_SHOWN = 5  # named in a sentence; a regional lead may hold roles in many


def roles_in(me: dict[str, Any], partnership: str | None) -> frozenset[str]:
    """The roles held in ``partnership`` (a prefix; a case's ``partnership`` is its lead's)."""
    return frozenset(held["role"] for held in me.get("roles") or () if held["partnership"] == partnership)


def holds(me: dict[str, Any], *roles: str) -> bool:
    """Whether any of ``roles`` is held in some partnership."""
    return any(held["role"] in roles for held in me.get("roles") or ())


def list_admin(me: dict[str, Any]) -> bool:
    """Whether they keep the approved list (a regional role): the card's admin buttons are theirs."""
    return me.get("regional") == "list_admin"


def standing(me: dict[str, Any]) -> str:
    """How they are signed in, in words: "chair of Hackney partnership, list admin"."""
    by_name: dict[str, list[str]] = {}
    for held in me.get("roles") or ():
        by_name.setdefault(held["name"], []).append(words(held["role"]))
    held_in = [f"{' and '.join(sorted(roles))} of {name}" for name, roles in sorted(by_name.items())]
    if len(held_in) > PARTNERSHIPS_SHOWN:
        more = len(held_in) - PARTNERSHIPS_SHOWN
        held_in = [*held_in[:PARTNERSHIPS_SHOWN], f"and in {more} more partnership{'s' if more > 1 else ''}"]
    regional = me.get("regional")
    if regional and regional != "member":
        held_in.append(words(regional))
    return ", ".join(held_in) or "someone with no role in a partnership here"
