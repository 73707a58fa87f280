"""What the bot says about chronologies: the direct messages of a request, its reminder, its late notice
and the commissioners' "everything is in", and each agency's standing on ``/scr case``.

Each carries the case reference, the agency, the due date and the page's address, as the service lists
them: nothing from a chronology, whose rows never leave the service's pages.
"""

from datetime import date
from typing import Any

from bot.views.blocks import Block, escape, message, section
from bot.views.wording import day

STANDINGS_SHOWN = 20  # a case asks a handful of agencies; a long list says how many more


def _days(count: int) -> str:
    return "1 day" if count == 1 else f"{count} days"


def _due(due: date, today: date) -> str:
    left = (due - today).days
    if left <= 0:
        return f"due today, {day(due)}"
    return f"due {day(due)}, in {_days(left)}"


def notice(item: dict[str, Any], *, today: date) -> tuple[str, list[Block]]:
    """A direct message from ``GET /api/v1/slack/chronology-notices``'s ``item``: its text and blocks."""
    ref, agency, link = item["ref"], item.get("agency") or "", item["link"]
    due = date.fromisoformat(item["due_on"]) if item.get("due_on") else today
    said = {
        "request": f"{agency} is asked for its chronology and report, {_due(due, today)}.",
        "reminder": f"a reminder: {agency}'s chronology and report are {_due(due, today)}.",
        "late": f"{agency}'s chronology and report were due {day(due)} and are late by "
        f"{_days((today - due).days)}.",
        "everything_in": "every agency's chronology is in and accepted.",
    }[item["kind"]]
    where = "Open the case" if item["kind"] == "everything_in" else "Upload it on the upload page"
    text = f"Case {ref}: {said} {where}: {link}"
    blocks = [section(f":page_facing_up: Case *{escape(ref)}*: {escape(said)}\n<{link}|{where}>")]
    return text, message(blocks)


def standings(requests: list[dict[str, Any]]) -> Block | None:
    """Each agency's standing ("Hackney Children's Social Care: late by 2 days"), as the service words
    it; None when the case has asked no agency."""
    if not requests:
        return None
    lines = [f"• {escape(r['agency'])}: {escape(r['words'])}" for r in requests[:STANDINGS_SHOWN]]
    if len(requests) > STANDINGS_SHOWN:
        lines.append(f"and {len(requests) - STANDINGS_SHOWN} more agencies")
    return section("*Chronologies*\n" + "\n".join(lines))
