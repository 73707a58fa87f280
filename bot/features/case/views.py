"""A case as the bot shows it: reference, status, its lead partnership, the recommendation, the board's
decision and, once agencies are asked, where each agency's chronology stands (never a row of one).

A chair of the lead partnership gets three buttons: accept the recommendation today (with a confirm
dialog), accept it on an earlier day (a modal asking the day), or record a different decision, which
opens a modal asking the outcomes the board chose instead, the day it decided and the reason (it will
not submit without one).
Buttons and modals carry the case reference (and the modal, the message to update) and nothing about the
case.
"""

from datetime import date
from typing import Any

from bot.features.chronology import views as chronology_view
from bot.payloads import carry
from bot.views import inputs
from bot.views.blocks import (
    INPUT_CHARS,
    OPTIONS_MAX,
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
    option,
    section,
)
from bot.views.outcomes import label, outcome_text
from bot.views.wording import day, sentence, words

ACCEPT = "case.accept"
ACCEPT_ON = "case.accept_on"
ACCEPT_MODAL = "case.accept_modal"
DEPART = "case.depart"
DEPART_MODAL = "case.depart_modal"
REASON_BLOCK = "case.reason"
DATE_BLOCK = "case.decided_on"
REQUIRED_BLOCK = "case.required"
CHOSEN_BLOCK = "case.discretionary"
FIELDS = {"decided_on": DATE_BLOCK, "reason": REASON_BLOCK, "outcomes": REQUIRED_BLOCK}
"""The service's field names -> the inputs its refusals are shown under."""
REASON = "reason"
MAX_OUTCOMES = 30


def _decided(decision: dict[str, Any], labels: dict[str, str]) -> str:
    who = escape(str(decision.get("decided_by_name") or "the chair"))
    on = decision.get("decided_on") or decision.get("decided_at")
    when = day(str(on)) if on else "a date not recorded"
    if decision.get("accepted"):
        return f"*Board decision:* the recommendation was accepted by {who} on {when}."
    reason = escape(str(decision.get("reason") or ""))
    chosen = [label(outcome, labels) for outcome in (decision.get("result") or {}).get("outcomes") or []]
    instead = f"\nInstead: {escape('; '.join(chosen))}" if chosen else ""
    return f"*Board decision:* departed from the recommendation ({who}, {when}).\n>{reason}{instead}"


def blocks(
    case: dict[str, Any],
    *,
    labels: dict[str, str],
    chair: bool,
    today: date,
    chronologies: list[dict[str, Any]] | None = None,
) -> list[Block]:
    """The case; ``chair`` adds the decision buttons while no board decision is recorded. A deadline before
    ``today`` is marked overdue. ``chronologies``: each agency's standing, as the service lists them."""
    ref = case["ref"]
    recommendation = case.get("recommendation") or {}
    title = (recommendation.get("ruleset") or {}).get("title")
    board = case.get("board_decision")
    lead = case.get("partnership_name")
    facts = [
        f"*Status*\n{escape(sentence(words(str(case.get('status', '')))))}",
        f"*Area*\n{escape(str(case.get('area', '')))}",
        f"*Lead partnership*\n{escape(str(lead))}" if lead else "",
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
    standings = chronology_view.standings(chronologies or [])
    if standings is not None:
        out.append(standings)
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
                button("Accept, decided on an earlier day", action_id=ACCEPT_ON, value=ref),
                button("Record a different decision", action_id=DEPART, value=ref),
                block_id=f"case|{ref}",
            )
        )
    else:
        out.append(context("Awaiting the chair's decision."))
    return message(out)


def _decided_on(today: date) -> Block:
    return inputs.datepicker(DATE_BLOCK, "The day the board decided", initial=today, optional=True)


def _decision_modal(
    where: dict[str, str], *, title: str, submit: str, callback_id: str, verb: str, asked: list[Block]
) -> dict[str, Any]:
    """A modal recording the board's decision on the case ``where`` names: what it records (the board
    ``verb`` the recommendation), then the inputs ``asked``; it carries ``where`` and nothing else."""
    return modal(
        title=title,
        submit=submit,
        callback_id=callback_id,
        private_metadata=carry(**where),
        blocks=[
            section(f"Record that the board {verb} the recommendation for case *{escape(where['ref'])}*."),
            *asked,
        ],
    )


def accept_modal(where: dict[str, str], *, today: date) -> dict[str, Any]:
    """Accepting on the day the board decided; ``where`` is the case reference and the message to update."""
    return _decision_modal(
        where,
        title="Accept",
        submit="Accept",
        callback_id=ACCEPT_MODAL,
        verb="accepts",
        asked=[_decided_on(today)],
    )


def depart_modal(where: dict[str, str], *, labels: dict[str, str], today: date) -> dict[str, Any]:
    """The modal for departing; ``where`` is the case reference and the case message to update, ``labels``
    the outcomes the board may choose instead (id -> words)."""
    offered = [option(said, outcome) for outcome, said in labels.items()][:OPTIONS_MAX]
    return _decision_modal(
        where,
        title="A different decision",
        submit="Record",
        callback_id=DEPART_MODAL,
        verb="departs from",
        asked=[
            inputs.multi_select(
                REQUIRED_BLOCK,
                "What the board decided instead: mandatory outcomes",
                offered,
                optional=True,
                hint="Leave both lists empty if the board decided on none.",
            ),
            inputs.multi_select(
                CHOSEN_BLOCK, "Outcomes the board chose at its discretion", offered, optional=True
            ),
            _decided_on(today),
            inputs.written(
                REASON_BLOCK,
                "The decision and the reason for it",
                action_id=REASON,
                max_length=INPUT_CHARS,
                hint="Recorded in the case's decision history and the audit log.",
            ),
        ],
    )


def chosen_outcomes(view: dict[str, Any]) -> list[dict[str, str]]:
    """The outcomes ticked in the departure modal, each with its requirement, mandatory first."""
    return [
        {"type": outcome, "requirement": requirement}
        for requirement, block in (("mandatory", REQUIRED_BLOCK), ("discretionary", CHOSEN_BLOCK))
        for outcome in inputs.chosen(view, block)
    ]
