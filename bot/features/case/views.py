"""A case as the bot shows it: reference, status, the recommendation and the board's decision.

A chair gets two buttons: accept the recommendation (with a confirm dialog), or record a different
decision, which opens a modal that will not submit without a reason. Buttons and the modal carry the
case reference (and the modal, the message to update) and nothing about the case.
"""

from datetime import date
from typing import Any

from bot.payloads import carry
from bot.views import inputs
from bot.views.blocks import (
    INPUT_CHARS,
    Block,
    actions,
    button,
    confirm,
    context,
    escape,
    fields,
    header,
    message,
    modal,
    section,
)
from bot.views.outcomes import label, outcome_text
from bot.views.wording import day, sentence, words

ACCEPT = "case.accept"
DEPART = "case.depart"
DEPART_MODAL = "case.depart_modal"
REASON_BLOCK = "case.reason"
REASON = "reason"
MAX_OUTCOMES = 30


def _decided(decision: dict[str, Any], labels: dict[str, str]) -> str:
    who = escape(str(decision.get("decided_by_name") or "the chair"))
    when = day(str(decision["decided_at"])) if decision.get("decided_at") else "a date not recorded"
    if decision.get("accepted"):
        return f"*Board decision:* the recommendation was accepted by {who} on {when}."
    reason = escape(str(decision.get("reason") or ""))
    chosen = [label(outcome, labels) for outcome in (decision.get("result") or {}).get("outcomes") or []]
    instead = f"\nInstead: {escape('; '.join(chosen))}" if chosen else ""
    return f"*Board decision:* departed from the recommendation ({who}, {when}).\n>{reason}{instead}"


def blocks(case: dict[str, Any], *, labels: dict[str, str], chair: bool, today: date) -> list[Block]:
    """The case; ``chair`` adds the decision buttons while no board decision is recorded. A deadline before
    ``today`` is marked overdue."""
    ref = case["ref"]
    recommendation = case.get("recommendation") or {}
    title = (recommendation.get("ruleset") or {}).get("title")
    board = case.get("board_decision")
    facts = [
        f"*Status*\n{escape(sentence(words(str(case.get('status', '')))))}",
        f"*Area*\n{escape(str(case.get('area', '')))}",
        f"*Recorded*\n{day(str(case['created_at']))}" if case.get("created_at") else "",
        f"*Guidance applied*\n{escape(str(title))}" if title else "",
    ]
    out: list[Block] = [header(f"Case {ref}"), fields(*(fact for fact in facts if fact))]
    if recommendation.get("summary"):
        out.append(section(f"*Recommendation:* {escape(str(recommendation['summary']))}"))
    outcomes = recommendation.get("outcomes") or []
    out += [section(outcome_text(outcome, labels, today=today)) for outcome in outcomes[:MAX_OUTCOMES]]
    if len(outcomes) > MAX_OUTCOMES:
        out.append(context(f"and {len(outcomes) - MAX_OUTCOMES} more outcomes"))
    if board:
        out.append(section(_decided(board, labels)))
    elif chair:
        out.append(
            actions(
                button(
                    "Accept the recommendation",
                    action_id=ACCEPT,
                    value=ref,
                    style="primary",
                    confirm_with=confirm(
                        title="Accept the recommendation?",
                        text=f"The board's decision on {escape(ref)} is recorded as the recommendation "
                        "above.",
                        yes="Accept",
                    ),
                ),
                button("Record a different decision", action_id=DEPART, value=ref),
                block_id=f"case|{ref}",
            )
        )
    else:
        out.append(context("Awaiting the chair's decision."))
    return message(out)


def depart_modal(where: dict[str, str]) -> dict[str, Any]:
    """The modal for departing; ``where`` is the case reference and the case message to update."""
    ref = where["ref"]
    return modal(
        title="A different decision",
        submit="Record",
        callback_id=DEPART_MODAL,
        private_metadata=carry(**where),
        blocks=[
            section(f"Record that the board departs from the recommendation for case *{escape(ref)}*."),
            inputs.text_input(
                REASON_BLOCK,
                "The decision and the reason for it",
                action_id=REASON,
                multiline=True,
                min_length=3,
                max_length=INPUT_CHARS,
                hint="Recorded in the case's decision history and the audit log.",
            ),
        ],
    )
