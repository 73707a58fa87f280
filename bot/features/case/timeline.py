"""The review's milestones in the case message, and closing or reopening the case from it.

The timeline is the service's (``GET /cases/{ref}/milestones``): each milestone in its words, the day it
was recorded, and its standing (late, on time, overdue, due) as the service words it; a late line is
marked. Notes stay on the pages: a reason not to publish is people's words about the case. A chair or
admin of the lead partnership gets a button that opens a modal asking the reason for closing (or
reopening) the case; buttons and the modal carry the case reference and the message to update, nothing
about the case.
"""

from typing import Any

from bot.payloads import carry
from bot.views import inputs
from bot.views.blocks import INPUT_CHARS, Block, actions, button, escape, modal, section
from bot.views.wording import day

CLOSE = "case.close"
REOPEN = "case.reopen"
CLOSE_MODAL = "case.close_modal"
REOPEN_MODAL = "case.reopen_modal"
STATUS_REASON = "case.status_reason"
STATUS_FIELDS = {"reason": STATUS_REASON}
"""The service's field names -> the input its refusals are shown under."""


def _line(entry: dict[str, Any]) -> str:
    words = escape(str(entry.get("words") or ""))
    on = entry.get("on")
    standing = escape(str(entry.get("standing") or ""))
    said = f"{words}: {day(str(on))}" if on else f"{words}: not recorded yet"
    if entry.get("due") and entry.get("late"):
        return f":warning: {said}. *{standing}*"
    return f"{said}. {standing}" if entry.get("due") else said


def blocks(timeline: list[dict[str, Any]], *, ref: str, status: str, may_close: bool) -> list[Block]:
    """The timeline as one section; ``may_close`` adds the button to close the case, or to reopen it
    when ``status`` is closed."""
    out: list[Block] = []
    if timeline:
        out.append(section("*The review's milestones*\n" + "\n".join(f"• {_line(e)}" for e in timeline)))
    if may_close:
        closed = status == "closed"
        label, action = ("Reopen the case", REOPEN) if closed else ("Close the case", CLOSE)
        out.append(actions(button(label, action_id=action, value=ref), block_id=f"case-status|{ref}"))
    return out


def status_modal(where: dict[str, str], *, close: bool) -> dict[str, Any]:
    """The modal asking why the case ``where`` names is closed (``close``) or reopened."""
    ref = escape(where["ref"])
    if close:
        said = f"Close case *{ref}*: it takes no new commissions, and its retention period starts."
    else:
        said = f"Reopen case *{ref}*: its retention period stops until it is closed again."
    return modal(
        title="Close the case" if close else "Reopen the case",
        submit="Close" if close else "Reopen",
        callback_id=CLOSE_MODAL if close else REOPEN_MODAL,
        private_metadata=carry(**where),
        blocks=[
            section(said),
            inputs.written(
                STATUS_REASON,
                "The reason",
                max_length=min(INPUT_CHARS, 2000),
                hint="Recorded with the case's status and kept from the audit log as a fingerprint.",
            ),
        ],
    )
