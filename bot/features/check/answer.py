"""The threshold answer: outcomes, reasons with sources, deadlines, the next open question, and recording.

The message is built from the service's decision and the feature catalogue alone; it never repeats
the case's facts. Open questions are asked one at a time, in the order the service gives them; a
question the person has answered "don't know" is not asked again in this check.
"""

from datetime import date
from typing import Any

from bot.views.blocks import (
    OPTIONS_MAX,
    Block,
    actions,
    button,
    confirm,
    context,
    divider,
    escape,
    header,
    message,
    option,
    section,
)
from bot.views.outcomes import label, outcome_text

MAX_OUTCOMES = 40  # 50 blocks a message, less the header, summary, ruleset, question and record blocks
QUESTION_BLOCK = "check.q"
ANSWER = "check.answer"
RECORD = "check.record"


def next_question(result: dict[str, Any], *, skipped: list[str]) -> tuple[dict[str, Any], int, int] | None:
    """The first open question not skipped, with its position and the number still open."""
    remaining = [q for q in result.get("open_questions") or [] if q.get("feature") not in skipped]
    if not remaining:
        return None
    return remaining[0], 1, len(remaining)


def question_elements(feature: dict[str, Any]) -> list[dict[str, Any]]:
    """How a question is answered in the message: buttons, a select or a date; else a small modal."""
    kind = feature["type"]
    options = [option(choice["label"], choice["value"]) for choice in feature.get("options") or []]
    if kind == "boolean":
        elements = [
            button("Yes", action_id=f"{ANSWER}.yes", value="true"),
            button("No", action_id=f"{ANSWER}.no", value="false"),
        ]
    elif kind == "choice" and len(options) <= OPTIONS_MAX:
        elements = [{"type": "static_select", "action_id": f"{ANSWER}.choice", "options": options}]
    elif kind == "choices" and len(options) <= OPTIONS_MAX:
        elements = [{"type": "multi_static_select", "action_id": f"{ANSWER}.choices", "options": options}]
    elif kind == "date":
        elements = [{"type": "datepicker", "action_id": f"{ANSWER}.date"}]
    else:
        elements = [button("Answer…", action_id=f"{ANSWER}.open", value=feature["name"])]
    return [*elements, button("Don't know", action_id=f"{ANSWER}.skip", value="skip")]


def question_block_id(draft_id: str, feature: str) -> str:
    return f"{QUESTION_BLOCK}|{draft_id}|{feature}"


def parse_question_block_id(block_id: str) -> tuple[str, str]:
    """The draft id and feature name a question's block id carries."""
    _, draft_id, feature = block_id.split("|", 2)
    return draft_id, feature


def summary_text(result: dict[str, Any], labels: dict[str, str], *, case_ref: str | None = None) -> str:
    """The notification text of the answer (what Slack shows where blocks cannot be shown): it says what
    the message says, "on what is known so far" while questions are open, and the case once recorded."""
    outcomes = result.get("outcomes") or []
    so_far = " on what is known so far" if result.get("open_questions") else ""
    if outcomes:
        said = f"Threshold check{so_far}: " + "; ".join(label(outcome, labels) for outcome in outcomes) + "."
    elif so_far:
        said = f"Threshold check: nothing applies yet{so_far}."
    else:
        said = "Threshold check: no review or notification applies on these facts."
    return f"Recorded as case {case_ref}. {said}" if case_ref else said


def blocks(
    result: dict[str, Any],
    *,
    catalogue: list[dict[str, Any]],
    labels: dict[str, str],
    draft_id: str,
    skipped: list[str],
    today: date,
    case_ref: str | None = None,
) -> list[Block]:
    """The answer message; with ``case_ref`` it says the case was recorded instead of offering to (and
    ``result`` is then the recorded case's recommendation, so the two say the same)."""
    out: list[Block] = [header("Threshold check")]
    if result.get("summary"):
        out.append(section(escape(str(result["summary"]))))
    outcomes = result.get("outcomes") or []
    out.extend(section(outcome_text(outcome, labels, today=today)) for outcome in outcomes[:MAX_OUTCOMES])
    if not outcomes and result.get("open_questions"):
        out.append(section("*Nothing applies yet* on what is known so far."))
    elif not outcomes:
        out.append(section("*No review or notification applies* on these facts."))
    notes = []
    title = (result.get("ruleset") or {}).get("title")
    if title:
        notes.append(f"Guidance applied: {escape(str(title))}")
    if len(outcomes) > MAX_OUTCOMES:
        notes.append(f"{len(outcomes) - MAX_OUTCOMES} more outcomes are on the case record.")
    if notes:
        out.append(context(*notes))
    by_name = {feature["name"]: feature for feature in catalogue}
    asked = next_question(result, skipped=skipped)
    if asked is not None and asked[0].get("feature") in by_name:
        question, _, remaining = asked
        feature = by_name[question["feature"]]
        why = f"\n_{escape(question['why'])}_" if question.get("why") else ""
        plural = "s" if remaining != 1 else ""
        out += [
            divider(),
            section(
                f"*{remaining} open question{plural} could change this answer.*\n"
                f"{escape(feature['question'])}{why}"
            ),
            actions(*question_elements(feature), block_id=question_block_id(draft_id, feature["name"])),
        ]
    if case_ref:
        out.append(
            section(
                f":white_check_mark: Recorded as case *{escape(case_ref)}*. "
                f"Use `/scr case {escape(case_ref)}`."
            )
        )
    else:
        out.append(
            actions(
                button(
                    "Record as a case",
                    action_id=RECORD,
                    value=draft_id,
                    style="primary",
                    confirm_with=confirm(
                        title="Record this case?",
                        text="The case is stored with these answers and the recommendation, "
                        "and gets a reference.",
                        yes="Record",
                    ),
                ),
                block_id="check.record",
            )
        )
    return message(out)
