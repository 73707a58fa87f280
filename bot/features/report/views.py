"""What ``/scr report`` says: how it reads its words, and the note beside the PDF. Slack carries the
publishable version only: no case is named in it and small numbers are hidden."""

import re
from dataclasses import dataclass
from datetime import date

from bot.views.blocks import escape
from bot.views.wording import day

USAGE = "/scr report [FROM TO] [PARTNERSHIP]"
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
PREFIX = re.compile(r"^[A-Za-z]{2,6}$")


@dataclass(frozen=True)
class Asked:
    start: date
    end: date
    partnership: str | None


def asked(args: str, today: date) -> Asked | str:
    """The period and partnership the words ask for (this year to today when no dates are given), or
    what is wrong with them, in words."""
    days: list[date] = []
    partnership = None
    for word in args.split():
        if DAY.match(word):
            try:
                days.append(date.fromisoformat(word))
            except ValueError:
                return f"{word} is not a real date. Try `{USAGE}`, dates as 2026-01-31."
        elif PREFIX.match(word) and partnership is None:
            partnership = word.upper()
        else:
            return f"I did not understand '{escape(word)}'. Try `{USAGE}`, dates as 2026-01-31."
    if len(days) == 1 or len(days) > 2:
        return f"Give both days of the period, or neither (this year so far). Try `{USAGE}`."
    start, end = days if days else (date(today.year, 1, 1), today)
    if end < start:
        return f"The period ends before it starts. Try `{USAGE}`, the earlier day first."
    return Asked(start, end, partnership)


def working(wanted: Asked) -> str:
    return (
        f"Preparing the thematic briefing from {day(wanted.start)} to "
        f"{day(wanted.end)}: I'll send the PDF to your direct messages."
    )


def comment(wanted: Asked) -> str:
    return (
        f"The thematic briefing, {day(wanted.start)} to {day(wanted.end)}: "
        "the publishable version, which names no case and shows any count under 5 as 'fewer than 5'. "
        "The internal version is on the case review service's website, for the partnership's own people."
    )
