"""An outcome (a review or notification the guidance calls for) as every view shows it: the threshold
answer, a case, the App Home."""

from datetime import date
from typing import Any

from bot.views.blocks import escape
from bot.views.wording import day, humanise

MAX_REASONS = 6
REQUIREMENT = {"mandatory": "*mandatory*", "discretionary": "_discretionary_ (the board decides)"}
OVERDUE = ":warning: Overdue"


def label(outcome: dict[str, Any], labels: dict[str, str]) -> str:
    """The outcome's name, from the service's labels (``outcome_labels``)."""
    return labels.get(str(outcome.get("type")), humanise(str(outcome.get("type", ""))))


def outcome_text(outcome: dict[str, Any], labels: dict[str, str], *, today: date) -> str:
    """One outcome: what, whether it must happen, why (with sources), and by when; a deadline before
    ``today`` is marked overdue on a line of its own."""
    requirement = REQUIREMENT.get(
        str(outcome.get("requirement")), escape(str(outcome.get("requirement", "")))
    )
    lines = [f"*{escape(label(outcome, labels))}*: {requirement}"]
    reasons = outcome.get("reasons") or []
    for reason in reasons[:MAX_REASONS]:
        source = f" _({escape(reason['source'])})_" if reason.get("source") else ""
        lines.append(f"• {escape(str(reason.get('text', '')))}{source}")
    if len(reasons) > MAX_REASONS:
        lines.append(f"• and {len(reasons) - MAX_REASONS} more reasons")
    deadline = outcome.get("deadline") or {}
    basis = escape(str(deadline.get("basis") or ""))
    if deadline.get("date"):
        due = date.fromisoformat(str(deadline["date"]))
        lines.append(f":calendar: Due *{day(due)}*" + (f" ({basis})" if basis else ""))
        if due < today:
            lines.append(OVERDUE)
    elif basis:
        lines.append(f":calendar: Due {basis}")
    return "\n".join(lines)
