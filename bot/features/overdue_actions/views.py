"""Overdue actions as Slack shows them: a DM to the owner (the service's words: the case reference, the
recommendation's number, the agency and the dates, never the action's own words), and the counts alone
in the partnership's shared channel."""

from typing import Any

from bot.views.blocks import Block, context, escape, message, section

SIGN_IN = "Sign in to the case review service and open Recommendations to start it or submit its evidence."


def dm(item: dict[str, Any]) -> tuple[str, list[Block]]:
    """The reminder to an overdue action's owner, as its ``text`` and blocks."""
    words = item["words"]
    return words, message([section(f":hourglass: {escape(words)}"), context(SIGN_IN)])


def counts(*, actions: int, cases: int) -> tuple[str, list[Block]]:
    """The partnership's channel: how many actions are overdue across how many cases, nothing more."""
    many = "s" if actions != 1 else ""
    said = f"{actions} overdue action{many} across {cases} case{'s' if cases != 1 else ''}"
    text = f"Action plans: {said}. Each owner has been reminded."
    return text, message([section(f":clipboard: *Action plans*: {said}. Each owner has been reminded.")])
