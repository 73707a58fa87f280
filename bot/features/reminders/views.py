"""Deadline reminders as the shared channel sees them, and as a person who opens one sees it.

The reminder channel is shared, so a reminder there carries the case reference and the date only (its
Open button too); the kind of review, its basis and the case's other deadlines are shown privately to
the person who presses it, once the service has let them read the case.
"""

from datetime import date
from typing import Any

from bot.payloads import carry
from bot.views.blocks import Block, actions, button, context, escape, message, section
from bot.views.outcomes import OVERDUE
from bot.views.wording import day

OPEN = "reminders.open"
OTHERS_SHOWN = 10


def _when(count: int, due: date, today: date) -> str:
    what = "a deadline" if count == 1 else f"{count} deadlines"
    if due < today:
        return f"{what} fell due on {day(due)} (overdue)"
    return f"{what} {'falls' if count == 1 else 'fall'} due on {day(due)}"


def posted(*, ref: str, due: date, count: int, today: date) -> tuple[str, list[Block]]:
    """The reminder of ``count`` deadlines of case ``ref`` due on ``due``, as its ``text`` and blocks."""
    said = f"{_when(count, due, today)}: open {'it' if count == 1 else 'them'} in the app."
    blocks = [
        section(f":alarm_clock: Case *{escape(ref)}*: {said}"),
        actions(
            button("Open", action_id=OPEN, value=carry(ref=ref, due=due.isoformat()), style="primary"),
            block_id=f"reminder|{ref}|{due.isoformat()}",
        ),
    ]
    return f"Case {ref}: {said}", message(blocks)


def _line(deadline: dict[str, Any], today: date) -> str:
    due = date.fromisoformat(deadline["due"])
    basis = f" ({escape(deadline['basis'])})" if deadline.get("basis") else ""
    line = f"*{escape(deadline['label'])}*: due *{day(due)}*{basis}"
    return line + (f"\n{OVERDUE}" if due < today else "")


def details(*, ref: str, due: str, deadlines: list[dict[str, Any]], today: date) -> tuple[str, list[Block]]:
    """What a reminder was about, for the person who opened it alone: the deadlines due on its date (or
    that none is in force now) and the case's other deadlines."""
    reminded = [d for d in deadlines if d["due"] == due]
    others = [d for d in deadlines if d["due"] != due]
    if reminded:
        text = f"Case {ref}: " + "; ".join(
            f"{d['label']}, due {day(date.fromisoformat(due))}" for d in reminded
        )
        blocks = [section(f"Case *{escape(ref)}*\n" + "\n".join(_line(d, today) for d in reminded))]
    else:
        none = f"no deadline on {day(date.fromisoformat(due))} is in force now"
        text, blocks = f"Case {ref}: {none}", [section(f"Case *{escape(ref)}*: {none}.")]
    if others:
        shown = "\n".join(f"• {_line(d, today)}" for d in others[:OTHERS_SHOWN])
        more = f"\n…and {len(others) - OTHERS_SHOWN} more" if len(others) > OTHERS_SHOWN else ""
        blocks.append(section(f"*Its other deadlines*\n{shown}{more}"))
    blocks.append(context(f"Only you can see this. `/scr case {escape(ref)}` shows the whole case."))
    return text, message(blocks)
