"""The consultant's declaration of independence: the request (a DM) and the conflict modal.

Buttons and the modal carry the commission id and the agency ids the declaration covers, nothing about
the child or family: the service needs the agencies named, and the bot cannot read the case as itself.
"""

from collections.abc import Mapping
from typing import Any

from bot.payloads import carry
from bot.views.blocks import Block, actions, button, confirm, context, escape, message, modal, plain, section

NO_CONFLICT = "declaration.none"
CONFLICT = "declaration.conflict"
MODAL = "declaration.modal"
STATEMENT_BLOCK = "declaration.statement"
STATEMENT = "statement"


def request_blocks(commission: dict[str, Any], *, agencies: list[tuple[str, str]]) -> list[Block]:
    """The DM asking a commissioned consultant to declare; ``agencies`` are (id, name) pairs."""
    role = escape(str(commission["role"]).replace("_", " "))
    listed = "\n".join(f"• {escape(name)}" for _, name in agencies) or "• (no agencies recorded yet)"
    # What both buttons carry: the commission and the agencies declared about.
    carried = carry(commission=commission["id"], agencies=[agency_id for agency_id, _ in agencies])
    return message(
        [
            section(
                f"You have been commissioned as *{role}* for case *{escape(commission['case_ref'])}*.\n"
                "Before the work starts, please declare whether you have any conflict of interest with the "
                f"agencies involved:\n{listed}"
            ),
            actions(
                button(
                    "No conflict with any of these",
                    action_id=NO_CONFLICT,
                    value=carried,
                    style="primary",
                    confirm_with=confirm(
                        title="Declare no conflict?",
                        text="You declare that you have no conflict of interest with any agency listed.",
                        yes="Declare",
                    ),
                ),
                button("Declare a conflict", action_id=CONFLICT, value=carried),
                block_id=f"declaration|{commission['id']}",
            ),
            context("Your answer is recorded with the commission and seen by the commissioner."),
        ]
    )


def conflict_modal(where: Mapping[str, Any]) -> dict[str, Any]:
    """The statement of a conflict; ``where``: what the button carried, and the request message to update."""
    return modal(
        title="Declare a conflict",
        submit="Declare",
        callback_id=MODAL,
        private_metadata=carry(**where),
        blocks=[
            {
                "type": "input",
                "block_id": STATEMENT_BLOCK,
                "label": plain("Describe the conflict: which agency, and your link with it"),
                "element": {
                    "type": "plain_text_input",
                    "action_id": STATEMENT,
                    "multiline": True,
                    "min_length": 3,
                    "max_length": 4000,
                },
            }
        ],
    )


def declared_blocks(commission: dict[str, Any]) -> list[Block]:
    declaration = commission.get("declaration") or {}
    what = "no conflict" if declaration.get("no_conflict") else "a conflict"
    return message(
        [
            section(
                f":white_check_mark: Thank you. You declared *{what}* for case "
                f"*{escape(commission['case_ref'])}* "
                f"(commission {commission['id']}). The commissioner will confirm the commission."
            )
        ]
    )
