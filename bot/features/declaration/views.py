"""The consultant's declaration of independence: the request (a DM), the full list of agencies, the
conflict modal, and the modal in which the consultant declines the commission instead.

What the request asked (the agencies, as shown) is kept by the service as a claim (``request_key``), so
buttons and modals carry the commission id and that request's token, never the list itself, which can grow
past what a button holds, and nothing about the child or family. "No conflict with any of these" is
offered in the message only when it lists every agency; otherwise the message lists the first and opens
the full list in a modal, whose submit button declares no conflict.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from bot.payloads import carry
from bot.views import inputs
from bot.views.blocks import (
    INPUT_CHARS,
    SECTION_CHARS,
    Block,
    actions,
    button,
    confirm,
    context,
    escape,
    message,
    modal,
    section,
)
from bot.views.wording import words

NO_CONFLICT = "declaration.none"
CONFLICT = "declaration.conflict"
LIST = "declaration.list"
MODAL = "declaration.modal"
LIST_MODAL = "declaration.list_modal"
STATEMENT_BLOCK = "declaration.statement"
STATEMENT = "statement"
DECLINE = "declaration.decline"
DECLINE_MODAL = "declaration.decline_modal"
REASON_BLOCK = "declaration.reason"
REASON = "reason"
REASON_CHARS = 2000  # as the service takes a reason
SHOWN_AGENCIES = 12  # agencies listed in the request message; the rest are counted and open in a modal
MORE_ROOM = 60  # characters kept for the count of the agencies not listed
NONE_RECORDED = "• (no agencies recorded yet)"


def request_key(commission_id: int, token: str) -> str:
    """The claim that keeps what one declaration request asked (``token`` tells repeated requests apart)."""
    return f"declaration:{commission_id}:{token}"


def _lines(agencies: Sequence[Sequence[str]]) -> list[str]:
    return [f"• {escape(name)}" for _, name in agencies] or [NONE_RECORDED]


def agency_sections(agencies: Sequence[Sequence[str]]) -> list[Block]:
    """Every agency (``(id, name)`` pairs) by name, as few sections as hold them."""
    out: list[str] = []
    for line in _lines(agencies):
        if out and len(out[-1]) + 1 + len(line) <= SECTION_CHARS:
            out[-1] += "\n" + line
        else:
            out.append(line)
    return [section(text) for text in out]


def request_blocks(
    commission: dict[str, Any], *, agencies: Sequence[Sequence[str]], request: str
) -> list[Block]:
    """The DM asking a commissioned consultant to declare; ``agencies`` are (id, name) pairs, and
    ``request`` the token of the claim that keeps them."""
    role = escape(words(commission["role"]))
    intro = (
        f"You have been commissioned as *{role}* for case *{escape(commission['case_ref'])}*.\n"
        "Before the work starts, please declare whether you have any conflict of interest with the "
        "agencies involved:"
    )
    lines, room, shown = _lines(agencies), SECTION_CHARS - len(intro) - MORE_ROOM, 0
    for line in lines[:SHOWN_AGENCIES]:
        room -= len(line) + 1
        if room < 0:
            break
        shown += 1
    rest = len(lines) - shown
    listed = "\n".join(lines[:shown]) + (f"\nand {rest} more: open the list" if rest else "")
    carried = carry(commission=commission["id"], request=request)
    if rest:
        declare = button("Open the list", action_id=LIST, value=carried, style="primary")
    else:
        declare = button(
            "No conflict with any of these",
            action_id=NO_CONFLICT,
            value=carried,
            style="primary",
            confirm_with=confirm(
                title="Declare no conflict?",
                text="You declare that you have no conflict of interest with any agency listed.",
                yes="Declare",
            ),
        )
    return message(
        [
            section(f"{intro}\n{listed}"),
            actions(
                declare,
                button("Declare a conflict", action_id=CONFLICT, value=carried),
                button("Decline the commission", action_id=DECLINE, value=carried),
                block_id=f"declaration|{commission['id']}",
            ),
            context("Your answer is recorded with the commission and seen by the commissioner."),
        ]
    )


def _answering(
    where: Mapping[str, Any],
    *,
    title: str,
    submit: str,
    callback_id: str,
    intro: str,
    asked: list[Block],
    close: str = "Close",
) -> dict[str, Any]:
    """A modal answering the request: ``intro``, then ``asked``. It carries ``where`` (what the button
    carried, and the request message to update) to the submission, and nothing about the case."""
    return modal(
        title=title,
        submit=submit,
        close=close,
        callback_id=callback_id,
        private_metadata=carry(**where),
        blocks=[section(intro), *asked],
    )


def list_modal(where: Mapping[str, Any], *, agencies: Sequence[Sequence[str]]) -> dict[str, Any]:
    """Every agency the request asked about; submitting declares no conflict with any of them.
    ``where``: what the button carried, and the request message to update."""
    return _answering(
        where,
        title="Agencies involved",
        submit="Declare no conflict",
        close="Cancel",
        callback_id=LIST_MODAL,
        intro="The agencies involved in the case. *Declare no conflict* records that you have no conflict "
        "of interest with any of them; if you have one, close this and press *Declare a conflict*.",
        asked=agency_sections(agencies),
    )


def conflict_modal(where: Mapping[str, Any], *, agencies: Sequence[Sequence[str]]) -> dict[str, Any]:
    """The statement of a conflict, under the agencies asked about; ``where``: what the button carried,
    and the request message to update."""
    return _answering(
        where,
        title="Declare a conflict",
        submit="Declare",
        callback_id=MODAL,
        intro="The agencies involved in the case:",
        asked=[
            *agency_sections(agencies),
            inputs.written(
                STATEMENT_BLOCK,
                "Describe the conflict: which agency, and your link with it",
                action_id=STATEMENT,
                max_length=INPUT_CHARS,
            ),
        ],
    )


def request_text(commission: dict[str, Any]) -> str:
    """The request's fallback text (its notification)."""
    return (
        f"You have been commissioned as {words(commission['role'])} for case {commission['case_ref']}: "
        "please declare any conflict of interest."
    )


def declared_text(commission: dict[str, Any]) -> str:
    """What the consultant declared, in a line: the fallback text of ``declared_blocks``."""
    declaration = commission.get("declaration") or {}
    what = "no conflict" if declaration.get("no_conflict") else "a conflict"
    return f"You declared {what} for case {commission['case_ref']}."


def declared_blocks(commission: dict[str, Any]) -> list[Block]:
    declaration = commission.get("declaration") or {}
    count = len(declaration.get("agencies") or [])
    what = "*a conflict*"
    if declaration.get("no_conflict"):
        agencies = "the agency" if count == 1 else f"any of the {count} agencies"
        what = "*no conflict*" + (f" with {agencies} involved" if count else "")
    return message(
        [
            section(
                f":white_check_mark: Thank you. You declared {what} for case "
                f"*{escape(commission['case_ref'])}*, as {escape(words(commission['role']))}. "
                "The commissioner will confirm the commission."
            )
        ]
    )


def decline_modal(where: Mapping[str, Any]) -> dict[str, Any]:
    """The consultant turns the commission down, with their reason; ``where``: what the button carried,
    and the request message to update."""
    return _answering(
        where,
        title="Decline the commission",
        submit="Decline",
        callback_id=DECLINE_MODAL,
        intro="Declining ends the commission: the commissioner is told and commissions someone else. If you "
        "can take it on but have a conflict to declare, close this and press *Declare a conflict*.",
        asked=[
            inputs.written(
                REASON_BLOCK,
                "Why you are declining",
                action_id=REASON,
                max_length=REASON_CHARS,
                hint="Recorded with the commission and seen by the commissioner.",
            ),
        ],
    )


def declined_blocks(commission: dict[str, Any]) -> list[Block]:
    return message(
        [
            section(
                f"You declined the commission for case *{escape(commission['case_ref'])}* "
                f"(commission {commission['id']}). The commissioner has your reason."
            )
        ]
    )
