"""The weekly digest to the admins' channel: each check falling due, with what an admin can do about it.

One section per item (consultant and check) and its buttons: suspend (a reason modal), mark renewed (the
new date; a re-approval asks for a reason instead, since approving sets its own dates), and remind the
consultant by direct message when they have a Slack account on record. Buttons carry ids and the name.
"""

from datetime import date
from typing import Any

from bot.features.consultant.words import on, plural
from bot.payloads import carry
from bot.views.blocks import Block, actions, button, context, escape, header, message, section
from bot.views.wording import day, sentence

SUSPEND = "digest.suspend"
RENEW = "digest.renew"
REMIND = "digest.remind"
PER_MESSAGE = 20  # two blocks an item, and a heading: within Slack's 50 blocks


def item_text(item: dict[str, Any]) -> str:
    label = sentence(escape(str(item["label"])))
    name = f"*{escape(item['name'])}*"
    if item["state"] == "missing":
        return f":red_circle: {name}: no {escape(str(item['label']))} recorded"
    checked = f" (checked {on(item['recorded'])})" if item["check"] == "dbs" else ""
    if item["state"] == "lapsed":
        lapsed = "overdue since" if item["check"] == "reapproval" else "lapsed"
        return f":red_circle: {name}: {label} {lapsed} *{on(item['due'])}*{checked}"
    return f":large_orange_circle: {name}: {label} falls due *{on(item['due'])}*{checked}"


def item_buttons(item: dict[str, Any]) -> Block:
    ids = carry(consultant=item["consultant_id"], check=item["check"], name=item["name"])
    renew = "Re-approve" if item["check"] == "reapproval" else "Mark renewed"
    elements = [
        button("Suspend", action_id=SUSPEND, value=ids, style="danger"),
        button(renew, action_id=RENEW, value=ids),
    ]
    if item.get("slack_user_id"):
        elements.append(button("Remind by DM", action_id=REMIND, value=ids))
    return actions(*elements, block_id=f"digest|{item['consultant_id']}|{item['check']}")


def _title(monday: date, part: int, parts: int) -> str:
    of = f" (part {part} of {parts})" if parts > 1 else ""
    return f"Checks falling due, week of {day(monday)}{of}"


def blocks(items: list[dict[str, Any]], *, monday: date, horizon: date, part: int, parts: int) -> list[Block]:
    """One message of the digest of the week starting ``monday`` (``part`` of ``parts``), at most
    ``PER_MESSAGE`` items."""
    if len(items) > PER_MESSAGE:
        raise ValueError(f"a digest message holds at most {PER_MESSAGE} items")
    out: list[Block] = [
        header(_title(monday, part, parts)),
        context(
            f"Approved consultants whose checks have lapsed, are missing or fall due by {day(horizon)}, and "
            "re-approvals due. Each is listed once a week."
        ),
    ]
    for item in items:
        out += [section(item_text(item)), item_buttons(item)]
    return message(out)


def text(items: list[dict[str, Any]], *, monday: date, part: int, parts: int) -> str:
    """The fallback text of one message of the digest: its title and how many checks it lists."""
    return f"{_title(monday, part, parts)}: {plural(len(items), 'check')}"


def reminder_text(reminder: dict[str, Any]) -> str:
    """The consultant's direct message: which check, by when, and what to do."""
    check = reminder["check"]
    label = escape(str(check["label"]))
    if check["state"] in ("missing", "not_held"):
        when = f"we have no {label} on record for you"
    elif check["state"] == "lapsed":
        when = f"your {label} lapsed on *{on(check['due'])}*"
    else:
        when = f"your {label} falls due on *{on(check['due'])}*"
    return (
        f"Hello {escape(reminder['name'])}: {when}. Please renew it and send the new details to the "
        "safeguarding partnership's admins, so you stay on the approved list of reviewers."
    )
